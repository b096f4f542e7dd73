package crawler

import (
	"context"
	"log/slog"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"

	"adscan"
	"adscan/classifier"
	"adscan/crawler/fakesite"
	"adscan/lexicon"
)

const (
	benchPages       = 2000
	benchParallelism = 8
)

// BenchmarkCrawlVsColly crawls a 2,000-page site on loopback, each
// iteration twice: with colly alone (fetch and follow links, nothing else)
// and with this crawler (fetch, evidence, text extraction, classification
// with the default lexicon, links), politeness delays off, the same
// parallelism. It reports both rates and their ratio:
//
//	go test -run '^$' -bench VsColly -benchtime 10x -count 3 ./crawler/
func BenchmarkCrawlVsColly(b *testing.B) { benchVsColly(b, benchClassifier(b)) }

// BenchmarkNoClassifyVsColly is BenchmarkCrawlVsColly with a classifier that
// does nothing: the crawler's own cost (evidence, text, links) against colly's.
func BenchmarkNoClassifyVsColly(b *testing.B) { benchVsColly(b, noClassifier{}) }

type noClassifier struct{}

func (noClassifier) Classify(adscan.Document) adscan.Result { return adscan.Result{} }

func benchVsColly(b *testing.B, cl adscan.Classifier) {
	site := fakesite.NewGenerated(benchPages)
	defer site.Close()
	seed := site.URL + "/p/0.html"
	var collyTime, ourTime time.Duration
	for b.Loop() {
		start := time.Now()
		// colly's visited check is not atomic: an async crawl sometimes
		// fetches a page twice.
		if n := collyOnly(b, seed); n < benchPages {
			b.Fatalf("colly fetched %d pages, want %d", n, benchPages)
		}
		collyTime += time.Since(start)

		start = time.Now()
		if n := ourCrawl(b, seed, cl); n != benchPages {
			b.Fatalf("crawler fetched %d pages, want %d", n, benchPages)
		}
		ourTime += time.Since(start)
	}
	n := float64(b.N * benchPages)
	ours, theirs := n/ourTime.Seconds(), n/collyTime.Seconds()
	b.ReportMetric(ours, "crawler-pages/s")
	b.ReportMetric(theirs, "colly-pages/s")
	b.ReportMetric(ours/theirs, "ratio")
}

// BenchmarkCrawl measures this crawler alone on the same site.
func BenchmarkCrawl(b *testing.B) {
	site := fakesite.NewGenerated(benchPages)
	defer site.Close()
	cl := benchClassifier(b)
	start := time.Now()
	for b.Loop() {
		if n := ourCrawl(b, site.URL+"/p/0.html", cl); n != benchPages {
			b.Fatalf("crawler fetched %d pages, want %d", n, benchPages)
		}
	}
	b.ReportMetric(float64(b.N*benchPages)/time.Since(start).Seconds(), "pages/s")
}

func benchClassifier(b *testing.B) adscan.Classifier {
	lex, err := lexicon.Default()
	if err != nil {
		b.Fatal(err)
	}
	cl, err := classifier.New(lex)
	if err != nil {
		b.Fatal(err)
	}
	return cl
}

func ourCrawl(b *testing.B, seed string, cl adscan.Classifier) int {
	c, err := New(Config{
		Seeds: []string{seed}, AllowPrivate: true, Delay: -1, Parallelism: benchParallelism,
		MaxPages: benchPages, MaxDepth: 100, Logger: slog.New(slog.DiscardHandler),
	}, cl)
	if err != nil {
		b.Fatal(err)
	}
	var pages atomic.Int64
	_, err = c.Run(context.Background(), nil, func(p Page) error {
		if p.Err == nil && p.Capture.Status == 200 {
			pages.Add(1)
		}
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return int(pages.Load())
}

// collyOnly crawls with a plain colly collector: fetch, parse, follow links.
func collyOnly(b *testing.B, seed string) int {
	u, _ := url.Parse(seed)
	c := colly.NewCollector(colly.Async(true), colly.AllowedDomains(u.Hostname()))
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: benchParallelism}); err != nil {
		b.Fatal(err)
	}
	var pages atomic.Int64
	c.OnResponse(func(*colly.Response) { pages.Add(1) })
	c.OnHTML("a[href]", func(e *colly.HTMLElement) { _ = e.Request.Visit(e.Attr("href")) })
	if err := c.Visit(seed); err != nil {
		b.Fatal(err)
	}
	c.Wait()
	return int(pages.Load())
}
