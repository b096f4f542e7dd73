package crawler

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/render"
)

// renderedBenchPages is the size of the site BenchmarkRenderedVsPlain
// crawls: every fifth page an advert, so a fifth of the pages are flagged
// and screenshotted.
const renderedBenchPages = 50

// BenchmarkRenderedVsPlain crawls a 50-page site on loopback, each
// iteration twice: plainly, and rendered in a pool of two browsers (the
// worker's default) with a screenshot of each flagged page; politeness
// delays off. It reports both rates, the time and size of a screenshot
// and the browsers' memory:
//
//	go test -run '^$' -bench RenderedVsPlain -benchtime 3x ./crawler/
func BenchmarkRenderedVsPlain(b *testing.B) {
	path := chromiumPath(b, "the rendered crawl benchmark")
	site := fakesite.NewGenerated(renderedBenchPages)
	defer site.Close()
	pool, err := render.NewPool(render.Config{Chromium: path, MaxBrowsers: 2, AllowPrivate: true,
		SettleTime: 200 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	cl := benchClassifier(b)
	cfg := testConfig(site.URL + "/p/0.html")
	cfg.MaxPages, cfg.MaxDepth, cfg.Parallelism = renderedBenchPages, 50, 2
	var plainTime, renderTime, shotTime time.Duration
	var shots, shotBytes int
	for b.Loop() {
		start := time.Now()
		if n := crawlCount(b, cfg, cl, nil); n != renderedBenchPages {
			b.Fatalf("plain crawl: %d pages", n)
		}
		plainTime += time.Since(start)

		rcfg := cfg
		rcfg.Render, rcfg.Browser = true, pool
		start = time.Now()
		n := crawlCount(b, rcfg, cl, func(p Page) {
			if sh := p.Capture.Screenshot; sh != nil {
				shots++
				shotBytes += len(sh.PNG)
				shotTime += sh.TakenAt.Sub(p.Capture.FetchedAt) // load, classify and shoot
			}
		})
		if n != renderedBenchPages {
			b.Fatalf("rendered crawl: %d pages", n)
		}
		renderTime += time.Since(start)
	}
	b.ReportMetric(float64(renderedBenchPages*b.N)/plainTime.Seconds(), "plain-pages/s")
	b.ReportMetric(float64(renderedBenchPages*b.N)/renderTime.Seconds(), "rendered-pages/s")
	if shots > 0 {
		b.ReportMetric(float64(shotBytes)/float64(shots)/1024, "KiB/screenshot")
		b.ReportMetric(shotTime.Seconds()*1000/float64(shots), "ms-open-to-shot")
	}
	st := pool.Stats()
	b.ReportMetric(float64(st.BrowsersStarted), "browsers-started")
}

// crawlCount runs a crawl to its end and returns its pages, handing each
// to each (if not nil).
func crawlCount(b *testing.B, cfg Config, cl adscan.Classifier, each func(Page)) int {
	c, err := New(cfg, cl)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	_, err = c.Run(context.Background(), nil, func(p Page) error {
		n++
		if p.Err != nil {
			b.Errorf("%s: %v", p.Capture.RequestedURL, p.Err)
		}
		if each != nil {
			each(p)
		}
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
