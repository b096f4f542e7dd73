package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"adscan/profile"
	"adscan/urlnorm"
)

// maxSitemaps bounds the sitemaps (and sitemap indexes) one run reads.
const maxSitemaps = 100

// Item is one URL waiting in the frontier.
type Item struct {
	URL   string `json:"url"`
	Depth int    `json:"depth"`
	// Sitemap marks a sitemap (or sitemap index) to read for URLs, not a page.
	Sitemap bool `json:"sitemap,omitempty"`
	// Attempt counts the earlier fetches of a page that timed out or got a
	// 5xx/429; After is when it may be fetched again (see Config.Retries).
	Attempt int       `json:"attempt,omitempty"`
	After   time.Time `json:"after,omitzero"`
	// Kind is what the page is in a profile's crawl (Config.Profile):
	// a listing or a detail page; "" otherwise. A listing's Depth counts
	// the listing pages before it from its search URL.
	Kind profile.Kind `json:"kind,omitempty"`
}

// Checkpoint is the state of a crawl, small and JSON-serialisable, from
// which Run resumes. Every URL ever queued is in Seen (as its dedupe key);
// every URL queued but not yet finished — including those being fetched
// when the checkpoint was taken — is in Frontier. A page handed to onPage is
// finished in every checkpoint taken after onPage returned, so a crawl
// resumed from it neither refetches that page nor loses a pending one.
type Checkpoint struct {
	Frontier []Item        `json:"frontier"`
	Seen     []string      `json:"seen"`
	Pages    int           `json:"pages"`
	Errors   int           `json:"errors"`
	Flagged  int           `json:"flagged"`
	Elapsed  time.Duration `json:"elapsed"`          // crawl time so far, counted against Config.Budget
	Waited   time.Duration `json:"waited,omitempty"` // time spent waiting for host turns so far
}

// Summary is what a crawl did.
type Summary struct {
	Pages      int // pages handed to onPage (fetched, failed or skipped)
	Errors     int // pages whose Err is set
	Flagged    int // pages the classifier flagged
	Skipped    int // pages whose body was not read or not text
	Disallowed int // URLs robots.txt kept us from
	Sitemaps   int // sitemaps read
	Retried    int // fetches put back in the queue to retry later
	Elapsed    time.Duration
	// PolitenessWait is the time requests waited for their host's turn
	// (crawl delay, other crawls of the same host), summed over fetches
	// and resumptions: with Elapsed it tells a slow site from a slow worker.
	PolitenessWait time.Duration
	// Stopped says why the crawl ended: "done" (frontier empty), "max pages",
	// "budget", "canceled" (ctx) or "failed" (onPage returned an error).
	Stopped string
}

// Run crawls until the frontier is empty, MaxPages pages were fetched, the
// Budget is spent or ctx is canceled. It starts from the seeds, or from
// resume when it is not nil. Each fetched page is handed to onPage (never
// concurrently); after each page (and each finished sitemap or disallowed
// URL) onCheckpoint, if not nil, gets the state to resume from. Per-page
// failures are in Page.Err and never stop the crawl.
//
// With Config.CheckpointInterval, checkpoints are handed over at most that
// often; any of them is a valid state to resume from.
//
// Run returns the summary and nil when the crawl ended by itself or by a
// limit; ctx.Err() when it was canceled (the last checkpoint then holds the
// unfinished work); and the error of onPage, wrapped, if onPage failed — the
// page it refused stays in the frontier.
func (c *Crawler) Run(ctx context.Context, resume *Checkpoint, onPage func(Page) error, onCheckpoint func(Checkpoint)) (Summary, error) {
	if onPage == nil {
		onPage = func(Page) error { return nil }
	}
	s := c.newSession()
	st := newFrontier(c.cfg)
	st.waited = &s.waited
	if resume != nil {
		st.restore(*resume)
	} else {
		for _, seed := range c.seeds {
			it := Item{URL: seed, Depth: 0}
			if c.cfg.Profile != nil {
				it.Kind = profile.KindListing
			}
			st.add(it)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go st.watch(runCtx, c.cfg.Budget)

	var emitMu sync.Mutex // serialises onPage and onCheckpoint
	var lastCheckpoint time.Time
	var failure error
	var wg sync.WaitGroup
	for range c.cfg.Parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				it, ok := st.next()
				if !ok {
					return
				}
				out := s.process(runCtx, it)
				if runCtx.Err() != nil {
					st.abandon(it) // stays in the frontier
					continue
				}
				emitMu.Lock()
				if out.page != nil {
					if err := onPage(*out.page); err != nil {
						st.abandon(it)
						st.halt("failed")
						if failure == nil {
							failure = fmt.Errorf("crawler: page handler: %w", err)
						}
						emitMu.Unlock()
						continue
					}
				}
				due := onCheckpoint != nil && time.Since(lastCheckpoint) >= c.cfg.CheckpointInterval
				cp := st.finish(it, out, due)
				if due {
					lastCheckpoint = time.Now()
					onCheckpoint(cp)
				}
				emitMu.Unlock()
			}
		}()
	}
	wg.Wait()
	sum := st.summary()
	if onCheckpoint != nil {
		onCheckpoint(st.checkpoint())
	}
	switch {
	case failure != nil:
		return sum, failure
	case ctx.Err() != nil:
		return sum, ctx.Err()
	}
	return sum, nil
}

