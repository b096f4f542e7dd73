package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// accessLog is a test site's record of when each request arrived.
type accessLog struct {
	mu    sync.Mutex
	times []time.Time
	paths []string
}

func (l *accessLog) add(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.times = append(l.times, time.Now())
	l.paths = append(l.paths, path)
}

// closestGap returns the shortest time between two consecutive requests.
func (l *accessLog) closestGap() (time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := slices.Clone(l.times)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	gap := time.Duration(1<<62 - 1)
	for i := 1; i < len(ts); i++ {
		gap = min(gap, ts[i].Sub(ts[i-1]))
	}
	return gap, len(ts)
}

// chainSite serves / linking to /p0 … /p{n-1}, every page logged; robots
// is the robots.txt body.
func chainSite(t *testing.T, n int, robots string, log *accessLog) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.Path)
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, robots)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><p>页面</p>")
		if r.URL.Path == "/" {
			for i := range n {
				fmt.Fprintf(w, `<a href="/p%d">%d</a>`, i, i)
			}
		}
		fmt.Fprint(w, "</body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSharedGateSpacesCrawls: two crawls of one host that share a gate
// (two scans, two schedules, two targets on one host) together keep the
// host's delay between any two requests, robots.txt included.
func TestSharedGateSpacesCrawls(t *testing.T) {
	var log accessLog
	srv := chainSite(t, 6, "User-agent: *\nAllow: /\n", &log)
	gate := &LocalGate{}
	const delay = 80 * time.Millisecond
	var wg sync.WaitGroup
	sums := make([]Summary, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := testConfig(srv.URL + "/")
			cfg.Delay, cfg.Gate, cfg.MaxPages = delay, gate, 7
			c, err := New(cfg, substringClassifier{})
			if err != nil {
				t.Error(err)
				return
			}
			sums[i], err = c.Run(context.Background(), nil, nil, nil)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	gap, n := log.closestGap()
	// Each crawl fetches robots.txt, /sitemap.xml and 7 pages.
	if n != 18 {
		t.Errorf("%d requests, want 18: %v", n, log.paths)
	}
	// Loopback delivery can shift an arrival by a little; 5 ms is slack
	// for that, far below the delay.
	if gap < delay-5*time.Millisecond {
		t.Errorf("two requests %v apart, want at least %v", gap, delay)
	}
	for i, s := range sums {
		if s.Pages != 7 || s.PolitenessWait <= 0 {
			t.Errorf("crawl %d: %d pages, waited %v for turns; want 7 pages and some wait", i, s.Pages, s.PolitenessWait)
		}
	}
}

// TestSharedGateRobotsCrawlDelay: the host's robots.txt Crawl-delay holds
// across crawls sharing a gate although each was configured for less.
func TestSharedGateRobotsCrawlDelay(t *testing.T) {
	var log accessLog
	srv := chainSite(t, 3, "User-agent: *\nCrawl-delay: 0.15\n", &log)
	gate := &LocalGate{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := testConfig(srv.URL + "/")
			cfg.Delay, cfg.Gate, cfg.MaxPages = 10*time.Millisecond, gate, 4
			c, err := New(cfg, substringClassifier{})
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := c.Run(context.Background(), nil, nil, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// The first robots.txt requests go out before anyone knows the
	// Crawl-delay: only later pairs are held to it.
	log.mu.Lock()
	ts := slices.Clone(log.times)
	log.mu.Unlock()
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	for i := 3; i < len(ts); i++ {
		if g := ts[i].Sub(ts[i-1]); g < 145*time.Millisecond {
			t.Errorf("requests %d and %d %v apart, want ≥ 150ms (Crawl-delay)", i-1, i, g)
		}
	}
}

// TestSlowPageRetriedLater: a page that times out goes back behind the rest
// of the queue; the crawl fetches the other pages meanwhile, and the page
// is handed over once, failed, after its last attempt.
func TestSlowPageRetriedLater(t *testing.T) {
	var log accessLog
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.Path)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, `<a href="/slow">slow</a><a href="/a">a</a><a href="/b">b</a><a href="/c">c</a>`)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		default:
			fmt.Fprint(w, "<p>页面</p>")
		}
	}))
	defer srv.Close()
	cfg := testConfig(srv.URL + "/")
	cfg.Parallelism, cfg.Timeout, cfg.Retries, cfg.RetryBackoff = 1, 150*time.Millisecond, 2, 100*time.Millisecond
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	sum, err := c.Run(context.Background(), nil, func(p Page) error {
		order = append(order, p.Capture.RequestedURL[len(srv.URL):])
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/a", "/b", "/c", "/slow"}
	if !slices.Equal(order, want) {
		t.Errorf("pages handed over in order %v, want %v (the slow page last)", order, want)
	}
	if sum.Retried != 2 || sum.Errors != 1 || sum.Pages != 5 {
		t.Errorf("summary %+v; want 2 retries, 1 error, 5 pages", sum)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	var slow []time.Time
	for i, p := range log.paths {
		if p == "/slow" {
			slow = append(slow, log.times[i])
		}
	}
	if len(slow) != 3 {
		t.Fatalf("slow page requested %d times, want 3", len(slow))
	}
	// Attempt k starts at least the timeout (150 ms) plus the doubling
	// backoff (100, 200 ms) after the one before was sent: 250 and 350 ms.
	// The server logs arrivals, which a loaded machine delays (an earlier
	// arrival logged 30 ms late shortens the gap), so the bounds sit
	// halfway between the doubling backoff and the wrong answers it rules
	// out: no backoff (150 ms) and a backoff that does not double (250 ms).
	if g := slow[1].Sub(slow[0]); g < 200*time.Millisecond {
		t.Errorf("second attempt %v after the first, want about 250ms (≥ 200ms)", g)
	}
	if g := slow[2].Sub(slow[1]); g < 300*time.Millisecond {
		t.Errorf("third attempt %v after the second, want about 350ms (≥ 300ms)", g)
	}
}

// TestRetryWaitsSurviveCheckpoint: a page waiting to be retried is in the
// checkpoint with its attempt count, so a resumed crawl does not start its
// attempts over.
func TestRetryWaitsSurviveCheckpoint(t *testing.T) {
	var log accessLog
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.Path)
		if r.URL.Path == "/" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	cfg := testConfig(srv.URL + "/")
	cfg.Retries, cfg.RetryBackoff = 2, time.Hour
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var last Checkpoint
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.Run(ctx, nil, nil, func(cp Checkpoint) { last = cp })
	}()
	time.Sleep(200 * time.Millisecond) // the first attempt failed; the retry waits an hour
	cancel()
	<-done
	if len(last.Frontier) != 1 || last.Frontier[0].Attempt != 1 || time.Until(last.Frontier[0].After) < 50*time.Minute {
		t.Fatalf("checkpoint frontier %+v; want the page with attempt 1, due in an hour", last.Frontier)
	}
}
