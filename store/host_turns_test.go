package store

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"adscan"
	"adscan/crawler"
)

// TestHostTurnsAcrossStores: workers on two connections to one database
// claim one host at once, each asking again after the wait it is told and
// releasing its claim after a 5 ms "request"; claims never overlap, each
// starts at least the gap after the previous release, and another host is
// not held up.
func TestHostTurnsAcrossStores(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dsn := b.newDSN(t)
		stores := []*Store{openStore(t, dsn, WithNow(time.Now)), openStore(t, dsn, WithNow(time.Now))}
		const gap, hold = 30 * time.Millisecond, 10 * time.Second
		type span struct{ start, end time.Time }
		var mu sync.Mutex
		var spans []span
		var wg sync.WaitGroup
		for i := range 8 {
			st := stores[i%2]
			wg.Go(func() {
				for {
					token, wait, err := st.TakeHostTurn(ctx, "Example.org:8080", gap, hold)
					if err != nil {
						t.Error(err)
						return
					}
					if wait == 0 {
						start := time.Now()
						time.Sleep(5 * time.Millisecond)
						end := time.Now()
						if err := st.ReleaseHostTurn(ctx, "example.org:8080", token, gap); err != nil {
							t.Error(err)
						}
						mu.Lock()
						spans = append(spans, span{start, end})
						mu.Unlock()
						return
					}
					time.Sleep(wait)
				}
			})
		}
		wg.Wait()
		slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
		for i := 1; i < len(spans); i++ {
			if g := spans[i].start.Sub(spans[i-1].end); g < gap {
				t.Errorf("claim %d started %v after claim %d ended, want ≥ %v", i, g, i-1, gap)
			}
		}
		if len(spans) != 8 {
			t.Errorf("%d claims, want 8", len(spans))
		}
		if _, w, err := stores[0].TakeHostTurn(ctx, "other.example", gap, hold); err != nil || w != 0 {
			t.Errorf("a turn on another host waits %v (%v), want none", w, err)
		}
		// The larger gap of the two crawls holds.
		tok, w, err := stores[0].TakeHostTurn(ctx, "slow.example", time.Second, hold)
		if err != nil || w != 0 {
			t.Fatalf("first claim: wait %v, %v", w, err)
		}
		if _, w, err := stores[1].TakeHostTurn(ctx, "slow.example", 10*time.Millisecond, hold); err != nil || w == 0 {
			t.Errorf("a claim while another is in flight: wait %v (%v), want some", w, err)
		}
		if err := stores[0].ReleaseHostTurn(ctx, "slow.example", tok, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, w, err := stores[1].TakeHostTurn(ctx, "slow.example", 10*time.Millisecond, hold); err != nil || w < 900*time.Millisecond {
			t.Errorf("after a 1 s crawl's request, a 10 ms crawl waits %v (%v), want about 1 s", w, err)
		}
		// A claim whose holder died lapses after its hold.
		if _, w, err := stores[0].TakeHostTurn(ctx, "dead.example", time.Millisecond, 50*time.Millisecond); err != nil || w != 0 {
			t.Fatalf("claim: %v %v", w, err)
		}
		time.Sleep(60 * time.Millisecond)
		if _, w, err := stores[1].TakeHostTurn(ctx, "dead.example", time.Millisecond, hold); err != nil || w != 0 {
			t.Errorf("after the hold ran out, a claim waits %v (%v), want none", w, err)
		}
		for _, bad := range []struct {
			host      string
			gap, hold time.Duration
		}{{"", gap, hold}, {"example.org", 0, hold}, {"example.org", gap, 0}} {
			if _, _, err := stores[0].TakeHostTurn(ctx, bad.host, bad.gap, bad.hold); adscan.ErrorCode(err) != adscan.EINVALID {
				t.Errorf("TakeHostTurn(%q, %v, %v) = %v, want EINVALID", bad.host, bad.gap, bad.hold, err)
			}
		}
	})
}

// TestCrawlsOnTwoStoresTakeTurns: two crawls of one host, each taking turns
// through its own connection to the database — as two workers do — keep
// the host's robots.txt Crawl-delay between any two of its requests.
func TestCrawlsOnTwoStoresTakeTurns(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		dsn := b.newDSN(t)
		stores := []*Store{openStore(t, dsn, WithNow(time.Now)), openStore(t, dsn, WithNow(time.Now))}
		var mu sync.Mutex
		var times []time.Time
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			if r.URL.Path == "/robots.txt" {
				fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.1\n")
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<p>页面</p><a href="/a">a</a><a href="/b">b</a><a href="/c">c</a><a href="/d">d</a>`)
		}))
		defer srv.Close()
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				c, err := crawler.New(crawler.Config{Seeds: []string{srv.URL + "/"}, AllowPrivate: true, Delay: -1,
					Gate: stores[i], MaxPages: 5, Logger: slog.New(slog.DiscardHandler)}, noFlags{})
				if err != nil {
					t.Error(err)
					return
				}
				if sum, err := c.Run(context.Background(), nil, nil, nil); err != nil || sum.Pages != 5 {
					t.Errorf("crawl %d: %+v, %v", i, sum, err)
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		// Before the Crawl-delay is known the two robots.txt requests only
		// wait for each other's answer; every later pair keeps it.
		for i := 2; i < len(times); i++ {
			if g := times[i].Sub(times[i-1]); g < 100*time.Millisecond {
				t.Errorf("requests %d and %d of %d reached the host %v apart, want ≥ 100ms", i-1, i, len(times), g)
			}
		}
	})
}

// noFlags is a classifier that flags nothing.
type noFlags struct{}

func (noFlags) Classify(adscan.Document) adscan.Result { return adscan.Result{} }
