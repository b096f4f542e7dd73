package crawler

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/evidence"
	"adscan/render"
)

// browserFixture is one JS site and one browser pool shared by the tests
// of this file (a browser takes a second or two to start).
var browserFixture struct {
	once sync.Once
	site *fakesite.JSSite
	pool *render.Pool
	err  error
}

// jsSiteAndPool returns the shared JS site and a pool that lets only that
// site through (the trap and every other private address are refused),
// skipping the test when there is no Chromium.
func jsSiteAndPool(t *testing.T) (*fakesite.JSSite, *render.Pool) {
	t.Helper()
	path := chromiumPath(t, "rendered crawling")
	browserFixture.once.Do(func() {
		browserFixture.site = fakesite.NewJSSite()
		browserFixture.pool, browserFixture.err = render.NewPool(render.Config{
			Chromium: path, MaxBrowsers: 1, SettleTime: 500 * time.Millisecond,
			NavigationTimeout: 3 * time.Second, PageTimeout: 15 * time.Second, MaxScreenshotHeight: 3000,
			ExemptAddrs: []string{browserFixture.site.HostPort()},
			Logger:      slog.New(slog.DiscardHandler),
		})
	})
	if browserFixture.err != nil {
		t.Fatal(browserFixture.err)
	}
	return browserFixture.site, browserFixture.pool
}

