package render

import (
	"adscan/netguard"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// ErrPoolClosed is wrapped by the error of Open after Close.
var ErrPoolClosed = errors.New("the pool is closed")

// Pool renders pages in at most Config.MaxBrowsers headless Chromium
// processes, each rendering one page at a time, each replaced after
// MaxPagesPerBrowser pages, above MaxBrowserMemory, or when it crashed or
// stopped answering. Every request a browser makes goes through a proxy in
// this process that refuses private, loopback, link-local and
// cloud-metadata addresses (unless Config.AllowPrivate), after resolving
// names itself. A Pool is safe for use by several goroutines.
type Pool struct {
	cfg    Config
	exec   string
	dialer *net.Dialer
	// proxy is every browser's --proxy-server: it serves the browser's own
	// requests (component updates, network time, account checks), and
	// forwards none of them. Each page's browser context has a proxy of its
	// own that forwards through the guard, so its refusals are its own.
	proxy *proxy

	slots chan *slot
	done  chan struct{} // closed by Close

	mu    sync.Mutex
	open  map[*Page]bool
	stats Stats
}

// slot is one browser's place in the pool; the browser is started lazily.
type slot struct {
	b       *browser
	suspect bool // its last page failed: check the browser answers before reuse
}

// Stats counts what a Pool did.
type Stats struct {
	Pages           int // pages opened (Open calls that got a browser)
	Failed          int // of those, the ones that failed
	BrowsersStarted int
	// Why browsers were replaced: MaxPagesPerBrowser, MaxBrowserMemory, a
	// crash (the process died), a hang (it stopped answering and was killed).
	RecycledPages, RecycledMemory, Crashed, Hung int
}

// NewPool checks that a browser exists and returns a pool; browsers start
// when pages need them. It returns an error wrapping ErrNoChromium when
// there is no browser (see FindChromium). Close the pool when done.
func NewPool(cfg Config) (*Pool, error) {
	cfg = cfg.withDefaults()
	execPath, err := FindChromium(cfg.Chromium)
	if err != nil {
		return nil, err
	}
	exempt := map[string]bool{}
	for _, a := range cfg.ExemptAddrs {
		exempt[a] = true
	}
	p := &Pool{
		cfg:    cfg,
		exec:   execPath,
		dialer: netguard.Dialer(cfg.NavigationTimeout, cfg.AllowPrivate, exempt, ""),
		slots:  make(chan *slot, cfg.MaxBrowsers),
		done:   make(chan struct{}),
		open:   map[*Page]bool{},
	}
	if p.proxy, err = startProxy(nil, cfg.NavigationTimeout, cfg.Logger); err != nil {
		return nil, err
	}
	for range cfg.MaxBrowsers {
		p.slots <- &slot{}
	}
	return p, nil
}

// Config returns the pool's configuration with its defaults filled in: the
// bounds a caller's own limits must fit (PageTimeout, MaxHTMLBytes).
func (p *Pool) Config() Config { return p.cfg }

// Stats returns the counts so far.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// count updates the stats under the lock.
func (p *Pool) count(f func(*Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// Render renders rawURL and closes the tab: Open then Close, for a caller
// that needs no screenshot.
func (p *Pool) Render(ctx context.Context, rawURL string) (*Rendered, error) {
	pg, err := p.Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	r := pg.Rendered
	pg.Close()
	return &r, nil
}

// Open renders rawURL (http or https) in a fresh tab of one of the pool's
// browsers, waiting for a browser when all are busy, and returns the Page
// with its tab still open; the caller must Close it. Open takes at most
// Config.PageTimeout once it has a browser. A page that has not loaded in
// NavigationTimeout is read as it stands (Rendered.Incomplete says so).
//
// Errors: a URL that is not http(s) is an adscan.EINVALID error; a main
// document the proxy refused (the URL, or where it redirects) wraps
// adscan.ErrPrivateAddress; a main document that sent no response within
// NavigationTimeout wraps ErrNoAnswer; one the proxy could get no response
// for at all (a refused connection, a name that does not resolve) wraps
// ErrUnreachable and the network's error; one that answered an error status
// with an empty body is a *StatusError; ErrCrashed, ErrBrowserHung and
// ErrPageBusy say the page cost its tab or browser (the next page gets a
// fresh one); ErrPoolClosed after Close; otherwise the browser's own error
// (net::ERR_…) or the context's.
func (p *Pool) Open(ctx context.Context, rawURL string) (*Page, error) {
	return p.OpenWith(ctx, rawURL, OpenOptions{})
}

// OpenWith is Open with per-page options. With opts.CheckNavigation set,
// a main-frame navigation it refuses fails it with an error wrapping
// ErrNavigationRefused and the check's error.
func (p *Pool) OpenWith(ctx context.Context, rawURL string, opts OpenOptions) (*Page, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	s, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	p.count(func(st *Stats) { st.Pages++ })
	pg, err := p.openIn(ctx, s, u.String(), opts)
	if err != nil {
		p.count(func(st *Stats) { st.Failed++ })
		return nil, err
	}
	return pg, nil
}

// openIn renders u in browser s.b. On failure it closes what it opened
// and hands the slot back.
func (p *Pool) openIn(ctx context.Context, s *slot, u string, opts OpenOptions) (*Page, error) {
	start := time.Now()
	deadline := start.Add(p.cfg.PageTimeout)
	px, err := startProxy(p.dialer, p.cfg.NavigationTimeout, p.cfg.Logger)
	if err != nil {
		p.release(s, false)
		return nil, err
	}
	pg := newTab(p, s, px, opts)
	fail := func(err error) (*Page, error) {
		pg.closeTab()
		px.Close()
		p.release(s, true)
		return nil, err
	}
	if err := pg.startTab(ctx, minTime(start.Add(p.cfg.StartTimeout), deadline)); err != nil {
		return fail(fmt.Errorf("%w (for %s)", err, u))
	}
	r := Rendered{URL: u, Started: start.UTC()}
	incomplete, err := pg.load(ctx, u, start, deadline)
	if err != nil {
		return fail(err)
	}
	r.Incomplete = incomplete
	ev := pg.events.state()
	if ev.doc != nil {
		r.Status, r.Protocol, r.MIMEType, r.Header = ev.doc.status, ev.doc.protocol, ev.doc.mimeType, ev.doc.header
	}
	r.Redirects = ev.redirects
	// A script may have started an endless loop after the load event.
	if err := pg.unblock(ctx, deadline); err != nil {
		return fail(fmt.Errorf("render: read %s: %w", u, err))
	}
	if err := pg.extract(ctx, deadline, &r); err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil && pg.ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", ErrPageBusy, err) // the page's own work held the main thread past PageTimeout
		}
		return fail(err)
	}
	pg.served(ctx, deadline, ev.doc, &r)
	r.Refused, r.RefusedMore = px.Refused()
	r.Duration = time.Since(start)
	pg.Rendered = r

	p.mu.Lock()
	closed := isDone(p.done)
	if !closed {
		p.open[pg] = true
	}
	p.mu.Unlock()
	if closed {
		return fail(fmt.Errorf("render: %s: %w", u, ErrPoolClosed))
	}
	pg.mu.Lock()
	pg.hold = time.AfterFunc(p.cfg.HoldTimeout, func() { pg.Close() })
	pg.mu.Unlock()
	return pg, nil
}

// acquire waits for a slot and makes sure it has a healthy browser.
func (p *Pool) acquire(ctx context.Context) (*slot, error) {
	var s *slot
	select {
	case s = <-p.slots:
	case <-ctx.Done():
		return nil, fmt.Errorf("render: wait for a browser: %w", ctx.Err())
	case <-p.done:
		return nil, fmt.Errorf("render: %w", ErrPoolClosed)
	}
	if isDone(p.done) {
		p.slots <- s
		return nil, fmt.Errorf("render: %w", ErrPoolClosed)
	}
	if err := p.ready(s); err != nil {
		p.slots <- s
		return nil, err
	}
	return s, nil
}

// ready replaces s's browser when it crashed, stopped answering, rendered
// its share of pages or grew past the memory ceiling, starts one when
// there is none, and counts the page against it.
func (p *Pool) ready(s *slot) error {
	if b := s.b; b != nil {
		reason := ""
		switch {
		case !b.alive() && b.hung.Load():
			reason = "killed: not answering"
			p.count(func(st *Stats) { st.Hung++ })
		case !b.alive():
			reason = "crashed"
			p.count(func(st *Stats) { st.Crashed++ })
		case b.pages >= p.cfg.MaxPagesPerBrowser:
			reason = "page limit"
			p.count(func(st *Stats) { st.RecycledPages++ })
		case s.suspect && !b.ping():
			reason = "not answering"
			p.count(func(st *Stats) { st.Hung++ })
		default:
			if mem, err := b.memory(); err != nil {
				reason = "process gone"
				p.count(func(st *Stats) { st.Crashed++ })
			} else if mem > p.cfg.MaxBrowserMemory {
				reason = fmt.Sprintf("%d MiB of memory", mem>>20)
				p.count(func(st *Stats) { st.RecycledMemory++ })
			}
		}
		s.suspect = false
		if reason != "" {
			p.cfg.Logger.Info("render: replacing a browser", "pid", b.pid, "pages", b.pages, "reason", reason)
			b.stop()
			s.b = nil
		}
	}
	if s.b == nil {
		b, err := startBrowser(p.cfg, p.exec, p.proxy.URL())
		if err != nil {
			return err
		}
		s.b = b
		p.count(func(st *Stats) { st.BrowsersStarted++ })
	}
	s.b.pages++
	return nil
}

// release hands a slot back; suspect asks for a health check before its
// browser renders again. After Close the browser is stopped.
func (p *Pool) release(s *slot, suspect bool) {
	s.suspect = s.suspect || suspect
	if isDone(p.done) && s.b != nil {
		s.b.stop()
		s.b = nil
	}
	p.slots <- s
}

// Close closes every open Page, stops every browser and the proxies, and
// waits for them. Open fails with ErrPoolClosed afterwards. It is safe to
// call more than once.
func (p *Pool) Close() error {
	p.mu.Lock()
	if isDone(p.done) {
		p.mu.Unlock()
		return nil
	}
	close(p.done)
	pages := make([]*Page, 0, len(p.open))
	for pg := range p.open {
		pages = append(pages, pg)
	}
	p.mu.Unlock()
	for _, pg := range pages {
		pg.Close()
	}
	for range p.cfg.MaxBrowsers {
		s := <-p.slots
		if s.b != nil {
			s.b.stop()
			s.b = nil
		}
	}
	return p.proxy.Close()
}

// isDone reports whether ch is closed.
func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Close closes the tab and hands its browser back to the pool. Screenshot
// fails with ErrPageClosed afterwards. It is safe to call more than once,
// and from several goroutines; it waits for a Screenshot in progress.
func (pg *Page) Close() error {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.closed {
		return nil
	}
	pg.closed = true
	if pg.hold != nil {
		pg.hold.Stop()
	}
	suspect := !pg.closeTab()
	pg.proxy.Close()
	pg.pool.mu.Lock()
	delete(pg.pool.open, pg)
	pg.pool.mu.Unlock()
	pg.pool.release(pg.slot, suspect)
	return nil
}

// closeTab closes the tab and its browser context, killing the browser
// when that takes longer than closeTimeout; it reports whether the tab
// closed in time.
func (pg *Page) closeTab() bool {
	done := make(chan struct{})
	go func() {
		pg.cancel()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(closeTimeout):
		pg.pool.cfg.Logger.Warn("render: a tab did not close; killing its browser", "pid", pg.slot.b.pid)
		pg.slot.b.killHung()
		<-done
		return false
	}
}
