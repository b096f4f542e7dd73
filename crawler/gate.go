package crawler

import (
	"context"
	"strings"
	"sync"
	"time"
)

// HostGate spaces the requests to one host. Every request a crawl sends —
// pages, redirect hops, robots.txt, sitemaps — first takes a turn on its
// host: Turn reserves the next start slot for a crawl whose delay on that
// host is gap, and returns how long to wait for it. Slots are granted so
// that two consecutive request starts on a host are at least the larger of
// the two crawls' gaps apart, however many crawls (and, with a shared gate,
// processes) use the host.
//
// Implementations: LocalGate (one process) and the store's (a cluster; see
// store.Store.TakeHostTurn).
type HostGate interface {
	Turn(ctx context.Context, host string, gap time.Duration) (wait time.Duration, err error)
}

// hostTurn is when the latest slot on a host starts and when, by its own
// crawl's gap, the next may start.
type hostTurn struct {
	last, next time.Time
}

// grant is the slot rule both gates share: the next slot starts at the
// latest of now, the last grant's own end and the last start plus gap.
func (t hostTurn) grant(now time.Time, gap time.Duration) (slot time.Time, after hostTurn) {
	slot = now
	if t.next.After(slot) {
		slot = t.next
	}
	if !t.last.IsZero() && t.last.Add(gap).After(slot) {
		slot = t.last.Add(gap)
	}
	return slot, hostTurn{last: slot, next: slot.Add(gap)}
}

// LocalGate is a HostGate for the crawls of one process. Its zero value is
// ready to use; it is safe for concurrent use.
type LocalGate struct {
	mu    sync.Mutex
	hosts map[string]hostTurn
	now   func() time.Time // tests
}

// Turn implements HostGate. It never fails.
func (g *LocalGate) Turn(_ context.Context, host string, gap time.Duration) (time.Duration, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hosts == nil {
		g.hosts = map[string]hostTurn{}
	}
	now := time.Now()
	if g.now != nil {
		now = g.now()
	}
	// Forget hosts idle for long, so a long-lived process does not grow.
	if len(g.hosts) > 4096 {
		for h, t := range g.hosts {
			if now.Sub(t.next) > time.Minute {
				delete(g.hosts, h)
			}
		}
	}
	key := strings.ToLower(host)
	slot, after := g.hosts[key].grant(now, gap)
	g.hosts[key] = after
	return slot.Sub(now), nil
}

var _ HostGate = (*LocalGate)(nil)

// takeTurn waits for the host's turn before a request: through the
// configured gate, or — when it fails, say the database behind a cluster
// gate is restarting — through the session's own, so the crawl stays polite
// on its own while the cluster-wide spacing is lost. The time waited is
// counted in the session's politeness total.
func (s *session) takeTurn(ctx context.Context, host string, gap time.Duration) error {
	if gap <= 0 {
		return nil
	}
	wait, err := s.gate.Turn(ctx, host, gap)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.gateFailures.Add(1)
		if s.gateFailures.Load() == 1 {
			s.cfg.Logger.Warn("crawler: the shared host gate failed; spacing requests within this crawl only", "host", host, "err", err)
		}
		wait, _ = s.local.Turn(ctx, host, gap)
	}
	if wait <= 0 {
		return nil
	}
	s.waited.Add(int64(wait))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// HostGateFunc is a function that takes turns, as a HostGate; the store's
// TakeHostTurn is one, shared by every worker of a cluster.
type HostGateFunc func(ctx context.Context, host string, gap time.Duration) (time.Duration, error)

// Turn implements HostGate.
func (f HostGateFunc) Turn(ctx context.Context, host string, gap time.Duration) (time.Duration, error) {
	return f(ctx, host, gap)
}