// outcome is what processing one item produced.
type outcome struct {
	page       *Page  // nil for sitemaps and disallowed non-seed URLs
	retry      *Item  // the page again, to fetch later (page is nil then)
	queue      []Item // newly found URLs
	disallowed bool
	sitemap    bool
}

// process fetches one item: a page (evidence, text, classification, links)
// or a sitemap (URLs to queue).
func (s *session) process(ctx context.Context, it Item) outcome {
	u, err := url.Parse(it.URL)
	if err != nil { // queued URLs are normalised; this is a corrupt checkpoint
		return outcome{page: &Page{Depth: it.Depth, Err: fmt.Errorf("crawler: fetch %s: %w", it.URL, err)}}
	}
	pol, loaded := s.policies.get(ctx, u)
	var out outcome
	if loaded && pol.err == nil && s.cfg.MaxDepth >= 1 && s.cfg.Profile == nil {
		for _, sm := range pol.sitemaps {
			// robots.txt may name sitemaps anywhere; read only the site's own,
			// so a target cannot make the crawler fetch other hosts' URLs.
			if n, err := urlnorm.Normalize(it.URL, sm); err == nil && s.sameSiteURL(n) {
				out.queue = append(out.queue, Item{URL: n, Depth: 0, Sitemap: true})
			}
		}
	}
	if pol.err != nil {
		p := s.buildPage(it, fetched{}, fmt.Errorf("crawler: fetch %s: %w", it.URL, pol.err))
		out.page = &p
		return out
	}
	if !pol.allowed(u, s.cfg.UserAgent) {
		out.disallowed = true
		if it.Depth == 0 && !it.Sitemap {
			out.page = &Page{Depth: 0, Skipped: ErrDisallowed.Error()}
			out.page.Capture.Target, out.page.Capture.RequestedURL, out.page.Capture.FinalURL = s.cfg.Target, it.URL, it.URL
		}
		return out
	}
	if it.Sitemap {
		out.sitemap = true
		out.queue = append(out.queue, s.readSitemap(ctx, it)...)
		return out
	}
	if s.cfg.Render {
		p, again := s.renderPage(ctx, it)
		if again != nil {
			out.retry = again
			return out
		}
		if errors.Is(p.Err, ErrDisallowed) {
			// As a plain crawl counts a redirect robots.txt disallows: a
			// page not read, not a failure (the message names the URL).
			out.disallowed = true
			p.Skipped = errors.Unwrap(p.Err).Error() // without renderPage's "crawler: render URL:"
			p.Err = nil
		}
		out.page = &p
		out.queue = append(out.queue, s.follow(it, p)...)
		return out
	}
	f, again, ferr := s.fetchOnce(ctx, it, acceptPage)
	if again != nil {
		out.retry = again
		return out
	}
	if errors.Is(ferr, ErrDisallowed) {
		out.disallowed = true
		ferr = nil
		f.skipped = ErrDisallowed.Error()
	}
	if ferr != nil {
		ferr = fmt.Errorf("crawler: fetch %s: %w", it.URL, ferr)
	}
	p := s.buildPage(it, f, ferr)
	if p.Result.Flagged() {
		s.screenshotPlain(ctx, &p)
	}
	out.page = &p
	out.queue = append(out.queue, s.follow(it, p)...)
	return out
}

