package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"adscan"
)

func targets(n int) []adscan.ScanTarget {
	out := make([]adscan.ScanTarget, n)
	for i := range out {
		out[i] = adscan.ScanTarget{URL: fmt.Sprintf("https://site%d.example/", i)}
	}
	return out
}

// siteScans is what a test environment saw of a scan's site scans.
type siteScans struct {
	running, maxRunning int
	// started holds the targets' URLs as their site scans started; those
	// started in one workflow task come in no fixed order.
	started []string
}

// mockSiteIndex is the place a mocked site scan takes its target for: i
// for targets(n)'s https://site<i>.example/, else a few fixed sites.
func mockSiteIndex(url string) int {
	var i int
	if _, err := fmt.Sscanf(url, "https://site%d.example/", &i); err == nil {
		return i
	}
	switch url {
	case "https://b.example/":
		return 1
	case "https://new.pingtai.example/":
		return 2
	}
	return 0
}

// mockSiteScanResult is a mocked site scan's result for the target at
// place i: i+1 pages, and one case flagged ranking when i is odd. It
// takes i+1 minutes.
func mockSiteScanResult(i int) SiteScanResult {
	r := SiteScanResult{Pages: i + 1, ReviewsStarted: true}
	if i%2 == 1 {
		r.Cases = 1
		r.ByCategory = []CategoryCount{{Category: adscan.CategoryRanking, Cases: 1}}
	}
	return r
}

// newScanEnv returns a workflow test environment with the workflows and
// activities registered and site scans mocked as mockSiteScanResult says:
// a SiteScanWorkflow child (a scan of many targets), or the CrawlSite
// activity of a scan of one target, whose crawl started every review
// itself so no EnsureReviews follows.
func newScanEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *siteScans) {
	t.Helper()
	return newScanEnvWith(t, &Activities{})
}

// newScanEnvWith is newScanEnv with a's activities, for tests that run
// some of them for real.
func newScanEnvWith(t *testing.T, a *Activities) (*testsuite.TestWorkflowEnvironment, *siteScans) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	Register(env, a)
	sites := &siteScans{}
	started := func(url string) {
		sites.started = append(sites.started, url)
		sites.running++
		sites.maxRunning = max(sites.maxRunning, sites.running)
	}
	env.OnWorkflow(SiteScanWorkflowName, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in SiteScanInput) (SiteScanResult, error) {
			i := mockSiteIndex(in.Target.URL)
			if err := workflow.Sleep(ctx, time.Duration(i+1)*time.Minute); err != nil {
				return SiteScanResult{}, err
			}
			return mockSiteScanResult(i), nil
		}).Maybe()
	env.SetOnChildWorkflowStartedListener(func(_ *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		var in SiteScanInput
		if err := args.Get(&in); err != nil {
			t.Error(err)
		}
		started(in.Target.URL)
	})
	env.SetOnChildWorkflowCompletedListener(func(*workflow.Info, converter.EncodedValue, error) { sites.running-- })

	var urls []string
	for i := range 20 {
		urls = append(urls, fmt.Sprintf("https://site%d.example/", i))
	}
	urls = append(urls, "https://a.example/", "https://b.example/", "https://new.pingtai.example/")
	for _, u := range urls {
		i := mockSiteIndex(u)
		env.OnActivity(a.CrawlSite, mock.Anything, mock.MatchedBy(func(in CrawlSiteInput) bool { return in.Target.URL == u })).
			Return(mockSiteScanResult(i), nil).After(time.Duration(i+1) * time.Minute).Maybe()
	}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		if info.ActivityType.Name != "CrawlSite" {
			return
		}
		var in CrawlSiteInput
		if err := args.Get(&in); err != nil {
			t.Error(err)
		}
		started(in.Target.URL)
	})
	env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, _ error) {
		if info.ActivityType.Name == "CrawlSite" {
			sites.running--
		}
	})
	return env, sites
}

