package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"adscan"
)

// FindingsFormat names the version of the metadata record's JSON shape.
const FindingsFormat = "adscan-evidence/1"

// Findings is the content of a package's metadata record (JSON): what was
// found on the page, the evidence spans, the lexicons that found it, the
// captures with the text the spans index into, and which WARC records hold
// what.
type Findings struct {
	Format     string            `json:"format"`
	Case       CaseInfo          `json:"case"`
	Findings   []adscan.Finding  `json:"findings"`
	Lexicons   []Lexicon         `json:"lexicons"`
	Captures   []CaptureInfo     `json:"captures"`
	Screenshot *ScreenshotInfo   `json:"screenshot,omitempty"`
	Notes      []string          `json:"notes,omitempty"`
	Sightings  []adscan.Sighting `json:"sightings,omitempty"`
}

// CaseInfo is the case part of the findings.
type CaseInfo struct {
	ID         string               `json:"id"`
	URL        string               `json:"url"`
	Target     string               `json:"target"`
	State      adscan.CaseState     `json:"state"`
	Categories []adscan.Category    `json:"categories"`
	Decision   *adscan.CaseDecision `json:"decision,omitempty"`
	CreatedAt  time.Time            `json:"created_at"`
	// Profile and Advertiser attribute a page a platform profile's scan
	// found: the profile, and who the page names as the advertiser.
	Profile    string `json:"profile,omitempty"`
	Advertiser string `json:"advertiser,omitempty"`
}

// Lexicon names a lexicon the findings were made with. SHA256 is the hex
// SHA-256 of its file when known; otherwise SHA256Prefix holds the digits
// that the version carries as build metadata ("2026.11.1+sha256.3f2a9c01b7de").
type Lexicon struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	SHA256       string `json:"sha256,omitempty"`
	SHA256Prefix string `json:"sha256_prefix,omitempty"`
}

var versionDigest = regexp.MustCompile(`\+sha256\.([0-9a-f]{6,64})$`)

// LexiconOf returns the Lexicon of a reference, its digest prefix taken
// from the version's build metadata, and sha256 (hex, may be "") as the
// full digest.
func LexiconOf(ref adscan.LexiconRef, sha256 string) Lexicon {
	l := Lexicon{Name: ref.Name, Version: ref.Version, SHA256: sha256}
	if m := versionDigest.FindStringSubmatch(ref.Version); m != nil && sha256 == "" {
		l.SHA256Prefix = m[1]
	}
	return l
}

// CaptureInfo is one capture of the findings: its metadata and digests,
// its extracted text (the findings' evidence offsets index into it) and the
// IDs of its WARC records.
type CaptureInfo struct {
	adscan.CaptureMeta
	Text           string `json:"text"`
	ResponseRecord string `json:"response_record,omitempty"`
	RequestRecord  string `json:"request_record,omitempty"`
	// RenderedRecord is the resource record of the rendered DOM of a page
	// rendered in a browser.
	RenderedRecord string `json:"rendered_record,omitempty"`
	// SubresourceRecords are the response records of the subresources
	// (scripts, XHR and fetch, styles, images) the rendered page received,
	// which let a replay tool run its scripts as they ran then.
	SubresourceRecords []string `json:"subresource_records,omitempty"`
}

// ScreenshotInfo describes the screenshot record.
type ScreenshotInfo struct {
	Record    string    `json:"record"`
	URL       string    `json:"url"`
	CaptureID string    `json:"capture_id,omitempty"`
	TakenAt   time.Time `json:"taken_at"`
	SHA256    string    `json:"sha256"` // hex, of the PNG
	Bytes     int       `json:"bytes"`
	Width     int       `json:"width,omitempty"`
	Height    int       `json:"height,omitempty"`
}

// noteRequests says what the request records are.
const noteRequests = "request records are reconstructed from each response's URL (request line and Host): the crawler does not keep the request it sent"

// checkSpans reports every evidence span of the findings that does not
// match the text of its capture, and every finding whose capture is not
// in the findings: a package must let anyone check that the quoted text is
// where it says it is.
func (f *Findings) checkSpans() []string {
	texts := map[string]string{}
	for _, c := range f.Captures {
		texts[c.ID] = c.Text
	}
	var problems []string
	for i, fd := range f.Findings {
		text, ok := texts[fd.CaptureID]
		if !ok {
			problems = append(problems, fmt.Sprintf("finding %d (%s): capture %q is not in the package", i, fd.Category, fd.CaptureID))
			continue
		}
		for j, ev := range fd.Evidence {
			if ev.Start < 0 || ev.End < ev.Start || ev.End > len(text) || text[ev.Start:ev.End] != ev.Text {
				problems = append(problems, fmt.Sprintf("finding %d (%s) evidence %d: %q is not at bytes %d-%d of capture %s's text",
					i, fd.Category, j, ev.Text, ev.Start, ev.End, fd.CaptureID))
			}
		}
	}
	for _, c := range f.Captures {
		if c.TextSHA256 != "" && sha256Digest([]byte(c.Text)) != "sha256:"+c.TextSHA256 {
			problems = append(problems, fmt.Sprintf("capture %s: text does not match its text_sha256", c.ID))
		}
	}
	return problems
}

// page is one line of pages/pages.jsonl.
type page struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	TS    string `json:"ts"`
	Title string `json:"title,omitempty"`
	Text  string `json:"text,omitempty"`
}

// pagesJSONL returns pages/pages.jsonl: the header line, then one page per
// line.
func pagesJSONL(pages []page) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	header := map[string]any{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
	for _, p := range pages {
		if p.Text != "" {
			header["hasText"] = true
		}
	}
	if err := enc.Encode(header); err != nil {
		return nil, err
	}
	for _, p := range pages {
		if err := enc.Encode(p); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}
