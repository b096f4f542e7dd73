package store

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"adscan"
)

// TestHostTurnsAcrossStores: workers on two connections to one database
// take turns on one host at once; the slots they are granted start at least
// the gap apart, and another host is not held up.
func TestHostTurnsAcrossStores(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dsn := b.newDSN(t)
		stores := []*Store{openStore(t, dsn, WithNow(time.Now)), openStore(t, dsn, WithNow(time.Now))}
		const gap = 30 * time.Millisecond
		var mu sync.Mutex
		var slots []time.Time
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				wait, err := stores[i%2].TakeHostTurn(ctx, "Example.org:8080", gap)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				slots = append(slots, time.Now().Add(wait))
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.SortFunc(slots, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(slots); i++ {
			// A grant is timed after its statement returns; allow for the
			// spread of that among goroutines.
			if g := slots[i].Sub(slots[i-1]); g < gap-10*time.Millisecond {
				t.Errorf("slots %d and %d are %v apart, want ≥ %v", i-1, i, g, gap)
			}
		}
		if w, err := stores[0].TakeHostTurn(ctx, "other.example", gap); err != nil || w > 5*time.Millisecond {
			t.Errorf("a turn on another host waits %v (%v), want none", w, err)
		}
		// The larger gap of the two consecutive grants holds.
		if _, err := stores[0].TakeHostTurn(ctx, "slow.example", time.Second); err != nil {
			t.Fatal(err)
		}
		if w, err := stores[1].TakeHostTurn(ctx, "slow.example", 10*time.Millisecond); err != nil || w < 900*time.Millisecond {
			t.Errorf("after a 1 s grant, a 10 ms crawl waits %v (%v), want about 1 s", w, err)
		}
		for _, bad := range []struct {
			host string
			gap  time.Duration
		}{{"", gap}, {"example.org", 0}} {
			if _, err := stores[0].TakeHostTurn(ctx, bad.host, bad.gap); adscan.ErrorCode(err) != adscan.EINVALID {
				t.Errorf("TakeHostTurn(%q, %v) = %v, want EINVALID", bad.host, bad.gap, err)
			}
		}
	})
}