func TestScanWorkflowBoundsConcurrency(t *testing.T) {
	env, sites := newScanEnv(t)
	var a *Activities
	env.OnActivity(a.RecordScanStart, mock.Anything, RecordScanStartInput{ScanID: "scan-1", Targets: targets(10)}).Return(nil).Once()
	env.OnActivity(a.FinishScan, mock.Anything, FinishScanInput{ScanID: "scan-1", Status: adscan.ScanCompleted, Pages: 55, Exact: true}).Return(nil).Once()

	env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-1", Targets: targets(10), MaxConcurrent: 3})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var sum ScanSummary
	if err := env.GetWorkflowResult(&sum); err != nil {
		t.Fatal(err)
	}
	if sites.maxRunning != 3 {
		t.Errorf("at most %d site scans ran at once, want exactly 3", sites.maxRunning)
	}
	want := ScanSummary{Targets: 10, Pages: 55, Cases: 5, ByCategory: []CategoryCount{{adscan.CategoryRanking, 5}}}
	if fmt.Sprint(sum) != fmt.Sprint(want) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	env.AssertExpectations(t)
}

func TestScanWorkflowDefaultsScanIDToWorkflowID(t *testing.T) {
	env, _ := newScanEnv(t)
	var a *Activities
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "scan-from-schedule-2026"})
	env.OnActivity(a.RecordScanStart, mock.Anything, mock.MatchedBy(func(in RecordScanStartInput) bool {
		return in.ScanID == "scan-from-schedule-2026" && in.ScheduleID == "nightly"
	})).Return(nil).Once()
	env.OnActivity(a.FinishScan, mock.Anything, mock.MatchedBy(func(in FinishScanInput) bool {
		return in.ScanID == "scan-from-schedule-2026"
	})).Return(nil).Once()
	env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScheduleID: "nightly", Targets: targets(2)})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t)
}

func TestScanWorkflowContinuesAsNew(t *testing.T) {
	env, _ := newScanEnv(t)
	var a *Activities
	env.OnActivity(a.RecordScanStart, mock.Anything, mock.Anything).Return(nil).Once()
	env.OnActivity(a.FinishScan, mock.Anything, mock.Anything).Return(nil).Never()

	env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-2", Targets: targets(5), ContinueAsNewAfter: 2})

	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow error = %v, want continue-as-new", err)
	}
	if can.WorkflowType.Name != ScanWorkflowName {
		t.Errorf("continued as %q", can.WorkflowType.Name)
	}
	var next ScanInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Offset != 2 || next.Summary.Targets != 2 || next.Summary.Pages != 3 || len(next.Targets) != 5 || next.ScanID != "scan-2" {
		t.Errorf("continued with %+v, want offset 2, 2 targets and 3 pages done", next)
	}
	env.AssertExpectations(t)

	// The last run finishes the scan with the carried summary and records
	// no second start.
	env2, _ := newScanEnv(t)
	env2.OnActivity(a.RecordScanStart, mock.Anything, mock.Anything).Return(nil).Never()
	env2.OnActivity(a.FinishScan, mock.Anything, FinishScanInput{ScanID: "scan-2", Status: adscan.ScanCompleted, Pages: 15, Exact: true}).Return(nil).Once()
	next.Offset = 4
	next.Summary = ScanSummary{Targets: 4, Pages: 10}
	env2.ExecuteWorkflow(ScanWorkflow, next)
	var sum ScanSummary
	if err := env2.GetWorkflowResult(&sum); err != nil {
		t.Fatal(err)
	}
	if sum.Targets != 5 || sum.Pages != 15 {
		t.Errorf("final summary %+v, want 5 targets, 15 pages", sum)
	}
	env2.AssertExpectations(t)
}

