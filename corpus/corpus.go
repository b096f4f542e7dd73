// Package corpus reads and writes adscan's labelled real-page corpus and
// scores a classifier against it.
//
// A corpus directory (named by ADSCAN_CORPUS; it stays outside the
// repository because its pages are other people's writing) holds
//
//	pages/ID.txt    a page's text, exactly as gathered
//	labels/ID.json  its label (Label), one file a page
//
// What is ours is committed under corpus/real: the labelling guide, every
// label with its URL, site and split (labels.jsonl), and each page's voice
// features as unordered counts (features.jsonl), from which the voice model
// is trained — in CI too, where the pages are absent.
package corpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"adscan"
)

// Voice labels.
const (
	VoicePromo = "promo" // a provider promoting its own education service for children
	VoiceOther = "other"
)

// Splits. A site's pages are all in one split.
const (
	SplitTrain = "train"
	SplitDev   = "dev"
	SplitTest  = "test"
)

// Genres and audiences of the labelling guide (corpus/real/GUIDE.md).
var (
	Genres = []string{"ad", "soft_ad", "listing", "news", "policy", "school", "university", "forum", "advice",
		"price_guide", "contest_info", "adult", "nonsubject", "fiction", "reference", "other",
		"case", // a decided case exported by `adscan cases export --format corpus`
		"own",  // a text we wrote ourselves (Label.Own)
	}
	Audiences = []string{"k12", "preschool", "adult", "mixed", "none", ""}
)

// Label is what the labelling guide says of one page.
type Label struct {
	ID         string            `json:"id"`
	URL        string            `json:"url"`
	Site       string            `json:"site"`
	Split      string            `json:"split,omitempty"`
	Voice      string            `json:"voice"` // promo, other, or "" (unknown: not used to train the voice model)
	Genre      string            `json:"genre"`
	Audience   string            `json:"audience"`
	Categories []adscan.Category `json:"categories"`
	Note       string            `json:"note"`
	Query      string            `json:"query,omitempty"` // the search that found it
	By         string            `json:"by,omitempty"`    // who labelled it
	// Own marks a text we wrote ourselves (classifier/testdata/corpus):
	// always in the train split, used to train the voice model on hard
	// adverts, never scored as a real page.
	Own bool `json:"own,omitempty"`
}

// Validate reports the first thing wrong with the label.
func (l Label) Validate() error {
	switch {
	case l.ID == "":
		return errors.New("no id")
	case l.URL == "":
		return fmt.Errorf("%s: no url", l.ID)
	case l.Voice != VoicePromo && l.Voice != VoiceOther && l.Voice != "":
		return fmt.Errorf("%s: voice %q is not promo, other or empty", l.ID, l.Voice)
	case !slices.Contains(Genres, l.Genre):
		return fmt.Errorf("%s: unknown genre %q", l.ID, l.Genre)
	case !slices.Contains(Audiences, l.Audience):
		return fmt.Errorf("%s: unknown audience %q", l.ID, l.Audience)
	case l.Split != "" && l.Split != SplitTrain && l.Split != SplitDev && l.Split != SplitTest:
		return fmt.Errorf("%s: unknown split %q", l.ID, l.Split)
	}
	for _, c := range l.Categories {
		if !c.Valid() {
			return fmt.Errorf("%s: unknown category %q", l.ID, c)
		}
	}
	if len(l.Categories) > 0 && l.Voice == VoiceOther {
		return fmt.Errorf("%s: categories on a page whose voice is other", l.ID)
	}
	return nil
}

// Has reports whether the label names category c.
func (l Label) Has(c adscan.Category) bool { return slices.Contains(l.Categories, c) }

// URLKey is how a URL is compared, as ../shared/eval/is-excluded does with
// Python's urlsplit: "http://" is put in front of a URL without "://";
// tabs and line breaks are removed; the scheme is what comes before the
// first ":" if it is a valid scheme name; the host is what follows "//"
// right after it, lower case, without user information, port and "www.";
// then the path as written without a trailing "/", and "?query" if the
// query is not empty. (Python lower-cases a few non-ASCII letters
// differently; such hosts are not expected.)
func URLKey(raw string) string {
	s := strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(raw)
	s = strings.TrimLeftFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) {
		s = s[i+1:]
	}
	s, _, _ = strings.Cut(s, "#")
	rest, query, _ := strings.Cut(s, "?")
	host, path := "", rest
	if strings.HasPrefix(rest, "//") {
		netloc := rest[2:]
		path = ""
		if i := strings.IndexByte(netloc, '/'); i >= 0 {
			netloc, path = netloc[:i], netloc[i:]
		}
		host = hostOf(netloc)
	}
	k := strings.TrimPrefix(host, "www.") + strings.TrimRight(path, "/")
	if query != "" {
		k += "?" + query
	}
	return k
}