func closeBrowserFixture() {
	if browserFixture.pool != nil {
		browserFixture.pool.Close()
		browserFixture.site.Close()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	closeBrowserFixture()
	os.Exit(code)
}

func TestRenderedCrawlFindsScriptBuiltAdvert(t *testing.T) {
	site, pool := jsSiteAndPool(t)

	plainCfg := testConfig(site.URL + "/")
	plain, _ := crawl(t, plainCfg)
	for u, p := range plain {
		if p.Result.Flagged() {
			t.Errorf("plain crawl flagged %s, whose advert only exists after scripts ran", u)
		}
	}
	if _, ok := plain[site.URL+fakesite.JSPathDetail]; ok {
		t.Errorf("plain crawl found %s, linked only by a script", fakesite.JSPathDetail)
	}

	cfg := testConfig(site.URL + "/")
	cfg.Render, cfg.Browser = true, pool
	pages, sum := crawl(t, cfg)
	index, ok := pages[site.URL+"/"]
	if !ok {
		t.Fatalf("index not crawled; pages %v", keys(pages))
	}
	if index.Err != nil || !index.Result.Flagged() {
		t.Fatalf("rendered index: err %v, flags %v; text %q", index.Err, index.Result.Flags, index.Capture.Text)
	}
	if !strings.Contains(index.Capture.Text, "名校录取") || !index.Capture.Rendered {
		t.Errorf("capture text %q (rendered %v), want the script-built advert", index.Capture.Text, index.Capture.Rendered)
	}
	if _, ok := pages[site.URL+fakesite.JSPathDetail]; !ok {
		t.Errorf("rendered crawl did not follow the script-built link to %s; pages %v", fakesite.JSPathDetail, keys(pages))
	}
	if n := site.Requested(fakesite.JSPathPrivate); n != 0 {
		t.Errorf("robots.txt-disallowed %s requested %d times", fakesite.JSPathPrivate, n)
	}
	if hits := site.TrapHits(); len(hits) > 0 {
		t.Errorf("the rendered page reached the private trap server: %v", hits)
	}
	if sum.Flagged != 1 {
		t.Errorf("summary %+v, want 1 flagged", sum)
	}

	t.Run("warc", func(t *testing.T) {
		w := index.Capture.WARC
		types := recordTypes(w)
		if len(types) < 2 || types[0] != "response" || types[1] != "resource" || slices.Contains(types[2:], "resource") {
			t.Fatalf("WARC of a flagged rendered page: records %v, want a response, a resource and subresources' responses:\n%.600s", types, w)
		}
		if !bytes.Contains(w, []byte("WARC-Target-URI: urn:dom:"+site.URL+"/")) || !bytes.Contains(w, []byte("WARC-Concurrent-To: <urn:uuid:")) {
			t.Errorf("the rendered DOM's record does not name its page and response record")
		}
		if !bytes.Contains(w, []byte("\r\n\r\nHTTP/1.1 200 OK\r\n")) {
			t.Errorf("the response record's status line is not HTTP/1.1 200 OK:\n%.600s", w)
		}
		resp, dom, _ := bytes.Cut(w, []byte("WARC/1.1\r\nWARC-Type: resource"))
		if bytes.Contains(resp, []byte("名校录取")) || !bytes.Contains(dom, []byte("名校录取")) {
			t.Errorf("the served HTML should not hold the advert and the rendered DOM should")
		}
	})
	t.Run("wacz", func(t *testing.T) { checkRenderedWACZ(t, index) })
	t.Run("screenshot", func(t *testing.T) {
		shot := index.Capture.Screenshot
		if shot == nil {
			t.Fatalf("flagged rendered page has no screenshot: %s", index.Capture.ScreenshotError)
		}
		sum := sha256.Sum256(shot.PNG)
		if hex.EncodeToString(sum[:]) != shot.SHA256 || !bytes.HasPrefix(shot.PNG, []byte("\x89PNG")) {
			t.Errorf("screenshot digest %s does not match its PNG", shot.SHA256)
		}
		if shot.Width != render.ScreenshotWidth || shot.Height <= 0 || shot.TakenAt.IsZero() {
			t.Errorf("screenshot %dx%d taken %v", shot.Width, shot.Height, shot.TakenAt)
		}
	})
}

func TestRenderedCrawlRefusesInternalRedirect(t *testing.T) {
	site, pool := jsSiteAndPool(t)
	cfg := testConfig(site.URL + fakesite.JSPathRedirect)
	cfg.Render, cfg.Browser, cfg.MaxDepth = true, pool, -1
	pages, _ := crawl(t, cfg)
	p := pages[site.URL+fakesite.JSPathRedirect]
	if p.Err == nil || ErrorKind(p.Err) != "refused_address" {
		t.Errorf("a redirect to a private address: err %v (kind %q), want refused", p.Err, ErrorKind(p.Err))
	}
	for _, h := range site.TrapHits() {
		if strings.Contains(h, "redirected") {
			t.Errorf("the redirect reached the trap: %s", h)
		}
	}
}

// TestRenderedCrawlSurvivesHungPage: a page whose script never ends is
// read as it stood when its time ran out (or fails), and the crawl goes on
// to the next.
func TestRenderedCrawlSurvivesHungPage(t *testing.T) {
	site, pool := jsSiteAndPool(t)
	cfg := testConfig(site.URL+fakesite.JSPathHang, site.URL+fakesite.JSPathStatic)
	cfg.Render, cfg.Browser, cfg.MaxDepth, cfg.Parallelism = true, pool, -1, 1
	start := time.Now()
	pages, sum := crawl(t, cfg)
	hung, ok := pages[site.URL+fakesite.JSPathHang]
	if !ok || (hung.Err == nil && hung.Incomplete == "") {
		t.Errorf("the hung page: crawled %v, err %v, incomplete %q; want an error or an incomplete page", ok, hung.Err, hung.Incomplete)
	}
	if p := pages[site.URL+fakesite.JSPathStatic]; p.Err != nil || !p.Result.Flagged() {
		t.Errorf("the page after the hung one: err %v, flags %v", p.Err, p.Result.Flags)
	}
	t.Logf("hung page: %v (kind %s), incomplete %q; crawl %s, %+v", hung.Err, ErrorKind(hung.Err), hung.Incomplete, time.Since(start).Round(time.Millisecond), sum)
}

func TestPlainCrawlScreenshotsFlaggedPage(t *testing.T) {
	site, pool := jsSiteAndPool(t)
	cfg := testConfig(site.URL + fakesite.JSPathStatic)
	cfg.Browser, cfg.MaxDepth = pool, -1
	pages, _ := crawl(t, cfg)
	p := pages[site.URL+fakesite.JSPathStatic]
	if !p.Result.Flagged() || p.Capture.Rendered {
		t.Fatalf("plain crawl of the static advert: flags %v, rendered %v", p.Result.Flags, p.Capture.Rendered)
	}
	if p.Capture.Screenshot == nil || len(p.Capture.Screenshot.PNG) == 0 {
		t.Errorf("flagged page of a plain crawl with a browser has no screenshot: %q", p.Capture.ScreenshotError)
	}

	cfg.Browser, cfg.NoBrowser = nil, "no Chromium on this worker"
	pages, _ = crawl(t, cfg)
	p = pages[site.URL+fakesite.JSPathStatic]
	if p.Capture.Screenshot != nil || p.Capture.ScreenshotError != "no Chromium on this worker" || p.Capture.ScreenshotErrorKind != adscan.ScreenshotNoBrowser {
		t.Errorf("without a browser: screenshot %v, error %q (%s)", p.Capture.Screenshot != nil, p.Capture.ScreenshotError, p.Capture.ScreenshotErrorKind)
	}
}

func TestRenderedCrawlWithoutBrowser(t *testing.T) {
	cfg := testConfig("http://example.org/")
	cfg.Render, cfg.NoBrowser = true, "no Chromium found on PATH"
	_, err := New(cfg, substringClassifier{})
	if !errors.Is(err, render.ErrNoChromium) || !strings.Contains(err.Error(), "Chromium") {
		t.Errorf("New with Render and no browser: %v, want ErrNoChromium", err)
	}
}

// checkRenderedWACZ packages a flagged rendered page's capture with its
// screenshot as a referral would, and verifies the package: both stored
// records and the screenshot are in it and every digest holds.
func checkRenderedWACZ(t *testing.T, p Page) {
	cp := p.Capture
	cp.ID = "cap1"
	f := p.Result.Flags[0]
	c := adscan.Case{ID: "case1", URL: cp.FinalURL, Target: cp.Target, State: adscan.CaseConfirmed,
		Categories: []adscan.Category{f.Category},
		Findings:   []adscan.Finding{{Category: f.Category, Score: f.Score, Evidence: f.Evidence, CaptureID: cp.ID, Lexicon: cp.Lexicon}}}
	sh := cp.Screenshot
	if sh == nil {
		t.Fatal("no screenshot to package")
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	var pkg bytes.Buffer
	err := evidence.Build(context.Background(), &pkg, evidence.Input{Case: c, Captures: []adscan.Capture{cp},
		Screenshot: &evidence.Screenshot{PNG: sh.PNG, URL: cp.FinalURL, CaptureID: cp.ID, TakenAt: sh.TakenAt, Width: sh.Width, Height: sh.Height},
	}, evidence.Signer{Key: key})
	if err != nil {
		t.Fatalf("package a rendered capture: %v", err)
	}
	rep, err := evidence.Verify(bytes.NewReader(pkg.Bytes()), int64(pkg.Len()), key.Public().(ed25519.PublicKey))
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Failures)
	}
	types := map[string]int{}
	for _, r := range rep.Records {
		types[r.Type]++
	}
	if types["response"] != 1+len(recordTypes(cp.WARC)[2:]) || types["resource"] != 2 {
		t.Errorf("records %v: want the response, the rendered DOM, the subresources and the screenshot", types)
	}
	if rep.Metadata == nil || rep.Metadata.Screenshot == nil || rep.Metadata.Screenshot.SHA256 != sh.SHA256 {
		t.Errorf("the package's metadata does not name the screenshot %s", sh.SHA256)
	}
}