// TestScanWorkflowCountsFailedTargets: a target fails when its site scan
// fails, or when it finished with every fetch failing (a dead host: nothing
// of the site was read; pages the store refused are errors, not failed
// fetches). The scan's error says why each failed, and a scan of nothing
// else fails.
func TestScanWorkflowCountsFailedTargets(t *testing.T) {
	down := temporal.NewNonRetryableApplicationError("site down", "test", nil)
	const unread = "no page could be fetched (1 tried, all failed)"
	for _, tc := range []struct {
		name    string
		site    func(i int) (SiteScanResult, error) // target i's site scan
		status  adscan.ScanStatus
		errText string
		failed  int  // ScanSummary.FailedTargets: site scans that failed
		exact   bool // FinishScanInput.Exact: every site scan finished
	}{
		{"one fails", func(i int) (SiteScanResult, error) {
			if i == 1 {
				return SiteScanResult{}, down
			}
			return SiteScanResult{Pages: 2}, nil
		}, adscan.ScanCompleted, "1 of 3 targets failed: https://site1.example/: site down", 1, false},
		{"all fail", func(int) (SiteScanResult, error) { return SiteScanResult{}, down }, adscan.ScanFailed,
			"all 3 targets failed: https://site0.example/: site down; https://site1.example/: site down; https://site2.example/: site down", 3, false},
		{"one read", func(i int) (SiteScanResult, error) {
			if i == 0 {
				return SiteScanResult{Pages: 3, Errors: 3, FetchErrors: 1}, nil
			}
			return SiteScanResult{Pages: 1, Errors: 1, FetchErrors: 1}, nil
		}, adscan.ScanCompleted, "2 of 3 targets failed: https://site1.example/: " + unread + "; https://site2.example/: " + unread, 0, true},
		{"none read", func(int) (SiteScanResult, error) { return SiteScanResult{Pages: 1, Errors: 1, FetchErrors: 1}, nil }, adscan.ScanFailed,
			"all 3 targets failed: https://site0.example/: " + unread + "; https://site1.example/: " + unread + "; https://site2.example/: " + unread, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			Register(env, &Activities{})
			env.OnWorkflow(SiteScanWorkflowName, mock.Anything, mock.Anything).Return(
				func(ctx workflow.Context, in SiteScanInput) (SiteScanResult, error) { return tc.site(in.Index) })
			var a *Activities
			env.OnActivity(a.RecordScanStart, mock.Anything, mock.Anything).Return(nil)
			// The scan's error says why each target failed, not only how many.
			var finished FinishScanInput
			env.OnActivity(a.FinishScan, mock.Anything, mock.Anything).Return(func(_ context.Context, in FinishScanInput) error {
				finished = in
				return nil
			}).Once()
			env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-3", Targets: targets(3)})
			var sum ScanSummary
			if err := env.GetWorkflowResult(&sum); err != nil {
				t.Fatal(err)
			}
			// The site scans may end in any order; compare the reasons sorted.
			sortWhy := func(s string) string {
				head, why, _ := strings.Cut(s, ": ")
				parts := strings.Split(why, "; ")
				slices.Sort(parts)
				return head + ": " + strings.Join(parts, "; ")
			}
			if finished.Status != tc.status || sortWhy(finished.Error) != tc.errText || finished.Exact != tc.exact {
				t.Errorf("finished %+v, want status %s, error %q, exact %v", finished, tc.status, tc.errText, tc.exact)
			}
			if sum.FailedTargets != tc.failed {
				t.Errorf("failed targets = %d, want %d", sum.FailedTargets, tc.failed)
			}
			env.AssertExpectations(t)
		})
	}
}

func TestSiteScanWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	Register(env, &Activities{})
	var a *Activities
	target := adscan.ScanTarget{URL: "https://a.example/", MaxPages: 5}
	env.OnActivity(a.CrawlSite, mock.Anything, CrawlSiteInput{ScanID: "scan-4", Target: target}).
		Return(SiteScanResult{Pages: 5, Flagged: 2, Cases: 2, NewCases: 2}, nil).Once()
	env.OnActivity(a.EnsureReviews, mock.Anything, EnsureReviewsInput{ScanID: "scan-4", Target: target.URL}).Return(1, nil).Once()

	env.ExecuteWorkflow(SiteScanWorkflow, SiteScanInput{ScanID: "scan-4", Target: target})

	var r SiteScanResult
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	if r.Pages != 5 || r.Cases != 2 || r.Reviews != 1 {
		t.Errorf("result %+v", r)
	}
	env.AssertExpectations(t)
}

// TestSiteScanSkipsEnsureReviewsAfterACompleteCrawl: a crawl that started
// every review itself in one attempt leaves EnsureReviews nothing to do, so
// the workflow does not schedule it (the mock would fail the test if it did).
func TestSiteScanSkipsEnsureReviewsAfterACompleteCrawl(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	Register(env, &Activities{})
	var a *Activities
	env.OnActivity(a.CrawlSite, mock.Anything, mock.Anything).
		Return(SiteScanResult{Pages: 5, Cases: 2, NewCases: 2, ReviewsStarted: true}, nil).Once()
	ran := false
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		ran = ran || info.ActivityType.Name == "EnsureReviews"
	})
	env.ExecuteWorkflow(SiteScanWorkflow, SiteScanInput{ScanID: "scan-6", Target: adscan.ScanTarget{URL: "https://a.example/"}})
	var r SiteScanResult
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	if ran || r.Cases != 2 || r.Reviews != 0 {
		t.Errorf("EnsureReviews ran: %v; result %+v", ran, r)
	}
}