// follow returns the items of p's links, one level deeper than it, while
// the depth limit allows; in a profile's crawl, those the profile follows.
func (s *session) follow(it Item, p Page) []Item {
	if s.cfg.Profile != nil {
		return s.followProfile(it, p)
	}
	if it.Depth >= s.cfg.MaxDepth {
		return nil
	}
	out := make([]Item, 0, len(p.Links))
	for _, l := range p.Links {
		out = append(out, Item{URL: l, Depth: it.Depth + 1})
	}
	return out
}

// frontier is the crawl's shared state: the queue, the items in flight, the
// seen set and the counters.
type frontier struct {
	cfg      Config
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []Item
	inflight []Item
	seen     map[string]bool
	seenList []string // insertion order, so checkpoints copy instead of sorting
	before   time.Duration
	start    time.Time
	waited   *atomic.Int64 // the session's time waited for host turns (ns)
	sum      Summary
	pagesOut int // page items in flight
	// sitemapsQueued counts sitemaps queued by this run, at most maxSitemaps.
	sitemapsQueued int
	stopped        string
	// wake is set while a timer will wake the dispatchers, at wakeTime,
	// for a page waiting to be retried.
	wake     *time.Timer
	wakeTime time.Time
}

func newFrontier(cfg Config) *frontier {
	f := &frontier{cfg: cfg, seen: map[string]bool{}, start: time.Now(), waited: new(atomic.Int64)}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// maxQueued bounds the queue: far more than MaxPages can use, small enough
// to checkpoint.
func (f *frontier) maxQueued() int { return max(10*f.cfg.MaxPages, 1000) }

// add queues it unless it was seen; the caller holds mu (or is alone).
func (f *frontier) add(it Item) {
	k := dedupeKey(it.URL)
	if f.seen[k] || (!it.Sitemap && len(f.queue) >= f.maxQueued()) ||
		(it.Sitemap && f.sitemapsQueued >= maxSitemaps) {
		return
	}
	if it.Sitemap {
		f.sitemapsQueued++
	}
	f.seen[k] = true
	f.seenList = append(f.seenList, k)
	f.queue = append(f.queue, it)
}

func (f *frontier) restore(cp Checkpoint) {
	for _, k := range cp.Seen {
		if !f.seen[k] {
			f.seen[k] = true
			f.seenList = append(f.seenList, k)
		}
	}
	f.queue = slices.Clone(cp.Frontier)
	f.sum.Pages, f.sum.Errors, f.sum.Flagged = cp.Pages, cp.Errors, cp.Flagged
	f.before = cp.Elapsed
	f.waited.Add(int64(cp.Waited))
}

// next blocks until an item can be dispatched, and returns false when the
// crawl is over (frontier exhausted, a limit reached, stopped).
func (f *frontier) next() (Item, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if f.stopped != "" {
			return Item{}, false
		}
		i, later := f.dispatchable(time.Now())
		if i >= 0 {
			it := f.queue[i]
			if i == 0 {
				f.queue[0] = Item{}
				f.queue = f.queue[1:] // O(1); append reallocates in time
			} else {
				f.queue = slices.Delete(f.queue, i, i+1)
			}
			f.inflight = append(f.inflight, it)
			if !it.Sitemap {
				f.pagesOut++
			}
			return it, true
		}
		if !later.IsZero() {
			f.wakeAt(later) // a retry is due then; meanwhile wait for other work
		} else if len(f.inflight) == 0 {
			if len(f.queue) == 0 {
				f.stopped = "done"
			} else {
				f.stopped = "max pages"
			}
			f.cond.Broadcast()
			return Item{}, false
		}
		f.cond.Wait()
	}
}

