package crawler

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/evidence"
	"adscan/evidence/evidencetest"
	"adscan/render"
)

// TestRenderedWARCHoldsSubresources: the WARC of a flagged page of a
// JavaScript platform holds, after the served shell and the rendered DOM,
// a response record of the JSON its script fetched the advert from,
// concurrent to the page's record, with digests that gowarc (strict) and
// npm warcio recompute; the page's WACZ indexes it, and ReplayWeb.page
// replays the page with the advert's text.
func TestRenderedWARCHoldsSubresources(t *testing.T) {
	path := chromiumPath(t, "rendered crawling")
	site := fakesite.NewPlatform()
	defer site.Close()
	pool, err := render.NewPool(render.Config{
		Chromium: path, MaxBrowsers: 1, SettleTime: 500 * time.Millisecond,
		NavigationTimeout: 3 * time.Second, PageTimeout: 15 * time.Second, MaxScreenshotHeight: 3000,
		ExemptAddrs: []string{site.HostPort()}, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	post := site.PostURL(5) // 去年学员中考名校录取率高达百分之九十五
	cfg := testConfig(post)
	cfg.Render, cfg.Browser, cfg.MaxPages = true, pool, 1
	pages, _ := crawl(t, cfg)
	p := pages[post]
	if p.Err != nil || !p.Result.Flagged() {
		t.Fatalf("%s: err %v, flags %v, text %q", post, p.Err, p.Result.Flags, p.Capture.Text)
	}
	w := p.Capture.WARC

	// gowarc, strictly: every record parses and its digests hold.
	api := site.URL + "/api/post/5"
	u := gowarc.NewUnmarshaler(gowarc.WithStrictValidation())
	br := bufio.NewReader(bytes.NewReader(w))
	var pageID string
	var found bool
	for i := 0; ; i++ {
		rec, _, validation, err := u.Unmarshal(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("record %d does not parse: %v", i, err)
		}
		h := rec.WarcHeader()
		if len(validation) > 0 {
			t.Errorf("record %d (%s %s): %v", i, rec.Type(), h.Get(gowarc.WarcTargetURI), validation)
		}
		if i == 0 {
			pageID = h.Get(gowarc.WarcRecordID)
		}
		if rec.Type() == gowarc.Response && h.Get(gowarc.WarcTargetURI) == api {
			found = true
			block := rec.Block().(gowarc.HttpResponseBlock)
			pr, _ := block.PayloadBytes()
			body, _ := io.ReadAll(pr)
			if !strings.Contains(string(body), "名校录取率") || block.HttpStatusCode() != 200 ||
				block.HttpHeader().Get("Content-Type") != "application/json" {
				t.Errorf("the record of %s: status %d, header %v, body %q", api, block.HttpStatusCode(), block.HttpHeader(), body)
			}
			if got := h.Get(gowarc.WarcConcurrentTo); got != pageID || pageID == "" {
				t.Errorf("the record of %s is concurrent to %q, want the page's %q", api, got, pageID)
			}
			if h.Has(gowarc.WarcTruncated) {
				t.Errorf("the record of %s is marked truncated", api)
			}
		}
		rec.Close()
	}
	if !found {
		t.Fatalf("no response record of %s in the WARC: %v", api, recordTypes(w))
	}

	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pkg := renderedPackage(t, p, key)
	rep, err := evidence.Verify(bytes.NewReader(pkg), int64(len(pkg)), key.Public().(ed25519.PublicKey))
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Failures)
	}
	if len(rep.Metadata.Captures) != 1 || len(rep.Metadata.Captures[0].SubresourceRecords) == 0 {
		t.Errorf("the package's capture names no subresource records: %+v", rep.Metadata.Captures)
	}
	if index := evidencetest.PackageFile(t, pkg, "indexes/index.cdxj"); !strings.Contains(string(index), `"url":"`+api+`"`) {
		t.Errorf("the package's index has no line for %s:\n%s", api, index)
	}

	t.Run("warcio", func(t *testing.T) {
		node, prefix := evidencetest.Warcio(t)
		file := filepath.Join(t.TempDir(), "capture.warc")
		if err := os.WriteFile(file, w, 0o644); err != nil {
			t.Fatal(err)
		}
		recs := evidencetest.WarcioRead(t, node, prefix, file)
		var api5 bool
		for _, r := range recs {
			if !r.BlockDigestOK || (r.PayloadDigestOK != nil && !*r.PayloadDigestOK) {
				t.Errorf("warcio: record %s %s %s: digests do not hold", r.Type, r.ID, r.URI)
			}
			api5 = api5 || (r.Type == "response" && r.URI == api)
		}
		if len(recs) != len(recordTypes(w)) || !api5 {
			t.Errorf("warcio read %d records (of %d), %s among them: %v", len(recs), len(recordTypes(w)), api, api5)
		}
	})
	t.Run("replaywebpage", func(t *testing.T) {
		dir, chromium := evidencetest.ReplayWebPage(t)
		evidencetest.ReplayShows(t, dir, chromium, pkg, p.Capture.FinalURL, func(text string) bool {
			return strings.Contains(text, "名校录取率高达百分之九十五")
		})
	})
}

// renderedPackage returns the WACZ package of a case made of the flagged
// page p, signed with key.
func renderedPackage(t *testing.T, p Page, key ed25519.PrivateKey) []byte {
	t.Helper()
	cp := p.Capture
	cp.ID = "cap1"
	f := p.Result.Flags[0]
	c := adscan.Case{ID: "case1", URL: cp.FinalURL, Target: cp.Target, State: adscan.CaseConfirmed,
		Categories: []adscan.Category{f.Category},
		Findings:   []adscan.Finding{{Category: f.Category, Score: f.Score, Evidence: f.Evidence, CaptureID: cp.ID, Lexicon: cp.Lexicon}}}
	var pkg bytes.Buffer
	if err := evidence.Build(context.Background(), &pkg, evidence.Input{Case: c, Captures: []adscan.Capture{cp}}, evidence.Signer{Key: key}); err != nil {
		t.Fatalf("package a rendered capture: %v", err)
	}
	return pkg.Bytes()
}

// recordTypes returns the WARC-Type of each record of a capture's WARC,
// in order.
func recordTypes(w []byte) []string {
	var out []string
	for _, line := range strings.Split(string(w), "\r\n") {
		if typ, ok := strings.CutPrefix(line, "WARC-Type: "); ok {
			out = append(out, typ)
		}
	}
	return out
}
