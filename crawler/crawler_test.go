package crawler

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"adscan"
	"adscan/crawler/fakesite"
)

// substringClassifier flags elite_admission when the text contains 名校录取.
type substringClassifier struct{}

func (substringClassifier) Classify(doc adscan.Document) adscan.Result {
	r := adscan.Result{Lexicon: adscan.LexiconRef{Name: "test", Version: "1"}}
	if i := strings.Index(doc.Text, "名校录取"); i >= 0 {
		r.Flags = append(r.Flags, adscan.Flag{Category: adscan.CategoryEliteAdmission, Score: 1,
			Evidence: []adscan.Evidence{{Text: "名校录取", Start: i, End: i + len("名校录取")}}})
	}
	return r
}

var _ adscan.Classifier = substringClassifier{}

// testConfig is a fast configuration for crawls of a fake site on loopback.
func testConfig(seeds ...string) Config {
	return Config{
		Seeds: seeds, AllowPrivate: true, Delay: -1, Parallelism: 4,
		Timeout: 2 * time.Second, Retries: 1, RetryBackoff: 10 * time.Millisecond,
		MaxPages: 80, MaxDepth: 3, MaxBodyBytes: 1 << 20, UserAgent: "adscan-test/1 (+https://example.org/contact)",
		Logger: slog.New(slog.DiscardHandler),
	}
}

// crawl runs a crawl to its end and returns its pages by requested URL.
func crawl(t *testing.T, cfg Config) (map[string]Page, Summary) {
	t.Helper()
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]Page{}
	var mu sync.Mutex
	sum, err := c.Run(context.Background(), nil, func(p Page) error {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := pages[p.Capture.RequestedURL]; dup {
			t.Errorf("page %s handed twice", p.Capture.RequestedURL)
		}
		pages[p.Capture.RequestedURL] = p
		return nil
	}, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return pages, sum
}

