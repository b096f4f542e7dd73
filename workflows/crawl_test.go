package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"adscan"
)

var testLexicon = adscan.LexiconRef{Name: "shuangjian", Version: "2026.1"}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// page is a fetched page whose text is body, flagged with cats.
func page(url, body string, cats ...adscan.Category) CrawledPage {
	p := CrawledPage{
		Capture: adscan.Capture{
			RequestedURL: url, FinalURL: url, Status: 200, FetchedAt: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC),
			BodySHA256: sha([]byte("<p>" + body + "</p>")), BodySize: int64(len(body) + 7),
			Text: body, TextSHA256: sha([]byte(body)),
			WARC: []byte("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: " + url + "\r\n\r\n<p>" + body + "</p>"),
		},
		Result: adscan.Result{Lexicon: testLexicon},
	}
	for _, c := range cats {
		p.Result.Flags = append(p.Result.Flags, adscan.Flag{Category: c, Score: 0.9, Basis: "（十七）",
			Evidence: []adscan.Evidence{{Text: body[:3], Start: 0, End: 3, Rule: "r1"}}})
	}
	return p
}

func sitePages() []CrawledPage {
	return []CrawledPage{
		page("https://a.example/", "首页 欢迎"),
		page("https://a.example/rank", "状元 榜单 喜报", adscan.CategoryRanking),
		{Capture: adscan.Capture{RequestedURL: "https://a.example/broken"}, Err: "status 500", ErrKind: adscan.FetchHTTPStatus},
		page("https://a.example/ad", "奥数 提前学 寒假班", adscan.CategoryTutoringAd, adscan.CategoryAdvanceTeaching),
		page("https://a.example/about", "关于我们"),
		page("https://a.example/elite", "名校 录取率 98%", adscan.CategoryEliteAdmission),
	}
}

// crawlAttempt runs CrawlSite once in a fresh activity environment, resuming
// from hb if not nil, and returns its result, error and last heartbeat.
func crawlAttempt(t *testing.T, a *Activities, hb *crawlHeartbeat) (SiteScanResult, error, *crawlHeartbeat) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	if hb != nil {
		env.SetHeartbeatDetails(*hb)
	}
	var last *crawlHeartbeat
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) {
		var h crawlHeartbeat
		if err := d.Get(&h); err != nil {
			t.Errorf("heartbeat details: %v", err)
		}
		last = &h
	})
	v, err := env.ExecuteActivity(a.CrawlSite, CrawlSiteInput{ScanID: "scan-1", Target: adscan.ScanTarget{URL: "https://a.example/"}})
	var r SiteScanResult
	if err == nil {
		if gerr := v.Get(&r); gerr != nil {
			t.Fatal(gerr)
		}
	}
	return r, err, last
}

func newCrawlActivities(t *testing.T, cr SiteCrawler) (*Activities, *countingStore, *fakeTemporal) {
	st, tc := newTestStore(t), newFakeTemporal()
	if err := st.CreateScan(t.Context(), adscan.Scan{ID: "scan-1", Status: adscan.ScanRunning}); err != nil {
		t.Fatal(err)
	}
	return &Activities{Store: st, Crawler: cr, Temporal: tc}, st, tc
}

