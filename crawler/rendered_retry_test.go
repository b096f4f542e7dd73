package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
)

// scriptedSite answers each page path with the next of its scripted
// answers (the last one repeated) and logs the pages it is asked for, in
// order (not robots.txt, the sitemap or the favicon, which are not found).
type scriptedSite struct {
	*httptest.Server
	log     accessLog
	mu      sync.Mutex
	answers map[string][]http.HandlerFunc
	asked   map[string]int
}

func newScriptedSite(t *testing.T) *scriptedSite {
	s := &scriptedSite{answers: map[string][]http.HandlerFunc{}, asked: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" || r.URL.Path == "/favicon.ico" {
			http.NotFound(w, r)
			return
		}
		s.log.add(r.URL.Path)
		s.mu.Lock()
		as := s.answers[r.URL.Path]
		n := s.asked[r.URL.Path]
		s.asked[r.URL.Path]++
		s.mu.Unlock()
		if len(as) == 0 {
			http.NotFound(w, r)
			return
		}
		as[min(n, len(as)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// script sets the answers of path.
func (s *scriptedSite) script(path string, answers ...http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[path] = answers
}

// requests returns the paths asked for so far, in order, and when.
func (s *scriptedSite) requests() ([]string, []time.Time) {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return slices.Clone(s.log.paths), slices.Clone(s.log.times)
}

// count returns how often path was asked for.
func (s *scriptedSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[path]
}

// htmlAnswer answers 200 with an HTML body.
func htmlAnswer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><body>%s</body></html>", body)
	}
}

// statusAnswer answers status with an empty body (which the browser
// replaces by an error page of its own) and the header fields kv.
func statusAnswer(status int, kv ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Set(kv[i], kv[i+1])
		}
		w.WriteHeader(status)
	}
}

// statusPageAnswer answers status with an HTML body, which the browser shows.
func statusPageAnswer(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, "<!doctype html><html><body><p>服务器繁忙，请稍后再试</p></body></html>")
	}
}

// silentAnswer sends nothing until the client gives up.
func silentAnswer(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// renderedRun crawls in the browser and returns the pages by requested
// URL and the order they were handed over in (paths).
func renderedRun(t *testing.T, ctx context.Context, cfg Config, resume *Checkpoint, onCheckpoint func(Checkpoint)) (map[string]Page, []string, Summary, error) {
	t.Helper()
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]Page{}
	var order []string
	sum, err := c.Run(ctx, resume, func(p Page) error {
		u := p.Capture.RequestedURL
		if _, dup := pages[u]; dup {
			t.Errorf("page %s handed twice", u)
		}
		pages[u] = p
		order = append(order, u[strings.Index(u[len("http://"):], "/")+len("http://"):])
		return nil
	}, onCheckpoint)
	return pages, order, sum, err
}