func TestMergeCounts(t *testing.T) {
	a := []CategoryCount{{adscan.CategoryRanking, 2}, {"custom", 1}}
	b := []CategoryCount{{adscan.CategoryTutoringAd, 1}, {adscan.CategoryRanking, 1}}
	got := fmt.Sprint(mergeCounts(a, b))
	want := fmt.Sprint([]CategoryCount{{adscan.CategoryTutoringAd, 1}, {adscan.CategoryRanking, 3}, {"custom", 1}})
	if got != want {
		t.Errorf("mergeCounts = %s, want %s", got, want)
	}
}

// TestScanWorkflowCanceledMarksScanFailed: a scan canceled while its site
// scans run — children, or the crawl of a scan of one target — is recorded
// as failed, saying so.
func TestScanWorkflowCanceledMarksScanFailed(t *testing.T) {
	for _, tc := range []struct {
		targets int
		after   time.Duration // the first site scan takes a minute
	}{{6, 90 * time.Second}, {1, 30 * time.Second}} {
		t.Run(fmt.Sprintf("%d targets", tc.targets), func(t *testing.T) {
			env, sites := newScanEnv(t)
			var a *Activities
			env.OnActivity(a.RecordScanStart, mock.Anything, mock.Anything).Return(nil).Once()
			env.OnActivity(a.FinishScan, mock.Anything, mock.MatchedBy(func(in FinishScanInput) bool {
				return in.ScanID == "scan-5" && in.Status == adscan.ScanFailed && strings.Contains(in.Error, "canceled")
			})).Return(nil).Once()
			env.RegisterDelayedCallback(env.CancelWorkflow, tc.after)
			env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-5", Targets: targets(tc.targets)})
			if err := env.GetWorkflowError(); err == nil || !temporal.IsCanceledError(err) {
				t.Errorf("workflow error = %v, want canceled", err)
			}
			if len(sites.started) == 0 {
				t.Error("no site scan started before the cancel")
			}
			env.AssertExpectations(t)
		})
	}
}