func TestCrawlSiteRecordsCasesAndReviews(t *testing.T) {
	a, st, tc := newCrawlActivities(t, &fakeCrawler{pages: sitePages()})
	r, err, _ := crawlAttempt(t, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := SiteScanResult{Pages: 6, Errors: 1, FetchErrors: 1, Flagged: 3, Cases: 3, NewCases: 3, ByCategory: []CategoryCount{
		{adscan.CategoryTutoringAd, 1}, {adscan.CategoryRanking, 1}, {adscan.CategoryEliteAdmission, 1}, {adscan.CategoryAdvanceTeaching, 1}},
		ReviewsStarted: true}
	if fmt.Sprint(r) != fmt.Sprint(want) {
		t.Errorf("result %+v\nwant   %+v", r, want)
	}
	cases, _ := st.ListCases(t.Context(), adscan.CaseFilter{})
	if len(cases) != 3 {
		t.Fatalf("%d cases, want 3 (the flagged pages only)", len(cases))
	}
	started := tc.startedIDs()
	for _, c := range cases {
		if started[ReviewWorkflowID(c.ID)] != 1 {
			t.Errorf("review of case %s started %d times", c.ID, started[ReviewWorkflowID(c.ID)])
		}
	}
	scan, _ := st.GetScan(t.Context(), "scan-1")
	if scan.Pages != 6 || scan.Errors != 1 {
		t.Errorf("scan progress %d pages %d errors, want 6 and 1", scan.Pages, scan.Errors)
	}
	if len(scan.Sites) != 1 || scan.Sites[0].Target != "https://a.example/" || scan.Sites[0].Pages != 6 || scan.Sites[0].Errors != 1 ||
		!scan.Sites[0].Done || scan.Sites[0].PagesPerSecond < 9.9 || scan.Sites[0].PagesPerSecond > 10.1 ||
		scan.Sites[0].PolitenessWaitSeconds < 0.23 || scan.Sites[0].PolitenessWaitSeconds > 0.25 {
		t.Errorf("scan sites %+v; want the target's 6 pages at 10 pages/s, 0.24 s waiting, done", scan.Sites)
	}
	errs, err := st.ListScanErrors(t.Context(), "scan-1", 10)
	if err != nil || len(errs) != 1 || errs[0].URL != "https://a.example/broken" || errs[0].Kind != adscan.FetchHTTPStatus ||
		errs[0].Message != "status 500" || errs[0].Target != "https://a.example/" {
		t.Errorf("scan errors %+v, %v; want the broken page with its reason", errs, err)
	}
	for _, id := range st.captureIDs {
		c, err := st.GetCapture(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		flagged := c.RequestedURL == "https://a.example/rank" || c.RequestedURL == "https://a.example/ad" || c.RequestedURL == "https://a.example/elite"
		if flagged != (len(c.WARC) > 0) {
			t.Errorf("capture of %s keeps WARC=%v; want WARC for flagged pages only", c.RequestedURL, len(c.WARC) > 0)
		}
		if c.ScanID != "scan-1" || c.Target != "https://a.example/" || c.Lexicon != testLexicon {
			t.Errorf("capture %+v lacks scan, target or lexicon", c)
		}
	}
}

func TestCrawlSiteResumesFromHeartbeatWithoutDuplicates(t *testing.T) {
	cr := &fakeCrawler{pages: sitePages(), failAfter: 4, failErr: errors.New("worker lost")}
	a, st, tc := newCrawlActivities(t, cr)

	_, err, hb := crawlAttempt(t, a, nil)
	if err == nil {
		t.Fatal("first attempt succeeded; want the injected failure")
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.NonRetryable() {
		t.Fatalf("a crawl failure must be retryable: %v", err)
	}
	if hb == nil || string(hb.State) != "4" || hb.Progress.Pages != 4 || len(hb.Progress.Cases) != 2 {
		t.Fatalf("last heartbeat %+v, want state 4 with 4 pages and 2 cases", hb)
	}

	cr.failAfter = 0
	r, err, _ := crawlAttempt(t, a, hb)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(cr.resumes[1]); got != "4" {
		t.Errorf("second attempt resumed from %q, want the heartbeat's state 4", got)
	}
	if r.Pages != 6 || r.Errors != 1 || r.Cases != 3 || r.NewCases != 3 {
		t.Errorf("result after resume %+v, want the whole site's counts", r)
	}
	if r.ReviewsStarted {
		t.Error("a resumed crawl says it started every review; an earlier attempt's cases are EnsureReviews' to check")
	}
	if n := len(st.casesOf(t, "")); n != 3 {
		t.Errorf("%d cases after a retry, want 3", n)
	}
	if n := st.count("PutCapture"); n != 5 {
		t.Errorf("%d captures stored, want 5 (no page handed over twice)", n)
	}

	// A resume from an older checkpoint hands pages over again; the store's
	// idempotence keeps cases and reviews single.
	older := &crawlHeartbeat{State: []byte("1")}
	if _, err, _ := crawlAttempt(t, a, older); err != nil {
		t.Fatal(err)
	}
	if n := len(st.casesOf(t, "")); n != 3 {
		t.Errorf("%d cases after a resume from an older checkpoint, want 3", n)
	}
	for id, n := range tc.startedIDs() {
		if n != 1 {
			t.Errorf("review %s started %d times", id, n)
		}
	}
}

func TestCrawlSiteRejectsBadInput(t *testing.T) {
	a, _, _ := newCrawlActivities(t, &fakeCrawler{})
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	for _, in := range []CrawlSiteInput{
		{ScanID: "", Target: adscan.ScanTarget{URL: "https://a.example/"}},
		{ScanID: "scan-1", Target: adscan.ScanTarget{URL: "ftp://a.example/"}},
		{ScanID: "scan-1", Target: adscan.ScanTarget{URL: "https://"}},
	} {
		_, err := env.ExecuteActivity(a.CrawlSite, in)
		var ae *temporal.ApplicationError
		if !errors.As(err, &ae) || !ae.NonRetryable() || ae.Type() != errTypeInvalid {
			t.Errorf("CrawlSite(%+v) = %v, want a non-retryable invalid-input error", in, err)
		}
	}
}

func TestEnsureReviewsStartsOnlyMissing(t *testing.T) {
	a, st, tc := newCrawlActivities(t, &fakeCrawler{pages: sitePages()})
	ctx := t.Context()
	// Record cases without starting reviews, as if the worker died before.
	for _, p := range sitePages() {
		if !p.Result.Flagged() {
			continue
		}
		c := p.Capture
		c.ScanID, c.Target = "scan-1", "https://a.example/"
		id, _ := st.PutCapture(ctx, c)
		if _, _, err := st.RecordFindings(ctx, adscan.FindingsInput{ScanID: "scan-1", Target: c.Target, URL: c.FinalURL, CaptureID: id, Flags: p.Result.Flags}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.startReview(ctx, st.caseAt(t, "https://a.example/rank").ID); err != nil {
		t.Fatal(err)
	}
	elite := st.caseAt(t, "https://a.example/elite").ID
	if _, err := st.DecideCase(ctx, elite, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev"}); err != nil {
		t.Fatal(err)
	}

	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	in := EnsureReviewsInput{ScanID: "scan-1", Target: "https://a.example/"}
	for i, want := range []int{1, 0} {
		v, err := env.ExecuteActivity(a.EnsureReviews, in)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		_ = v.Get(&n)
		if n != want {
			t.Errorf("run %d started %d reviews, want %d", i+1, n, want)
		}
	}
	started := tc.startedIDs()
	if len(started) != 2 || started[ReviewWorkflowID(elite)] != 0 {
		t.Errorf("reviews started: %v; want the two open cases only", started)
	}
}

// recObserver counts what the activities tell it.
type recObserver struct {
	mu                                    sync.Mutex
	pages, failed, flagged, cases, crawls int
	kinds                                 []adscan.FetchErrorKind
}

func (o *recObserver) PageFetched(int64) { o.mu.Lock(); o.pages++; o.mu.Unlock() }
func (o *recObserver) PageFailed(k adscan.FetchErrorKind) {
	o.mu.Lock()
	o.failed++
	o.kinds = append(o.kinds, k)
	o.mu.Unlock()
}
func (o *recObserver) PageFlagged([]adscan.Category) { o.mu.Lock(); o.flagged++; o.mu.Unlock() }
func (o *recObserver) CaseCreated()                  { o.mu.Lock(); o.cases++; o.mu.Unlock() }
func (o *recObserver) CrawlFinished(string, time.Duration, CrawlStats, error) {
	o.mu.Lock()
	o.crawls++
	o.mu.Unlock()
}
func (o *recObserver) ReferralDelivered() {}
func (o *recObserver) ReferralFailed()    {}

func TestCrawlSiteTellsTheObserver(t *testing.T) {
	a, _, _ := newCrawlActivities(t, &fakeCrawler{pages: sitePages()})
	rec := &recObserver{}
	a.Observer = rec
	if _, err, _ := crawlAttempt(t, a, nil); err != nil {
		t.Fatal(err)
	}
	if rec.pages != 5 || rec.failed != 1 || rec.kinds[0] != adscan.FetchHTTPStatus || rec.flagged != 3 || rec.cases != 3 || rec.crawls != 1 {
		t.Errorf("observer saw %+v", rec)
	}
}

// blipStore fails its first RecordPages, as a database restarting would.
type blipStore struct {
	*countingStore
	failed bool
}

func (s *blipStore) RecordPages(ctx context.Context, b adscan.PageBatch) ([]adscan.PageRecorded, error) {
	if !s.failed {
		s.failed = true
		return nil, fmt.Errorf("store: record pages: connection reset")
	}
	return s.countingStore.RecordPages(ctx, b)
}

// TestCrawlSiteStoresLastBatchBeforeReviews: the last page's batch could
// not be stored at its checkpoint, so it is stored when the crawl ends —
// before the crawl waits for its reviews, so the case's review is started
// (not queued after the starter closed).
func TestCrawlSiteStoresLastBatchBeforeReviews(t *testing.T) {
	a, st, tc := newCrawlActivities(t, &fakeCrawler{pages: []CrawledPage{
		page("https://a.example/elite", "名校 录取率 98%", adscan.CategoryEliteAdmission),
	}})
	a.Store = &blipStore{countingStore: st}
	r, err, _ := crawlAttempt(t, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := st.casesOf(t, "")
	if r.Pages != 1 || r.Cases != 1 || len(cases) != 1 {
		t.Fatalf("result %+v, %d cases; want the page and its case", r, len(cases))
	}
	if n := tc.startedIDs()[ReviewWorkflowID(cases[0].ID)]; n != 1 {
		t.Errorf("review of case %s started %d times, want once", cases[0].ID, n)
	}
}
