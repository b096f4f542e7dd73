package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"adscan"
)

// WACZVersion is the version of the WACZ spec packages follow.
const WACZVersion = "1.1.1"

// Paths inside a package.
const (
	warcName       = "data.warc.gz"
	warcPath       = "archive/" + warcName
	indexPath      = "indexes/index.cdxj"
	pagesPath      = "pages/pages.jsonl"
	dataPackage    = "datapackage.json"
	dataPackageSig = "datapackage-digest.json"
)

// Input is what a package holds about one case.
type Input struct {
	// Case gives the case's ID, URL, target, state, categories, decision
	// and findings (with their evidence spans and capture IDs).
	Case adscan.Case
	// Captures are the captures the findings rest on, each with its stored
	// WARC response record — and, for a page rendered in a browser, the
	// resource record of its rendered DOM and the response records of its
	// subresources after it (a capture without records is described in
	// the findings but has none).
	Captures []adscan.Capture
	// Screenshot, when not nil, goes in as a resource record.
	Screenshot *Screenshot
	// Lexicons name the lexicons of the findings with their digests; when
	// empty they are taken from the findings' references (LexiconOf).
	Lexicons []Lexicon
	// Created is when the package is made (default: now).
	Created time.Time
	// Software names what made the package (default "adscan").
	Software string
}