func TestCrawlFakeSite(t *testing.T) {
	site := fakesite.New(fakesite.Options{SlowDelay: 6 * time.Second, HugeBytes: 4 << 20})
	defer site.Close()
	cfg := testConfig(site.URL + "/")
	pages, sum := crawl(t, cfg)
	page := func(path string) Page {
		t.Helper()
		p, ok := pages[site.URL+path]
		if !ok {
			t.Fatalf("%s not crawled; requested: %v", path, site.RequestedPaths())
		}
		return p
	}

	t.Run("robots", func(t *testing.T) {
		if n := site.Requested(fakesite.PathPrivate); n != 0 {
			t.Errorf("disallowed %s requested %d times", fakesite.PathPrivate, n)
		}
		if n := site.Requested("/robots.txt"); n != 1 {
			t.Errorf("robots.txt requested %d times, want once", n)
		}
		if sum.Disallowed == 0 {
			t.Errorf("summary counts no disallowed URL: %+v", sum)
		}
		if ua := site.UserAgents(); len(ua) != 1 || ua[0] != cfg.UserAgent {
			t.Errorf("user agents = %q, want only %q", ua, cfg.UserAgent)
		}
	})
	t.Run("sitemap", func(t *testing.T) {
		p := page(fakesite.PathSitemapOnly)
		if p.Depth != 1 || p.Capture.Status != 200 {
			t.Errorf("sitemap-only page: depth %d status %d", p.Depth, p.Capture.Status)
		}
		if site.Requested("/sitemap-pages.xml") != 1 {
			t.Errorf("the sitemap named by the sitemap index was not read")
		}
	})
	t.Run("gbk", func(t *testing.T) {
		p := page(fakesite.PathGBK)
		if !strings.Contains(p.Capture.Text, fakesite.GBKText) {
			t.Errorf("GBK text = %q, want it to contain %q", p.Capture.Text, fakesite.GBKText)
		}
		if p.Charset != "gbk" && p.Charset != "gb18030" {
			t.Errorf("charset = %q", p.Charset)
		}
		want := site.URL + "/%E5%85%B3%E4%BA%8E/%E7%AE%80%E4%BB%8B.html"
		if len(p.Links) != 1 || p.Links[0] != want {
			t.Errorf("GBK page links = %q, want [%s]", p.Links, want)
		}
	})
	t.Run("calendar trap", func(t *testing.T) {
		n := 0
		for _, path := range site.RequestedPaths() {
			if strings.HasPrefix(path, fakesite.PathCalendar) {
				n++
			}
		}
		// depth 1 is the month linked from the index; months two links on are depth 3.
		if n == 0 || n > 5 {
			t.Errorf("%d calendar pages fetched, want 1..5 at max depth 3", n)
		}
	})
	t.Run("redirect loop", func(t *testing.T) {
		p := page(fakesite.PathLoop)
		if !errors.Is(p.Err, ErrRedirectLoop) {
			t.Errorf("loop page error = %v, want ErrRedirectLoop", p.Err)
		}
		if n := site.Requested(fakesite.PathLoop); n > 3 {
			t.Errorf("loop start requested %d times", n)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		p := page(fakesite.PathRedirect)
		if p.Err != nil || p.Capture.FinalURL != site.URL+fakesite.PathAbout || len(p.Capture.Redirects) != 1 {
			t.Errorf("redirect: err %v final %s chain %v", p.Err, p.Capture.FinalURL, p.Capture.Redirects)
		}
		off := page(fakesite.PathOffsite)
		if off.Err != nil || off.Capture.Status != 302 || len(off.ExternalLinks) != 1 {
			t.Errorf("off-site redirect: err %v status %d external %v", off.Err, off.Capture.Status, off.ExternalLinks)
		}
	})
	t.Run("slow page times out, crawl goes on", func(t *testing.T) {
		p := page(fakesite.PathSlow)
		var ne net.Error
		if !errors.As(p.Err, &ne) || !ne.Timeout() {
			t.Errorf("slow page error = %v, want a timeout", p.Err)
		}
		if n := site.Requested(fakesite.PathSlow); n != 1+cfg.Retries {
			t.Errorf("slow page requested %d times, want %d (with retries)", n, 1+cfg.Retries)
		}
		page(fakesite.PathSitemapOnly) // found later than the slow page
	})
	t.Run("huge page is cut", func(t *testing.T) {
		p := page(fakesite.PathHuge)
		if !p.Truncated || !p.Capture.Truncated || p.Capture.BodySize != cfg.MaxBodyBytes || !strings.HasPrefix(p.Capture.Text, "大页面") {
			t.Errorf("huge page: truncated %v size %d text %.20q", p.Truncated, p.Capture.BodySize, p.Capture.Text)
		}
	})
	t.Run("binary not read", func(t *testing.T) {
		p := page(fakesite.PathBinary)
		if p.Skipped == "" || p.Capture.BodySize != 0 || p.Capture.Text != "" || p.Err != nil {
			t.Errorf("binary: skipped %q size %d err %v", p.Skipped, p.Capture.BodySize, p.Err)
		}
	})
	t.Run("links", func(t *testing.T) {
		p := page(fakesite.PathIndex)
		if len(p.ExternalLinks) != 1 || p.ExternalLinks[0] != fakesite.ExternalURL {
			t.Errorf("external links = %q", p.ExternalLinks)
		}
		for _, l := range p.Links {
			if !strings.HasPrefix(l, site.URL+"/") || strings.Contains(l, "utm_") || strings.Contains(l, "#") {
				t.Errorf("bad internal link %q", l)
			}
		}
		if n := site.Requested(fakesite.PathAbout + "?utm_source=wechat&utm_medium=share"); n != 0 {
			t.Errorf("tracking-parameter variant requested")
		}
	})
	t.Run("malformed html", func(t *testing.T) {
		p := page(fakesite.PathMalformed)
		if p.Err != nil || !strings.Contains(p.Capture.Text, "最后一段") || len(p.Links) != 2 {
			t.Errorf("malformed: err %v links %v text %q", p.Err, p.Links, p.Capture.Text)
		}
	})
	t.Run("script text never classified", func(t *testing.T) {
		p := page(fakesite.PathScript)
		if p.Result.Flagged() || strings.Contains(p.Capture.Text, "名校录取") || p.Capture.WARC != nil {
			t.Errorf("script page flagged %v, text %q", p.Result.Flags, p.Capture.Text)
		}
	})
	t.Run("5xx retried", func(t *testing.T) {
		p := page(fakesite.PathServerError)
		if p.Err != nil || p.Capture.Status != 200 || site.Requested(fakesite.PathServerError) != 2 {
			t.Errorf("flaky page: err %v status %d", p.Err, p.Capture.Status)
		}
	})
	t.Run("evidence", func(t *testing.T) {
		p := page(fakesite.PathFlagged)
		if !p.Result.Flagged() || sum.Flagged != 1 {
			t.Fatalf("flagged page not flagged (summary %+v)", sum)
		}
		c := p.Capture
		tsum := sha256.Sum256([]byte(c.Text))
		if c.TextSHA256 != hex.EncodeToString(tsum[:]) || c.FetchedAt.IsZero() || c.Header.Get("Content-Type") == "" ||
			c.Lexicon.Name != "test" || c.Target != cfg.Seeds[0] {
			t.Errorf("capture incomplete: %+v", c)
		}
		checkWARC(t, c)
	})
}

// checkWARC parses the capture's WARC record and recomputes the digest of
// the payload it holds.
func checkWARC(t *testing.T, c adscan.Capture) {
	t.Helper()
	if len(c.WARC) == 0 {
		t.Fatal("flagged page has no WARC record")
	}
	u := gowarc.NewUnmarshaler(gowarc.WithStrictValidation())
	rec, _, validation, err := u.Unmarshal(bufio.NewReader(bytes.NewReader(c.WARC)))
	if err != nil {
		t.Fatalf("WARC record does not parse: %v", err)
	}
	defer rec.Close()
	if len(validation) > 0 {
		t.Errorf("WARC validation: %v", validation)
	}
	h := rec.WarcHeader()
	if rec.Version().String() != "WARC/1.1" || rec.Type() != gowarc.Response || h.Get(gowarc.WarcTargetURI) != c.FinalURL ||
		h.Get(gowarc.WarcDate) == "" || h.Get(gowarc.WarcRecordID) == "" || h.Get(gowarc.ContentType) != "application/http;msgtype=response" {
		t.Errorf("WARC header: %v %v\n%s", rec.Version(), rec.Type(), c.WARC[:400])
	}
	block, ok := rec.Block().(gowarc.HttpResponseBlock)
	if !ok {
		t.Fatalf("WARC block is %T, want an HTTP response", rec.Block())
	}
	pr, err := block.PayloadBytes()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(payload)
	want := "sha256:" + hex.EncodeToString(sum[:])
	if got := h.Get(gowarc.WarcPayloadDigest); got != want {
		t.Errorf("WARC-Payload-Digest = %s, recomputed %s", got, want)
	}
	if hex.EncodeToString(sum[:]) != c.BodySHA256 {
		t.Errorf("WARC payload digest differs from Capture.BodySHA256")
	}
	raw, err := block.RawBytes()
	if err != nil {
		t.Fatal(err)
	}
	blockBytes, _ := io.ReadAll(raw)
	bsum := sha256.Sum256(blockBytes)
	if got := h.Get(gowarc.WarcBlockDigest); got != "sha256:"+hex.EncodeToString(bsum[:]) || block.HttpStatusCode() != c.Status {
		t.Errorf("WARC-Block-Digest %q, recomputed %x; status %d", got, bsum, block.HttpStatusCode())
	}
}
