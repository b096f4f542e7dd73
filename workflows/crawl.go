package workflows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"adscan"
)

// SiteCrawler crawls one target; each fetched page (capture + classification)
// goes to onPage synchronously; onCheckpoint receives opaque resumable state
// to heartbeat; resume is that state from an earlier attempt (nil: fresh). A
// page whose onPage returned is never handed over again after a resume.
// An error from onPage stops the crawl and is returned.
type SiteCrawler interface {
	Crawl(ctx context.Context, target adscan.ScanTarget, resume []byte,
		onPage func(ctx context.Context, p CrawledPage) error, onCheckpoint func(state []byte)) (CrawlStats, error)
}

// CrawledPage is one page a SiteCrawler fetched. Err is set (and Result
// empty) when the fetch failed; Capture then holds what is known.
type CrawledPage struct {
	Capture adscan.Capture
	Result  adscan.Result
	Err     string
	ErrKind adscan.FetchErrorKind // why it failed, when Err is set
}

// CrawlStats is what a SiteCrawler reports of a finished crawl.
type CrawlStats struct {
	Pages   int // pages handed to onPage, failed ones included
	Errors  int // pages whose fetch failed
	Skipped int // links not followed (limits, robots.txt, off-site)
	Retried int // fetches put back to retry later
	// Elapsed is the crawl's duration and PolitenessWait the time its
	// fetches waited for their host's turn, both summed over resumptions.
	Elapsed, PolitenessWait time.Duration
}

// CrawlSiteInput is the input of CrawlSite.
type CrawlSiteInput struct {
	ScanID string            `json:"scan_id"`
	Target adscan.ScanTarget `json:"target"`
}

// crawlHeartbeat is CrawlSite's heartbeat details: the crawler's checkpoint
// and the counters up to it, so a retry resumes both.
type crawlHeartbeat struct {
	State    []byte        `json:"state,omitempty"`
	Progress crawlProgress `json:"progress"`
}

type crawlProgress struct {
	Pages  int `json:"pages"`
	Errors int `json:"errors"`
	// FetchErrors are the Errors of fetches that failed (the others are
	// pages the store refused).
	FetchErrors int        `json:"fetch_errors,omitempty"`
	Flagged     int        `json:"flagged"`
	NewCases    int        `json:"new_cases"`
	Cases       []seenCase `json:"cases,omitempty"`
}

// seenCase is a case the crawl created or sighted, with the categories
// flagged on it in this crawl.
type seenCase struct {
	ID         string            `json:"id"`
	Categories []adscan.Category `json:"categories"`
}

// crawlHeartbeatEvery is how often CrawlSite heartbeats its latest details
// even when the crawler reports no checkpoint (a slow, polite crawl): a
// third of the activity's heartbeat timeout, at most 10 s.
func crawlHeartbeatEvery(timeout time.Duration) time.Duration {
	every := 10 * time.Second
	if timeout > 0 && timeout/3 < every {
		every = max(timeout/3, 100*time.Millisecond)
	}
	return every
}

