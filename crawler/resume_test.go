package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan/crawler/fakesite"
)

// TestResume interrupts a crawl, resumes it from its last checkpoint (after
// a JSON round trip, as an orchestrator stores it) and checks that together
// the two runs handed every page exactly once and fetched none twice.
func TestResume(t *testing.T) {
	const n = 60
	site := fakesite.NewGenerated(n)
	defer site.Close()
	cfg := testConfig(site.URL + "/p/0.html")
	cfg.MaxPages, cfg.MaxDepth = 1000, 100

	handed := map[string]int{}
	var mu sync.Mutex
	var last []byte
	ctx, cancel := context.WithCancel(context.Background())
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	onPage := func(p Page) error {
		mu.Lock()
		defer mu.Unlock()
		handed[p.Capture.RequestedURL]++
		if len(handed) == 17 {
			cancel() // the worker "dies" with fetches in flight
		}
		return nil
	}
	onCheckpoint := func(cp Checkpoint) {
		b, err := json.Marshal(cp)
		if err != nil {
			t.Fatal(err)
		}
		last = b
	}
	sum1, err := c.Run(ctx, nil, onPage, onCheckpoint)
	if !errors.Is(err, context.Canceled) || sum1.Stopped != "canceled" {
		t.Fatalf("first run: %v, %+v", err, sum1)
	}
	var cp Checkpoint
	if err := json.Unmarshal(last, &cp); err != nil {
		t.Fatal(err)
	}
	if cp.Pages != len(handed) || len(cp.Frontier) == 0 {
		t.Fatalf("checkpoint has %d pages (handed %d), frontier %d", cp.Pages, len(handed), len(cp.Frontier))
	}

	c2, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	sum2, err := c2.Run(context.Background(), &cp, onPage, onCheckpoint)
	if err != nil || sum2.Stopped != "done" {
		t.Fatalf("resumed run: %v, %+v", err, sum2)
	}
	if len(handed) != n || sum2.Pages != n {
		t.Errorf("%d pages handed over both runs (summary %d), want %d", len(handed), sum2.Pages, n)
	}
	for i := range n {
		u := fmt.Sprintf("%s/p/%d.html", site.URL, i)
		if handed[u] != 1 {
			t.Errorf("%s handed %d times", u, handed[u])
		}
		// A fetch canceled mid-flight in the first run may have reached the
		// server; a page handed to onPage must never be fetched again.
		if got := site.Requested(fmt.Sprintf("/p/%d.html", i)); got > 2 {
			t.Errorf("%s requested %d times", u, got)
		}
	}
}

// TestResumeNeverRefetchesHandedPages checks the checkpoint contract at every
// step: each checkpoint lists, as finished, every page handed so far.
func TestResumeNeverRefetchesHandedPages(t *testing.T) {
	site := fakesite.NewGenerated(30)
	defer site.Close()
	cfg := testConfig(site.URL + "/p/0.html")
	cfg.MaxPages, cfg.MaxDepth = 1000, 100
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	var handed []string
	_, err = c.Run(context.Background(), nil, func(p Page) error {
		handed = append(handed, p.Capture.RequestedURL)
		return nil
	}, func(cp Checkpoint) {
		pending := map[string]bool{}
		for _, it := range cp.Frontier {
			pending[dedupeKey(it.URL)] = true
		}
		seen := map[string]bool{}
		for _, k := range cp.Seen {
			seen[k] = true
		}
		for _, u := range handed {
			if pending[dedupeKey(u)] || !seen[dedupeKey(u)] {
				t.Fatalf("checkpoint after %d pages would refetch %s", len(handed), u)
			}
		}
		for k := range pending {
			if !seen[k] {
				t.Fatalf("pending %s not in Seen", k)
			}
		}
		if cp.Pages != len(handed) {
			t.Fatalf("checkpoint counts %d pages, %d handed", cp.Pages, len(handed))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPageHandlerErrorKeepsPage: a page onPage refuses stays pending.
func TestPageHandlerErrorKeepsPage(t *testing.T) {
	site := fakesite.NewGenerated(10)
	defer site.Close()
	cfg := testConfig(site.URL + "/p/0.html")
	cfg.Parallelism = 1
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	var cp Checkpoint
	boom := errors.New("store down")
	_, err = c.Run(context.Background(), nil, func(p Page) error { return boom }, func(c Checkpoint) { cp = c })
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the handler's error", err)
	}
	if cp.Pages != 0 || len(cp.Frontier) != 1 || cp.Frontier[0].URL != site.URL+"/p/0.html" {
		t.Errorf("checkpoint after refusal: %+v", cp)
	}
}

func TestLimits(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	seed := site.URL + fakesite.PathCalendar + "?month=2026-01"

	t.Run("max pages", func(t *testing.T) {
		cfg := testConfig(seed)
		cfg.MaxPages, cfg.MaxDepth = 7, 1000
		pages, sum := crawl(t, cfg)
		if len(pages) != 7 || sum.Pages != 7 || sum.Stopped != "max pages" {
			t.Errorf("%d pages, summary %+v", len(pages), sum)
		}
	})
	t.Run("max depth", func(t *testing.T) {
		cfg := testConfig(seed)
		cfg.MaxPages, cfg.MaxDepth = 1000, 2
		pages, sum := crawl(t, cfg)
		// depth 0: the seed; 1: two neighbours; 2: two more outward
		// (the sitemap adds other pages at depth 1)
		months := 0
		for u := range pages {
			if strings.Contains(u, fakesite.PathCalendar) {
				months++
			}
		}
		if months != 5 || sum.Stopped != "done" {
			t.Errorf("%d calendar pages, summary %+v", months, sum)
		}
	})
	t.Run("budget", func(t *testing.T) {
		cfg := testConfig(seed)
		cfg.MaxPages, cfg.MaxDepth, cfg.Delay, cfg.Budget = 1000, 1000, 50*time.Millisecond, 400*time.Millisecond
		start := time.Now()
		pages, sum := crawl(t, cfg)
		if sum.Stopped != "budget" || len(pages) > 12 || time.Since(start) > 2*time.Second {
			t.Errorf("%d pages in %v, summary %+v", len(pages), time.Since(start), sum)
		}
	})
}

// TestCrawlDelay: robots.txt asks for 2 s between requests; the cap (300 ms)
// applies, and requests are spaced by it.
func TestCrawlDelay(t *testing.T) {
	delayed := fakesite.New(fakesite.Options{CrawlDelay: 2})
	defer delayed.Close()
	cfg := testConfig(delayed.URL + fakesite.PathCalendar)
	cfg.MaxPages, cfg.MaxDepth, cfg.MaxCrawlDelay = 4, 1000, 300*time.Millisecond
	start := time.Now()
	pages, _ := crawl(t, cfg)
	el := time.Since(start)
	if len(pages) != 4 || el < 3*300*time.Millisecond || el > 3*time.Second {
		t.Errorf("%d pages in %v; want 4 pages spaced 300ms apart", len(pages), el)
	}
}