func keys(m map[string]Page) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// chromiumPath returns the Chromium the rendered tests use, found as
// adscan finds it ($ADSCAN_CHROMIUM, else the usual places); it skips the
// test, saying what goes untested, where there is none, and fails it on
// any other error.
func chromiumPath(tb testing.TB, what string) string {
	tb.Helper()
	path, err := render.FindChromium(os.Getenv("ADSCAN_CHROMIUM"))
	if errors.Is(err, render.ErrNoChromium) {
		tb.Skipf("no Chromium, %s not tested: %v (apt-get install chromium, or set ADSCAN_CHROMIUM)", what, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// testPool starts a pool of one browser of path for a test, allowed to
// reach the loopback addresses ("host:port") of the test's sites, and
// closes it when the test ends.
func testPool(t *testing.T, path string, addrs ...string) *render.Pool {
	t.Helper()
	pool, err := render.NewPool(render.Config{
		Chromium: path, MaxBrowsers: 1, SettleTime: 500 * time.Millisecond,
		NavigationTimeout: 3 * time.Second, PageTimeout: 15 * time.Second, MaxScreenshotHeight: 2000,
		ExemptAddrs: addrs,
		Logger:      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// retryingRenderedConfig is a rendered crawl of seeds in pool, one page at
// a time, with two retries 50 ms of backoff apart.
func retryingRenderedConfig(pool *render.Pool, seeds ...string) Config {
	cfg := testConfig(seeds...)
	cfg.Render, cfg.Browser = true, pool
	cfg.Parallelism, cfg.Retries, cfg.RetryBackoff = 1, 2, 50*time.Millisecond
	return cfg
}