// CrawlSite crawls one target through the SiteCrawler, resuming from the
// checkpoint in the activity's heartbeat details after a retry. For each
// page it stores the capture (the WARC record only for flagged pages), for a
// flagged page records the findings (idempotent by target and URL), starts
// the review workflow of an open case that has none, and adds the page to the
// scan's progress. A page the store refuses as invalid counts as an error
// page and the crawl goes on. It returns counters only. Bad input is a
// non-retryable error; a store or crawl failure is retried.
func (a *Activities) CrawlSite(ctx context.Context, in CrawlSiteInput) (SiteScanResult, error) {
	if in.ScanID == "" {
		return SiteScanResult{}, invalidInput("workflows: crawl site: empty scan ID")
	}
	if u, err := url.Parse(in.Target.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return SiteScanResult{}, invalidInput("workflows: crawl site: bad target URL %q", in.Target.URL)
	}
	if a.Crawler == nil {
		// A worker of the work queue only (a crawl of a history recorded
		// before crawls had their own queue): retried, for a worker that crawls.
		return SiteScanResult{}, temporal.NewApplicationError("workflows: crawl site: this worker runs no crawls (--queues work)", "NoCrawler")
	}

	run := &crawlRun{a: a, in: in, ctx: ctx, index: map[string]int{}}
	// Only a crawl that is its target's first attempt sights every case the
	// scan records for it; a retry may miss cases an earlier attempt stored.
	firstAttempt := activity.GetInfo(ctx).Attempt == 1 && !activity.HasHeartbeatDetails(ctx)
	if activity.HasHeartbeatDetails(ctx) {
		var hb crawlHeartbeat
		if err := activity.GetHeartbeatDetails(ctx, &hb); err != nil {
			a.logger().Warn("workflows: unreadable crawl checkpoint; starting afresh", "target", in.Target.URL, "error", err)
		} else {
			run.hb, run.saved = hb, hb.clone()
			for i, c := range hb.Progress.Cases {
				run.index[c.ID] = i
			}
		}
	}

	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(crawlHeartbeatEvery(activity.GetInfo(ctx).HeartbeatTimeout))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, run.details())
			}
		}
	}()

	run.flushed = a.now()
	run.reviews = newReviewStarter(ctx, a.startReview)
	started := a.now()
	stats, err := a.Crawler.Crawl(ctx, in.Target, run.hb.State, run.onPage, run.onCheckpoint)
	a.observer().CrawlFinished(in.Target.URL, a.now().Sub(started), stats, err)
	// The last batch first: storing it queues its cases' reviews, which
	// wait then lets finish.
	if err == nil {
		err = run.flush(ctx)
	} else if ctx.Err() == nil {
		_ = run.flush(ctx) // best effort; FinishScan corrects the totals
	}
	if rerr := run.reviews.wait(); rerr != nil && err == nil {
		err = rerr // retried: the crawl resumes at its end and starts them again
	}
	run.recordSite(stats, err == nil)
	if err != nil {
		if ctx.Err() != nil {
			return SiteScanResult{}, ctx.Err()
		}
		// An onPage error the crawler wrapped keeps its retry semantics.
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) {
			return SiteScanResult{}, temporal.NewApplicationErrorWithOptions(
				fmt.Sprintf("workflows: crawl %s: %v", in.Target.URL, err), ae.Type(),
				temporal.ApplicationErrorOptions{NonRetryable: ae.NonRetryable()})
		}
		return SiteScanResult{}, activityError("workflows: crawl "+in.Target.URL, err)
	}
	res := run.result()
	res.ReviewsStarted = firstAttempt
	return res, nil
}

// recordSite saves the crawl's pace for the scan's page (best effort: it
// is for people, and a failure here must not fail the crawl).
func (r *crawlRun) recordSite(stats CrawlStats, done bool) {
	r.mu.Lock()
	p := r.hb.Progress
	r.mu.Unlock()
	if stats.Elapsed == 0 && stats.Pages == 0 {
		return // the crawl never started
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 10*time.Second)
	defer cancel()
	site := adscan.ScanSite{
		Target: r.in.Target.URL, Pages: p.Pages, Errors: p.Errors, Retried: stats.Retried,
		Seconds: stats.Elapsed.Seconds(), PolitenessWaitSeconds: stats.PolitenessWait.Seconds(), Done: done,
	}
	if err := r.a.Store.RecordScanSite(ctx, r.in.ScanID, site); err != nil {
		r.a.logger().Warn("workflows: crawl pace not recorded", "scan", r.in.ScanID, "target", r.in.Target.URL, "error", err)
	}
	r.a.logger().Info("crawl finished", "scan", r.in.ScanID, "target", r.in.Target.URL, "pages", p.Pages,
		"errors", p.Errors, "retried", stats.Retried, "seconds", stats.Elapsed.Seconds(),
		"politeness_wait_seconds", stats.PolitenessWait.Seconds(), "pages_per_second", adscan.Pace(p.Pages, stats.Elapsed.Seconds()), "done", done)
}

// crawlRun is the state of one CrawlSite attempt.
type crawlRun struct {
	a   *Activities
	in  CrawlSiteInput
	ctx context.Context // the activity's

	mu sync.Mutex
	// hb is the live state: the latest crawl state and the progress up to
	// now. saved is the last checkpoint with the progress as it was when the
	// checkpoint was taken, so that a retry resuming from its state counts
	// the pages it redoes once; only saved is heartbeated.
	hb, saved crawlHeartbeat
	index     map[string]int // case ID → index in hb.Progress.Cases
	// batch is the pages handed over and not yet stored (batchBytes their
	// text and records); pendingPages and pendingErrors the progress not
	// yet added to the scan; flushed when a batch was last stored, batchErr
	// why the last one failed.
	batch                       []adscan.BatchPage
	batchBytes                  int
	pendingPages, pendingErrors int
	flushed                     time.Time
	batchErr                    error

	reviews     *reviewStarter // starts review workflows in the background
	stateTooBig bool           // a checkpoint was over maxHeartbeatState (warned once)
}

// details is what is heartbeated: the last checkpoint and its progress.
func (r *crawlRun) details() crawlHeartbeat {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.saved.clone()
}

// clone copies hb deeply enough that later changes to the live progress
// do not reach it.
func (hb crawlHeartbeat) clone() crawlHeartbeat {
	cases := make([]seenCase, len(hb.Progress.Cases))
	for i, c := range hb.Progress.Cases {
		cases[i] = seenCase{ID: c.ID, Categories: append([]adscan.Category(nil), c.Categories...)}
	}
	hb.Progress.Cases = cases
	return hb
}