// Screenshot is a picture of the page as a browser showed it.
type Screenshot struct {
	PNG           []byte
	URL           string // the page it shows
	CaptureID     string // the capture it was taken with, if any
	TakenAt       time.Time
	Width, Height int // pixels, if known
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Build writes the signed WACZ package of a case to w (see the package
// documentation for what it holds). Packaging the same input with the same
// key gives the same bytes, but for a timestamp token. EINVALID for an
// input that cannot make a package (no case ID, a stored WARC record that
// is not a valid response record, optionally followed by valid resource
// and response records, a screenshot that is not a PNG).
func Build(ctx context.Context, w io.Writer, in Input, s Signer) error {
	c := in.Case
	if c.ID == "" {
		return fmt.Errorf("evidence: build: %w", adscan.Errorf(adscan.EINVALID, "the case has no ID"))
	}
	if in.Created.IsZero() {
		in.Created = time.Now()
	}
	in.Created = in.Created.UTC()
	if in.Software == "" {
		in.Software = "adscan"
	}
	records, findings, pages, err := caseRecords(in)
	if err != nil {
		return err
	}
	warc, err := compressRecords(records)
	if err != nil {
		return fmt.Errorf("evidence: build case %s: %w", c.ID, err)
	}
	index, err := cdxjIndex(records)
	if err != nil {
		return err
	}
	pagesFile, err := pagesJSONL(pages)
	if err != nil {
		return fmt.Errorf("evidence: build case %s: pages: %w", c.ID, err)
	}
	files := []zipFile{
		{name: warcPath, data: warc, store: true},
		{name: indexPath, data: index},
		{name: pagesPath, data: pagesFile},
	}
	dp := newDataPackage(in, findings, files)
	dpJSON, err := json.MarshalIndent(dp, "", "  ")
	if err != nil {
		return fmt.Errorf("evidence: build case %s: %w", c.ID, err)
	}
	hash := sha256Digest(dpJSON)
	sd, err := s.sign(ctx, hash, in.Created, in.Software)
	if err != nil {
		return fmt.Errorf("evidence: build case %s: %w", c.ID, err)
	}
	digestJSON, err := json.MarshalIndent(DigestFile{Path: dataPackage, Hash: hash, SignedData: sd}, "", "  ")
	if err != nil {
		return fmt.Errorf("evidence: build case %s: %w", c.ID, err)
	}
	files = append(files, zipFile{name: dataPackage, data: dpJSON}, zipFile{name: dataPackageSig, data: digestJSON})
	if err := writeZip(w, files, in.Created); err != nil {
		return fmt.Errorf("evidence: write package of case %s: %w", c.ID, err)
	}
	return nil
}

// caseRecords makes the records of a case in the order they are written:
// warcinfo; each capture's response (the stored record) and reconstructed
// request; the screenshot; the findings.
func caseRecords(in Input) ([]record, *Findings, []page, error) {
	c := in.Case
	fail := func(format string, args ...any) error {
		return fmt.Errorf("evidence: build case %s: %w", c.ID, adscan.Errorf(adscan.EINVALID, format, args...))
	}
	info, err := warcinfoRecord(c.ID, in.Software, warcDate(in.Created))
	if err != nil {
		return nil, nil, nil, err
	}
	records := []record{info}
	f := &Findings{
		Format: FindingsFormat,
		Case: CaseInfo{ID: c.ID, URL: c.URL, Target: c.Target, State: c.State, Categories: c.Categories,
			Decision: c.Decision, CreatedAt: c.CreatedAt, Profile: c.Profile, Advertiser: c.Advertiser},
		Findings: c.Findings, Lexicons: in.Lexicons, Sightings: c.Sightings,
	}
	if f.Findings == nil {
		f.Findings = []adscan.Finding{}
	}
	var pages []page
	seen := map[string]bool{}
	for _, cp := range in.Captures {
		if seen[cp.ID] {
			continue
		}
		seen[cp.ID] = true
		ci := CaptureInfo{CaptureMeta: cp.Meta(), Text: cp.Text}
		if len(cp.WARC) == 0 {
			f.Notes = append(f.Notes, fmt.Sprintf("capture %s has no WARC record", cp.ID))
			f.Captures = append(f.Captures, ci)
			continue
		}
		stored, err := splitStored(cp.WARC)
		if err != nil {
			return nil, nil, nil, fail("capture %s: the stored WARC records do not split: %v", cp.ID, err)
		}
		p, err := parseRecord(stored[0])
		if err != nil || p.typ != "response" || len(p.problems) > 0 {
			why := fmt.Sprint(err)
			if err == nil {
				why = fmt.Sprintf("a %s record, problems %v", p.typ, p.problems)
			}
			return nil, nil, nil, fail("capture %s: the stored WARC record is not one valid response record: %s", cp.ID, why)
		}
		resp := record{id: p.id, typ: p.typ, uri: p.uri, date: p.date, mime: p.mime, status: p.status, payload: p.payload, raw: stored[0]}
		req, err := requestRecord(c.ID, resp)
		if err != nil {
			return nil, nil, nil, err
		}
		records = append(records, resp, req)
		// A rendered page's capture holds the rendered DOM as a resource
		// record after its response, and a response record of each
		// subresource the page received (for replay).
		for _, raw := range stored[1:] {
			q, err := parseRecord(raw)
			if err != nil || (q.typ != "resource" && q.typ != "response") || len(q.problems) > 0 {
				why := fmt.Sprint(err)
				if err == nil {
					why = fmt.Sprintf("a %s record, problems %v", q.typ, q.problems)
				}
				return nil, nil, nil, fail("capture %s: a stored WARC record after the response is not a valid resource or response record: %s", cp.ID, why)
			}
			records = append(records, record{id: q.id, typ: q.typ, uri: q.uri, date: q.date, mime: q.mime, status: q.status, payload: q.payload, raw: raw})
			if q.typ == "resource" {
				ci.RenderedRecord = q.id
			} else {
				ci.SubresourceRecords = append(ci.SubresourceRecords, q.id)
			}
		}
		ci.ResponseRecord, ci.RequestRecord = resp.id, req.id
		f.Captures = append(f.Captures, ci)
		ts, err := cdxTimestamp(resp.date)
		if err != nil {
			return nil, nil, nil, fail("capture %s: %v", cp.ID, err)
		}
		t, _ := time.Parse("20060102150405", ts)
		pages = append(pages, page{ID: cp.ID, URL: resp.uri, TS: t.Format(time.RFC3339), Title: resp.uri, Text: cp.Text})
	}
	if len(f.Captures) > 0 && len(pages) > 0 {
		f.Notes = append(f.Notes, noteRequests)
	}
	if sh := in.Screenshot; sh != nil {
		if !bytes.HasPrefix(sh.PNG, pngSignature) {
			return nil, nil, nil, fail("the screenshot is not a PNG")
		}
		if sh.URL == "" {
			sh.URL = c.URL
		}
		taken := sh.TakenAt
		if taken.IsZero() {
			taken = in.Created
		}
		r, err := resourceRecord(c.ID, "urn:view:"+sh.URL, "image/png", taken, sh.PNG)
		if err != nil {
			return nil, nil, nil, err
		}
		records = append(records, r)
		f.Screenshot = &ScreenshotInfo{Record: r.id, URL: sh.URL, CaptureID: sh.CaptureID, TakenAt: taken.UTC(),
			SHA256: r.payload[len("sha256:"):], Bytes: len(sh.PNG), Width: sh.Width, Height: sh.Height}
	}
	if len(f.Lexicons) == 0 {
		seenLex := map[adscan.LexiconRef]bool{}
		for _, fd := range f.Findings {
			if fd.Lexicon != (adscan.LexiconRef{}) && !seenLex[fd.Lexicon] {
				seenLex[fd.Lexicon] = true
				f.Lexicons = append(f.Lexicons, LexiconOf(fd.Lexicon, ""))
			}
		}
	}
	if problems := f.checkSpans(); len(problems) > 0 {
		return nil, nil, nil, fail("findings do not match the captures: %v", problems)
	}
	var meta bytes.Buffer
	enc := json.NewEncoder(&meta)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, nil, nil, fmt.Errorf("evidence: build case %s: findings: %w", c.ID, err)
	}
	m, err := metadataRecord(c.ID, "urn:adscan:case:"+c.ID, in.Created, meta.Bytes())
	if err != nil {
		return nil, nil, nil, err
	}
	records = append(records, m)
	return records, f, pages, nil
}

// compressRecords gzips each record as its own member, sets its offset,
// length and member digest, and returns the WARC file.
func compressRecords(records []record) ([]byte, error) {
	var warc bytes.Buffer
	for i := range records {
		gz, err := gzipMember(records[i].raw, records[i].mime)
		if err != nil {
			return nil, fmt.Errorf("compress record %s: %w", records[i].id, err)
		}
		records[i].offset, records[i].length = int64(warc.Len()), int64(len(gz))
		records[i].memberSum = sha256Digest(gz)
		warc.Write(gz)
	}
	return warc.Bytes(), nil
}