// TestRenderedCrawlRetries: a rendered page whose main document answers
// 5xx or 429, or nothing in time, is queued again behind the rest with the
// plain crawl's backoff, Retry-After and attempt limit, and fails only
// after the last attempt; a 404 is not retried; a page waiting to be
// retried keeps its attempts across a checkpoint.
func TestRenderedCrawlRetries(t *testing.T) {
	path := chromiumPath(t, "rendered crawling")
	site := newScriptedSite(t)
	pool := testPool(t, path, strings.TrimPrefix(site.URL, "http://"))
	config := func(seeds ...string) Config { return retryingRenderedConfig(pool, seeds...) }

	t.Run("503 twice then 200", func(t *testing.T) {
		site.script("/order/", htmlAnswer(`<a href="/order/flaky">f</a><a href="/order/a">a</a><a href="/order/b">b</a><a href="/order/c">c</a>`))
		// Once without a body (the browser shows its own error page), once
		// with one (the browser shows it), then the page.
		site.script("/order/flaky", statusAnswer(http.StatusServiceUnavailable), statusPageAnswer(http.StatusServiceUnavailable), htmlAnswer("<p>名校录取</p>"))
		for _, p := range []string{"/order/a", "/order/b", "/order/c"} {
			site.script(p, htmlAnswer("<p>课程</p>"))
		}
		pages, order, sum, err := renderedRun(t, context.Background(), config(site.URL+"/order/"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[site.URL+"/order/flaky"]
		if p.Err != nil || p.Capture.Status != http.StatusOK || !p.Result.Flagged() {
			t.Fatalf("the flaky page: err %v, status %d, flags %v; want it captured on a later attempt", p.Err, p.Capture.Status, p.Result.Flags)
		}
		if sum.Retried != 2 || sum.Errors != 0 || sum.Pages != 5 {
			t.Errorf("summary %+v; want 2 retries, no error, 5 pages", sum)
		}
		if want := []string{"/order/", "/order/a", "/order/b", "/order/c", "/order/flaky"}; !slices.Equal(order, want) {
			t.Errorf("pages handed over in order %v, want %v", order, want)
		}
		asked, _ := site.requests()
		want := []string{"/order/", "/order/flaky", "/order/a", "/order/b", "/order/c", "/order/flaky", "/order/flaky"}
		if !slices.Equal(asked, want) {
			t.Errorf("the site was asked for %v, want %v (the flaky page again after the others)", asked, want)
		}
	})

	t.Run("503 always", func(t *testing.T) {
		site.script("/down", statusAnswer(http.StatusServiceUnavailable), statusPageAnswer(http.StatusServiceUnavailable))
		cfg := config(site.URL + "/down")
		pages, _, sum, err := renderedRun(t, context.Background(), cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[site.URL+"/down"]
		if !errors.Is(p.Err, ErrServerError) || ErrorKind(p.Err) != adscan.FetchHTTPStatus ||
			!strings.Contains(p.Err.Error(), site.URL+"/down") || !strings.Contains(p.Err.Error(), "503") {
			t.Errorf("err %v (kind %s); want a server error naming the URL and 503", p.Err, ErrorKind(p.Err))
		}
		if p.Capture.Status != http.StatusServiceUnavailable {
			t.Errorf("capture status %d, want 503", p.Capture.Status)
		}
		if n := site.count("/down"); n != 1+cfg.Retries {
			t.Errorf("asked %d times, want %d", n, 1+cfg.Retries)
		}
		if sum.Retried != cfg.Retries || sum.Errors != 1 || sum.Pages != 1 {
			t.Errorf("summary %+v; want %d retries, 1 error, 1 page", sum, cfg.Retries)
		}
	})

	t.Run("429 Retry-After capped", func(t *testing.T) {
		site.script("/limited", statusAnswer(http.StatusTooManyRequests, "Retry-After", "3600"), htmlAnswer("<p>课程</p>"))
		cfg := config(site.URL + "/limited")
		cfg.MaxCrawlDelay = 1500 * time.Millisecond
		// An hour's wait, not capped, would outlast this context.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		before, _ := site.requests()
		start := len(before)
		pages, _, sum, err := renderedRun(t, ctx, cfg, nil, nil)
		if err != nil {
			t.Fatalf("crawl: %v (was Retry-After capped at MaxCrawlDelay?)", err)
		}
		if p := pages[site.URL+"/limited"]; p.Err != nil || p.Capture.Status != http.StatusOK || sum.Retried != 1 {
			t.Fatalf("err %v, status %d, retried %d; want it captured on the second attempt", p.Err, p.Capture.Status, sum.Retried)
		}
		asked, at := site.requests()
		asked, at = asked[start:], at[start:]
		if len(asked) != 2 {
			t.Fatalf("asked for %v, want /limited twice", asked)
		}
		// Retry-After (capped at 1.5 s), not the 50 ms backoff.
		if gap := at[1].Sub(at[0]); gap < cfg.MaxCrawlDelay {
			t.Errorf("second attempt %v after the first, want at least %v", gap, cfg.MaxCrawlDelay)
		}
	})

	t.Run("no answer", func(t *testing.T) {
		site.script("/silent", silentAnswer, htmlAnswer("<p>课程</p>"))
		pages, _, sum, err := renderedRun(t, context.Background(), config(site.URL+"/silent"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p := pages[site.URL+"/silent"]; p.Err != nil || p.Capture.Status != http.StatusOK || sum.Retried != 1 || site.count("/silent") != 2 {
			t.Errorf("err %v, status %d, retried %d, asked %d times; want it captured on the second attempt",
				p.Err, p.Capture.Status, sum.Retried, site.count("/silent"))
		}
	})

	t.Run("404 not retried", func(t *testing.T) {
		site.script("/gone", statusAnswer(http.StatusNotFound))
		pages, _, sum, err := renderedRun(t, context.Background(), config(site.URL+"/gone"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[site.URL+"/gone"]
		if p.Err != nil || p.Capture.Status != http.StatusNotFound || sum.Retried != 0 || site.count("/gone") != 1 {
			t.Errorf("err %v, status %d, retried %d, asked %d times; want a 404 page at once, as a plain crawl records it",
				p.Err, p.Capture.Status, sum.Retried, site.count("/gone"))
		}
	})

	t.Run("checkpoint", func(t *testing.T) {
		site.script("/resume", statusAnswer(http.StatusBadGateway))
		cfg := config(site.URL + "/resume")
		cfg.Retries, cfg.RetryBackoff = 1, time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		var last Checkpoint
		done := make(chan error, 1)
		go func() {
			_, _, _, err := renderedRun(t, ctx, cfg, nil, func(cp Checkpoint) {
				last = cp
				if len(cp.Frontier) == 1 && cp.Frontier[0].Attempt == 1 {
					cancel() // the first attempt failed; the retry waits an hour
				}
			})
			done <- err
		}()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("first run: %v, want it canceled while the page waits", err)
		}
		cancel()
		b, err := json.Marshal(last)
		if err != nil {
			t.Fatal(err)
		}
		var cp Checkpoint
		if err := json.Unmarshal(b, &cp); err != nil {
			t.Fatal(err)
		}
		if len(cp.Frontier) != 1 || cp.Frontier[0].Attempt != 1 || time.Until(cp.Frontier[0].After) < 50*time.Minute {
			t.Fatalf("checkpoint frontier %+v; want the page with attempt 1, due in an hour", cp.Frontier)
		}
		// Resumed once the hour is up, the page has its last attempt.
		cp.Frontier[0].After = time.Now()
		pages, _, sum, err := renderedRun(t, context.Background(), cfg, &cp, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[site.URL+"/resume"]
		if !errors.Is(p.Err, ErrServerError) || !strings.Contains(p.Err.Error(), "after 2 attempts") || sum.Retried != 0 || site.count("/resume") != 2 {
			t.Errorf("resumed: err %v, retried %d, asked %d times; want the last of 2 attempts", p.Err, sum.Retried, site.count("/resume"))
		}
	})
}