// maxHeartbeatState bounds the crawl state put in heartbeat details, well
// under Temporal's 2 MB limit (over it, the server fails the activity for
// good). A larger state is not heartbeated: a retry then resumes from the
// last one that fitted, redoing more (idempotent) work.
const maxHeartbeatState = 1 << 20

func (r *crawlRun) onCheckpoint(state []byte) {
	// The checkpoint covers every page handed over so far: store them
	// first, or keep the older checkpoint (a retry then redoes more).
	if err := r.flush(r.ctx); err != nil {
		r.a.logger().Warn("workflows: pages not stored; the checkpoint is not heartbeated", "target", r.in.Target.URL, "error", err)
		return
	}
	r.mu.Lock()
	if len(state) > maxHeartbeatState {
		if !r.stateTooBig {
			r.stateTooBig = true
			r.a.logger().Warn("workflows: crawl checkpoint too large to heartbeat; a retry resumes from an older one",
				"target", r.in.Target.URL, "bytes", len(state))
		}
		r.mu.Unlock()
		return
	}
	r.hb.State = append([]byte(nil), state...)
	r.saved = r.hb.clone()
	r.mu.Unlock()
	activity.RecordHeartbeat(r.ctx, r.details())
}

// onPage adds one page to the batch being gathered and stores the batch
// when it is due (see batchDue); an earlier batch that could not be stored
// fails the page, so the crawl stops and is retried from the checkpoint
// before it.
func (r *crawlRun) onPage(ctx context.Context, p CrawledPage) error {
	r.mu.Lock()
	failed := r.batchErr
	r.mu.Unlock()
	if failed != nil {
		return failed
	}
	bp := adscan.BatchPage{}
	if p.Err != "" {
		kind := p.ErrKind
		if kind == "" {
			kind = adscan.FetchOther
		}
		r.a.observer().PageFailed(kind)
		bp.Error = &adscan.ScanError{URL: p.Capture.RequestedURL, Kind: kind, Message: p.Err, At: r.a.now()}
	} else {
		c := p.Capture
		r.a.observer().PageFetched(c.BodySize)
		if c.Lexicon == (adscan.LexiconRef{}) {
			c.Lexicon = p.Result.Lexicon
		}
		if !p.Result.Flagged() {
			c.WARC = nil // kept for flagged pages only
		} else {
			bp.Flags, bp.Lexicon = p.Result.Flags, p.Result.Lexicon
			bp.URL = c.FinalURL
			if bp.URL == "" {
				bp.URL = c.RequestedURL
			}
		}
		bp.Capture = c
	}
	r.mu.Lock()
	r.batch = append(r.batch, bp)
	r.batchBytes += captureBytes(bp.Capture)
	r.hb.Progress.Pages++
	r.pendingPages++
	if bp.Error != nil {
		r.hb.Progress.Errors++
		r.hb.Progress.FetchErrors++
		r.pendingErrors++
	}
	due := r.batchDue()
	r.mu.Unlock()
	if !due {
		return nil
	}
	return r.flush(ctx)
}

// Pages are stored in batches, each one transaction (Store.RecordPages):
// before every checkpoint is heartbeated (so a checkpoint never covers a
// page not stored), and in between every batchPages pages, batchBytes of
// text, records and screenshots, or batchEvery.
const (
	batchPages = 100
	batchBytes = 16 << 20
	batchEvery = time.Second
)

// batchDue reports whether the batch is to be stored now; the caller holds mu.
func (r *crawlRun) batchDue() bool {
	return len(r.batch) >= batchPages || r.batchBytes >= batchBytes || r.a.now().Sub(r.flushed) >= batchEvery
}

// captureBytes is what a capture weighs in a batch: its text, records and
// screenshot.
func captureBytes(c adscan.Capture) int {
	n := len(c.Text) + len(c.WARC)
	if c.Screenshot != nil {
		n += len(c.Screenshot.PNG)
	}
	return n
}

