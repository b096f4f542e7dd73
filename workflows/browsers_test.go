package workflows

import (
	"context"
	"strings"
	"testing"

	"adscan"
	"adscan/crawler"
	"adscan/crawler/fakesite"
	"adscan/render"
)

// TestRenderedTargetWithoutChromium: a rendered target on a worker with
// no browser is one failed page naming the missing browser (kind
// no_browser), not a failed activity; a plain target is crawled as ever,
// its flagged pages recording why they have no screenshot.
func TestRenderedTargetWithoutChromium(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	browsers := &Browsers{Config: render.Config{Chromium: "/nonexistent/chromium"}}
	defer browsers.Close()
	cc := &CollyCrawler{
		Base:       crawler.Config{AllowPrivate: true, Delay: -1, MaxDepth: -1},
		Classifier: keywordClassifier{},
		Browsers:   browsers,
	}
	var pages []CrawledPage
	onPage := func(_ context.Context, p CrawledPage) error { pages = append(pages, p); return nil }

	stats, err := cc.Crawl(context.Background(), adscan.ScanTarget{URL: site.URL + "/", Render: adscan.RenderBrowser}, nil, onPage, func([]byte) {})
	if err != nil {
		t.Fatalf("rendered target without a browser: %v; want a failed page, not an error", err)
	}
	if len(pages) != 1 || pages[0].ErrKind != adscan.FetchNoBrowser || !strings.Contains(pages[0].Err, "/nonexistent/chromium") ||
		stats.Errors != 1 {
		t.Fatalf("pages %+v, stats %+v; want one no_browser page naming the browser", pages, stats)
	}
	if n := len(site.RequestedPaths()); n != 0 {
		t.Errorf("the site was fetched %d times for a target that cannot be rendered", n)
	}

	pages = nil
	if _, err := cc.Crawl(context.Background(), adscan.ScanTarget{URL: site.URL + fakesite.PathFlagged}, nil, onPage, func([]byte) {}); err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].Err != "" || !pages[0].Result.Flagged() {
		t.Fatalf("plain target: %+v", pages)
	}
	if c := pages[0].Capture; c.Screenshot != nil || !strings.Contains(c.ScreenshotError, "Chromium") {
		t.Errorf("flagged page without a browser: screenshot %v, reason %q", c.Screenshot != nil, c.ScreenshotError)
	}

	cc.NoPlainScreenshots = true
	pages = nil
	if _, err := cc.Crawl(context.Background(), adscan.ScanTarget{URL: site.URL + fakesite.PathFlagged}, nil, onPage, func([]byte) {}); err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || !strings.Contains(pages[0].Capture.ScreenshotError, "--plain-screenshots=false") || pages[0].Capture.ScreenshotErrorKind != adscan.ScreenshotOff {
		t.Errorf("plain screenshots off: %+v", pages)
	}
}

func TestBrowsersClosed(t *testing.T) {
	b := &Browsers{Config: render.Config{Chromium: "/nonexistent/chromium"}}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Pool(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Pool after Close: %v", err)
	}
}