// validScheme reports whether s is a URL scheme name: a letter, then
// letters, digits, "+", "-" or ".".
func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// hostOf returns the lower-case host of a URL's netloc: without user
// information and port, an IPv6 address without its brackets.
func hostOf(netloc string) string {
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		netloc = netloc[i+1:]
	}
	if strings.HasPrefix(netloc, "[") {
		h, _, _ := strings.Cut(netloc[1:], "]")
		return strings.ToLower(h)
	}
	h, _, _ := strings.Cut(netloc, ":")
	return strings.ToLower(h)
}

// PageID is a page's ID: the first 16 hex digits of the SHA-256 of its URLKey.
func PageID(rawURL string) string {
	sum := sha256.Sum256([]byte(URLKey(rawURL)))
	return fmt.Sprintf("%x", sum[:8])
}

// Site is the page's host without "www.", lower case.
func Site(rawURL string) string {
	host, _, _ := strings.Cut(URLKey(rawURL), "/")
	host, _, _ = strings.Cut(host, "?")
	return host
}

// SplitOf assigns a site to a split by a digest of its name: 60 % train,
// 20 % dev, 20 % test. Every page of a site lands in the same split, so a
// model is never tested on a site it was trained on.
func SplitOf(site string) string {
	sum := sha256.Sum256([]byte("adscan-split\x00" + site))
	switch n := int(sum[0]) % 10; {
	case n < 6:
		return SplitTrain
	case n < 8:
		return SplitDev
	default:
		return SplitTest
	}
}

// Page is a labelled page with its text.
type Page struct {
	Label
	Text string
}

// Load reads every page of a corpus directory, sorted by ID, each with
// its split set from its site. Errors name the file.
func Load(dir string) ([]Page, error) {
	files, err := filepath.Glob(filepath.Join(dir, "labels", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("corpus: no labels in %s", filepath.Join(dir, "labels"))
	}
	var pages []Page
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		var l Label
		if err := json.Unmarshal(data, &l); err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", f, err)
		}
		if l.Site == "" {
			l.Site = Site(l.URL)
		}
		l.Split = SplitOf(l.Site)
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", f, err)
		}
		text, err := os.ReadFile(filepath.Join(dir, "pages", l.ID+".txt"))
		if err != nil {
			return nil, fmt.Errorf("corpus: page of %s: %w", f, err)
		}
		pages = append(pages, Page{Label: l, Text: string(text)})
	}
	sort.Slice(pages, func(a, b int) bool { return pages[a].ID < pages[b].ID })
	return pages, nil
}

// WritePage adds one page to a corpus directory: pages/ID.txt and
// labels/ID.json. It refuses an ID already there unless replace is set.
func WritePage(dir string, p Page, replace bool) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	lp := filepath.Join(dir, "labels", p.ID+".json")
	if _, err := os.Stat(lp); err == nil && !replace {
		return fmt.Errorf("corpus: %s is already in %s", p.ID, dir)
	}
	for _, sub := range []string{"pages", "labels"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "pages", p.ID+".txt"), []byte(p.Text), 0o644); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	data, err := json.Marshal(p.Label)
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	if err := os.WriteFile(lp, data, 0o644); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	return nil
}

// WriteJSONL writes one JSON object per line.
func WriteJSONL[T any](w io.Writer, rows []T) error {
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
		if _, err := bw.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
	}
	return bw.Flush()
}

// ReadJSONL reads one JSON object per line; the error names the line.
func ReadJSONL[T any](r io.Reader, name string) ([]T, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var rows []T
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v T
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("corpus: %s:%d: %w", name, n, err)
		}
		rows = append(rows, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", name, err)
	}
	return rows, nil
}

// ReadJSONLFile reads a JSONL file (see ReadJSONL).
func ReadJSONLFile[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	return ReadJSONL[T](f, path)
}
