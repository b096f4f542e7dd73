package crawler

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HostGate keeps one host's requests apart. Every request a crawl sends —
// pages, redirect hops, robots.txt, sitemaps — first claims its host with
// TakeHostTurn. A claim succeeds (wait 0) when no other claimed request on
// the host is in flight (released, or its hold ran out) and the last one
// was answered at least the larger of its crawl's gap and this one's ago;
// the request is then sent, and released with ReleaseHostTurn once its
// answer arrived (or it failed). Otherwise nothing is claimed and wait says
// when to ask again. So a host sees one request at a time, each starting
// at least the gap after the previous one was answered, however many crawls
// (and, with a shared gate, processes) use it — causally, whatever the
// delays between a claim and its request.
//
// Implementations: LocalGate (one process) and store.Store (a cluster).
type HostGate interface {
	TakeHostTurn(ctx context.Context, host string, gap, hold time.Duration) (token int64, wait time.Duration, err error)
	ReleaseHostTurn(ctx context.Context, host string, token int64, gap time.Duration) error
}

// hostTurn is a host's state in a LocalGate: when its last request was
// answered, when by that crawl's gap the next may start, and the claim in
// flight (token, until when it holds).
type hostTurn struct {
	last, next time.Time
	token      int64
	busyUntil  time.Time
}

// LocalGate is a HostGate for the crawls of one process. Its zero value is
// ready to use; it is safe for concurrent use.
type LocalGate struct {
	mu     sync.Mutex
	hosts  map[string]hostTurn
	tokens int64
}

// TakeHostTurn implements HostGate. It never fails.
func (g *LocalGate) TakeHostTurn(_ context.Context, host string, gap, hold time.Duration) (int64, time.Duration, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hosts == nil {
		g.hosts = map[string]hostTurn{}
	}
	now := time.Now()
	// Forget hosts idle for long, so a long-lived process does not grow.
	if len(g.hosts) > 4096 {
		for h, t := range g.hosts {
			if now.Sub(t.next) > time.Minute && now.After(t.busyUntil) {
				delete(g.hosts, h)
			}
		}
	}
	key := strings.ToLower(host)
	t := g.hosts[key]
	due := t.next
	if !t.last.IsZero() && t.last.Add(gap).After(due) {
		due = t.last.Add(gap)
	}
	if t.busyUntil.After(now) {
		return 0, max(due.Sub(now), min(t.busyUntil.Sub(now), max(gap/4, 10*time.Millisecond))), nil
	}
	if due.After(now) {
		return 0, due.Sub(now), nil
	}
	g.tokens++
	t.token, t.busyUntil = g.tokens, now.Add(hold)
	g.hosts[key] = t
	return t.token, 0, nil
}

// ReleaseHostTurn implements HostGate. It never fails.
func (g *LocalGate) ReleaseHostTurn(_ context.Context, host string, token int64, gap time.Duration) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := strings.ToLower(host)
	t, ok := g.hosts[key]
	if !ok || t.token != token {
		return nil // its hold ran out and another claim took over
	}
	now := time.Now()
	g.hosts[key] = hostTurn{last: now, next: now.Add(gap)}
	return nil
}

// turnSlack is added to a crawl's gap when it claims a host: a claimed
// request reaches its host a little after the claim, by a delay that
// varies (the gate's answer, a busy process), and the host must not see two
// requests closer than the gap. A tenth of the gap, at most 50 ms.
func turnSlack(gap time.Duration) time.Duration {
	return min(gap/10, 50*time.Millisecond)
}

// takeTurn waits until the request may claim its host (see HostGate) and
// returns the release to call once its answer arrived: through the
// configured gate, or — when it fails, say the database behind a cluster
// gate is restarting — through the session's own, so the crawl stays polite
// on its own while the cluster-wide turns are lost. The time waited is
// counted in the session's politeness total. A request of a crawl without a
// delay takes no turn, except robots.txt (so it waits for other crawls).
func (s *session) takeTurn(ctx context.Context, req *http.Request, gap time.Duration) (release func(), err error) {
	return s.takeTurnHeld(ctx, req, gap, s.cfg.Timeout+5*time.Second)
}

// takeTurnHeld is takeTurn for a request that may hold its host's turn
// for up to hold (a page rendered in a browser: its page timeout).
func (s *session) takeTurnHeld(ctx context.Context, req *http.Request, gap, hold time.Duration) (release func(), err error) {
	if h, _ := ctx.Value(heldTurnKey{}).(*heldTurn); h != nil && h.on.Load() && strings.EqualFold(h.host, req.URL.Host) {
		return func() {}, nil // part of the rendered page's turn, held until it has loaded
	}
	if gap <= 0 {
		if req.URL.Path != "/robots.txt" {
			return func() {}, nil
		}
		gap = minTurnGap
	}
	host := req.URL.Host
	gap += turnSlack(gap)
	for {
		var gate HostGate = s.gate
		token, wait, err := gate.TakeHostTurn(ctx, host, gap, hold)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if s.gateFailures.Add(1) == 1 {
				s.cfg.Logger.Warn("crawler: the shared host gate failed; spacing requests within this crawl only", "host", host, "err", err)
			}
			gate = s.local
			token, wait, _ = gate.TakeHostTurn(ctx, host, gap, hold)
		}
		if wait <= 0 {
			return func() {
				// Not the request's context: a release is due even when the
				// request was canceled.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := gate.ReleaseHostTurn(rctx, host, token, gap); err != nil {
					s.cfg.Logger.Warn("crawler: host turn not released; it lapses on its own", "host", host, "err", err)
				}
			}, nil
		}
		s.waited.Add(int64(wait))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// heldTurnKey is the context key of the heldTurn of a rendered page whose
// navigation check may fetch robots.txt.
type heldTurnKey struct{}

// heldTurn is a host's turn a rendered page holds while it loads. A
// request to that host on the page's behalf meanwhile (robots.txt of the
// other scheme, asked by the navigation check) is part of that turn:
// waiting for the turn would wait for the page that waits for it.
type heldTurn struct {
	host string
	on   atomic.Bool
}

// minTurnGap is the gap a request claims its host with when its crawl
// has no delay there yet — robots.txt, asked before the host's Crawl-delay
// is known — so that it still waits for other crawls' turns.
const minTurnGap = time.Millisecond

var _ HostGate = (*LocalGate)(nil)