// dispatchable returns the index of the first queued item that may start
// at now, or -1: pages only while the page limit has room, sitemaps always,
// a page to retry only once its After has passed. With -1, later is the
// earliest After of a page that could start then (zero: none).
func (f *frontier) dispatchable(now time.Time) (i int, later time.Time) {
	room := f.sum.Pages+f.pagesOut < f.cfg.MaxPages
	for i, it := range f.queue {
		if !it.Sitemap && !room {
			continue
		}
		if it.After.After(now) {
			if later.IsZero() || it.After.Before(later) {
				later = it.After
			}
			continue
		}
		return i, time.Time{}
	}
	return -1, later
}

// wakeAt makes sure the dispatchers waiting in next are woken at t; the
// caller holds mu.
func (f *frontier) wakeAt(t time.Time) {
	if f.wake != nil {
		if !t.Before(f.wakeTime) {
			return // an earlier wake-up is pending; next re-arms after it
		}
		f.wake.Stop()
	}
	f.wakeTime = t
	f.wake = time.AfterFunc(time.Until(t), func() {
		f.mu.Lock()
		f.wake = nil
		f.cond.Broadcast()
		f.mu.Unlock()
	})
}

// finish records a processed item and queues what it found; with snapshot
// it returns the checkpoint that follows.
func (f *frontier) finish(it Item, out outcome, snapshot bool) Checkpoint {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropInflight(it)
	if out.page != nil {
		f.sum.Pages++
		switch {
		case out.page.Err != nil:
			f.sum.Errors++
		case out.page.Skipped != "":
			f.sum.Skipped++
		}
		if out.page.Result.Flagged() {
			f.sum.Flagged++
		}
	}
	if out.disallowed {
		f.sum.Disallowed++
	}
	if out.sitemap {
		f.sum.Sitemaps++
	}
	if out.retry != nil {
		// Behind the rest of the queue: other pages go on meanwhile.
		f.sum.Retried++
		f.queue = append(f.queue, *out.retry)
	}
	for _, q := range out.queue {
		f.add(q)
	}
	f.cond.Broadcast()
	if !snapshot {
		return Checkpoint{}
	}
	return f.checkpointLocked()
}

// abandon puts an item that was not finished back at the front of the queue.
func (f *frontier) abandon(it Item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropInflight(it)
	f.queue = slices.Insert(f.queue, 0, it)
	f.cond.Broadcast()
}

func (f *frontier) dropInflight(it Item) {
	if i := slices.Index(f.inflight, it); i >= 0 {
		f.inflight = slices.Delete(f.inflight, i, i+1)
		if !it.Sitemap {
			f.pagesOut--
		}
	}
}

// halt stops dispatching; items in flight finish.
func (f *frontier) halt(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped == "" {
		f.stopped = reason
	}
	f.cond.Broadcast()
}

// watch halts the crawl when ctx is canceled or the budget is spent.
func (f *frontier) watch(ctx context.Context, budget time.Duration) {
	var expired <-chan time.Time
	if budget > 0 {
		t := time.NewTimer(max(budget-f.before, 0))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-ctx.Done():
		f.halt("canceled")
	case <-expired:
		f.halt("budget")
	}
}

func (f *frontier) checkpoint() Checkpoint {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.checkpointLocked()
}

func (f *frontier) checkpointLocked() Checkpoint {
	fr := make([]Item, 0, len(f.inflight)+len(f.queue))
	fr = append(append(fr, f.inflight...), f.queue...)
	return Checkpoint{
		Frontier: fr, Seen: slices.Clone(f.seenList),
		Pages: f.sum.Pages, Errors: f.sum.Errors, Flagged: f.sum.Flagged,
		Elapsed: f.before + time.Since(f.start), Waited: time.Duration(f.waited.Load()),
	}
}

func (f *frontier) summary() Summary {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sum
	s.Elapsed = f.before + time.Since(f.start)
	s.PolitenessWait = time.Duration(f.waited.Load())
	s.Stopped = f.stopped
	if s.Stopped == "" {
		s.Stopped = "canceled"
	}
	return s
}
