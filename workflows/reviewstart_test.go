package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestReviewStarterOncePerCaseBounded(t *testing.T) {
	var mu sync.Mutex
	started := map[string]int{}
	var running, peak atomic.Int32
	s := newReviewStarter(context.Background(), func(_ context.Context, id string) (bool, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		mu.Lock()
		started[id]++
		mu.Unlock()
		return true, nil
	})
	for i := range 100 {
		s.add(fmt.Sprintf("case-%d", i%30))
	}
	if err := s.wait(); err != nil {
		t.Fatal(err)
	}
	if len(started) != 30 {
		t.Errorf("started %d cases, want 30", len(started))
	}
	for id, n := range started {
		if n != 1 {
			t.Errorf("%s started %d times", id, n)
		}
	}
	if p := peak.Load(); p > reviewWorkers || p < 2 {
		t.Errorf("peak concurrent starts = %d, want 2..%d", p, reviewWorkers)
	}
}

func TestReviewStarterReportsError(t *testing.T) {
	boom := errors.New("temporal down")
	s := newReviewStarter(context.Background(), func(_ context.Context, id string) (bool, error) {
		if id == "bad" {
			return false, boom
		}
		return true, nil
	})
	s.add("good")
	s.add("bad")
	if err := s.wait(); !errors.Is(err, boom) {
		t.Fatalf("wait() = %v, want the start's error", err)
	}
}