// TestSiteScanCrawlsOnTheCrawlQueue: the crawl activity is scheduled on
// the crawl task queue, the others on the shared one, so crawl and review
// capacity scale apart.
func TestSiteScanCrawlsOnTheCrawlQueue(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	Register(env, &Activities{})
	var a *Activities
	env.OnActivity(a.CrawlSite, mock.Anything, mock.Anything).Return(SiteScanResult{Pages: 1}, nil).Once()
	env.OnActivity(a.EnsureReviews, mock.Anything, mock.Anything).Return(0, nil).Once()
	queues := map[string]string{}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		queues[info.ActivityType.Name] = info.TaskQueue
	})
	env.ExecuteWorkflow(SiteScanWorkflow, SiteScanInput{ScanID: "s1", Target: adscan.ScanTarget{URL: "https://a.example/"}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if queues["CrawlSite"] != CrawlTaskQueue || queues["EnsureReviews"] == CrawlTaskQueue {
		t.Errorf("activities ran on %v; want CrawlSite alone on %s", queues, CrawlTaskQueue)
	}
}

// TestScanWorkflowResolvesProfilesAtStart: a scan whose targets name a
// platform profile (a schedule's run carries the profile alone) resolves
// them when it starts, and records and crawls the sites they resolve to —
// as scans did before "resolve-profiles-per-target", all in one call (see
// scan_profile_test.go for today's).
func TestScanWorkflowResolvesProfilesAtStart(t *testing.T) {
	env, sites := newScanEnv(t)
	env.OnGetVersion("resolve-profiles-per-target", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	var a *Activities
	given := []adscan.ScanTarget{{URL: "https://a.example/"}, {Profile: "pingtai", MaxPages: 40}}
	resolved := []adscan.ScanTarget{{URL: "https://a.example/"}, {URL: "https://new.pingtai.example/", Profile: "pingtai", MaxPages: 40}}
	env.OnActivity(a.ResolveProfileTargets, mock.Anything, ResolveProfileTargetsInput{ScanID: "scan-p", Targets: given}).Return(resolved, nil).Once()
	env.OnActivity(a.RecordScanStart, mock.Anything, RecordScanStartInput{ScanID: "scan-p", ScheduleID: "nightly", Targets: resolved}).Return(nil).Once()
	env.OnActivity(a.FinishScan, mock.Anything, mock.Anything).Return(nil).Once()
	env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-p", ScheduleID: "nightly", Targets: given})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	// Site scans start in one workflow task; the test environment reports
	// their starts in no fixed order.
	crawled := slices.Sorted(slices.Values(sites.started))
	if fmt.Sprint(crawled) != "[https://a.example/ https://new.pingtai.example/]" {
		t.Errorf("site scans of %v, want the profile's site as resolved at the start", crawled)
	}
	env.AssertExpectations(t)
}

// TestScanWorkflowFailsOnAnUnresolvedProfile: before
// "resolve-profiles-per-target", a profile that no longer resolved failed
// the scan before any crawl; the scan was recorded, failed, with the
// activity's reason. Workflows started then still do.
func TestScanWorkflowFailsOnAnUnresolvedProfile(t *testing.T) {
	env, sites := newScanEnv(t)
	env.OnGetVersion("resolve-profiles-per-target", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	var a *Activities
	given := []adscan.ScanTarget{{Profile: "gone"}}
	env.OnActivity(a.ResolveProfileTargets, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError("targets[0]: profile gone is not registered", errTypeInvalid, nil)).Once()
	env.OnActivity(a.RecordScanStart, mock.Anything, RecordScanStartInput{ScanID: "scan-g", Targets: given}).Return(nil).Once()
	env.OnActivity(a.FinishScan, mock.Anything, FinishScanInput{ScanID: "scan-g", Status: adscan.ScanFailed,
		Error: "workflows: scan scan-g: targets[0]: profile gone is not registered"}).Return(nil).Once()
	env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-g", Targets: given})
	if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "profile gone is not registered") {
		t.Errorf("workflow error = %v, want the profile named", err)
	}
	if len(sites.started) != 0 {
		t.Errorf("site scans of %v started", sites.started)
	}
	env.AssertExpectations(t)
}

// TestScanWorkflowOfOneTargetCrawlsItself: a scan of one target has
// nothing to fan out and runs its site scan in its own history (no child
// workflow); its crawl activity runs on the crawl queue. Scans of one
// target started before "site-scan-inline" still run a child.
func TestScanWorkflowOfOneTargetCrawlsItself(t *testing.T) {
	for _, tc := range []struct {
		name     string
		version  workflow.Version
		children int
	}{
		{"today", 1, 0},
		{"before site-scan-inline", workflow.DefaultVersion, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := newScanEnv(t)
			if tc.version == workflow.DefaultVersion {
				env.OnGetVersion("site-scan-inline", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			children, queues := 0, map[string]string{}
			env.SetOnChildWorkflowStartedListener(func(*workflow.Info, workflow.Context, converter.EncodedValues) { children++ })
			env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				queues[info.ActivityType.Name] = info.TaskQueue
			})
			var a *Activities
			env.OnActivity(a.RecordScanStart, mock.Anything, mock.Anything).Return(nil).Once()
			env.OnActivity(a.FinishScan, mock.Anything, FinishScanInput{ScanID: "scan-1t", Status: adscan.ScanCompleted, Pages: 2, Exact: true}).Return(nil).Once()

			env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-1t", Targets: []adscan.ScanTarget{{URL: "https://site1.example/"}}})

			var sum ScanSummary
			if err := env.GetWorkflowResult(&sum); err != nil {
				t.Fatal(err)
			}
			want := ScanSummary{Targets: 1, Pages: 2, Cases: 1, ByCategory: []CategoryCount{{adscan.CategoryRanking, 1}}}
			if fmt.Sprint(sum) != fmt.Sprint(want) {
				t.Errorf("summary %+v, want %+v", sum, want)
			}
			if children != tc.children {
				t.Errorf("%d child workflows, want %d", children, tc.children)
			}
			if tc.children == 0 && queues["CrawlSite"] != CrawlTaskQueue {
				t.Errorf("activities ran on %v; want CrawlSite on %s", queues, CrawlTaskQueue)
			}
			env.AssertExpectations(t)
		})
	}
}