// flush stores the batch gathered so far with the progress it makes, then
// tells the observer, notes the cases and queues their reviews. A batch
// that cannot be stored stays gathered for the next flush, and the error
// is returned (and kept for onPage, when the caller cannot return it).
func (r *crawlRun) flush(ctx context.Context) error {
	r.mu.Lock()
	b := adscan.PageBatch{ScanID: r.in.ScanID, Target: r.in.Target.URL, Pages: r.batch,
		AddPages: r.pendingPages, AddErrors: r.pendingErrors}
	r.mu.Unlock()
	if len(b.Pages) == 0 && b.AddPages == 0 && b.AddErrors == 0 {
		return nil
	}
	recs, err := r.a.Store.RecordPages(ctx, b)
	if err != nil {
		err = activityError(fmt.Sprintf("workflows: store %d pages of %s", len(b.Pages), r.in.Target.URL), err)
		r.mu.Lock()
		r.batchErr = err
		r.mu.Unlock()
		return err
	}
	r.mu.Lock()
	r.batch = r.batch[len(b.Pages):]
	r.batchBytes = 0
	for _, p := range r.batch {
		r.batchBytes += captureBytes(p.Capture)
	}
	r.pendingPages -= b.AddPages
	r.pendingErrors -= b.AddErrors
	r.flushed = r.a.now()
	r.batchErr = nil
	r.mu.Unlock()
	for i, rec := range recs {
		p := b.Pages[i]
		switch {
		case rec.Refused != nil:
			r.a.logger().Warn("workflows: page skipped: the store refused it", "scan", r.in.ScanID,
				"url", p.Capture.RequestedURL, "error", rec.Refused)
			r.mu.Lock()
			r.hb.Progress.Errors++
			r.mu.Unlock()
		case rec.Case != nil:
			if rec.Case.State == adscan.CaseOpen || rec.Case.State == adscan.CaseEscalated {
				r.reviews.add(rec.Case.ID)
			}
			cats := categoriesOf(p.Flags)
			r.a.observer().PageFlagged(cats)
			if rec.Created {
				r.a.observer().CaseCreated()
			}
			r.mu.Lock()
			r.hb.Progress.Flagged++
			r.mu.Unlock()
			r.sawCase(rec.Case.ID, rec.Created, cats)
		}
	}
	return nil
}

// categoriesOf lists the categories of flags, each once, in order.
func categoriesOf(flags []adscan.Flag) []adscan.Category {
	var out []adscan.Category
	for _, f := range flags {
		if !hasCategory(out, f.Category) {
			out = append(out, f.Category)
		}
	}
	return out
}

func (r *crawlRun) sawCase(id string, created bool, cats []adscan.Category) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if created {
		r.hb.Progress.NewCases++
	}
	i, ok := r.index[id]
	if !ok {
		i = len(r.hb.Progress.Cases)
		r.index[id] = i
		r.hb.Progress.Cases = append(r.hb.Progress.Cases, seenCase{ID: id})
	}
	sc := &r.hb.Progress.Cases[i]
	for _, c := range cats {
		if !hasCategory(sc.Categories, c) {
			sc.Categories = append(sc.Categories, c)
		}
	}
}

func hasCategory(list []adscan.Category, c adscan.Category) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

func (r *crawlRun) result() SiteScanResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.hb.Progress
	counts := map[adscan.Category]int{}
	for _, c := range p.Cases {
		for _, cat := range c.Categories {
			counts[cat]++
		}
	}
	var by []CategoryCount
	for cat, n := range counts {
		by = append(by, CategoryCount{Category: cat, Cases: n})
	}
	sort.Slice(by, func(i, j int) bool { return by[i].Category < by[j].Category })
	return SiteScanResult{
		Pages: p.Pages, Errors: p.Errors, FetchErrors: p.FetchErrors, Flagged: p.Flagged,
		Cases: len(p.Cases), NewCases: p.NewCases,
		ByCategory: mergeCounts(nil, by),
	}
}

// EnsureReviewsInput is the input of EnsureReviews.
type EnsureReviewsInput struct {
	ScanID string `json:"scan_id"`
	Target string `json:"target"`
}

// EnsureReviews starts the review workflow of every open or escalated case
// of the target that the scan sighted and that has none yet; it returns how
// many it started. Running it again starts nothing new.
func (a *Activities) EnsureReviews(ctx context.Context, in EnsureReviewsInput) (int, error) {
	if in.ScanID == "" || in.Target == "" {
		return 0, invalidInput("workflows: ensure reviews: scan ID and target are required (got %q, %q)", in.ScanID, in.Target)
	}
	const page = 100
	started := 0
	for off := 0; ; off += page {
		cases, err := a.Store.ListCases(ctx, adscan.CaseFilter{ScanID: in.ScanID, Target: in.Target, Limit: page, Offset: off})
		if err != nil {
			return started, activityError("workflows: list cases of scan "+in.ScanID, err)
		}
		for _, c := range cases {
			if c.State != adscan.CaseOpen && c.State != adscan.CaseEscalated {
				continue
			}
			ok, err := a.startReview(ctx, c.ID)
			if err != nil {
				return started, err
			}
			if ok {
				started++
			}
		}
		activity.RecordHeartbeat(ctx, off)
		if len(cases) < page {
			return started, nil
		}
	}
}
