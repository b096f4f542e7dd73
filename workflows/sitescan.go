package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"adscan"
)

// SiteScanInput is the input of SiteScanWorkflow: one target of a scan.
type SiteScanInput struct {
	ScanID string            `json:"scan_id"`
	Target adscan.ScanTarget `json:"target"`
	Index  int               `json:"index"` // the target's place in the scan
	// CrawlHeartbeatTimeout overrides the crawl's heartbeat timeout (see ScanInput).
	CrawlHeartbeatTimeout time.Duration `json:"crawl_heartbeat_timeout,omitempty"`
}

// SiteScanResult is what one target's crawl recorded: counters only, never
// page bodies.
type SiteScanResult struct {
	Pages  int `json:"pages"`
	Errors int `json:"errors"`
	// FetchErrors are the Errors of fetches that failed (the others are
	// pages the store refused): as many as Pages, and nothing of the site
	// was read.
	FetchErrors int `json:"fetch_errors,omitempty"`
	Flagged     int `json:"flagged"` // pages with at least one flag
	// Cases counts the distinct cases the crawl created or sighted;
	// NewCases those it created.
	Cases      int             `json:"cases"`
	NewCases   int             `json:"new_cases"`
	ByCategory []CategoryCount `json:"by_category,omitempty"`
	// Reviews is how many review workflows EnsureReviews had to start.
	Reviews int `json:"reviews"`
	// ReviewsStarted: the crawl ran in one attempt from its start and
	// started the review of every open case it sighted, so EnsureReviews
	// has nothing to make good.
	ReviewsStarted bool `json:"reviews_started,omitempty"`
}

// Crawl activity timing: a crawl heartbeats at least three times per
// heartbeat timeout (the activity's own ticker) and may run for hours.
const (
	DefaultCrawlHeartbeatTimeout = 30 * time.Second
	crawlStartToClose            = 6 * time.Hour
)

// SiteScanWorkflow crawls one target in the CrawlSite activity (which
// heartbeats its checkpoint and resumes from it after a retry, recording
// captures, cases and review workflows as it goes), then runs EnsureReviews
// so every open case the crawl sighted has its review workflow even if a
// worker died between recording a case and starting its review.
func SiteScanWorkflow(ctx workflow.Context, in SiteScanInput) (SiteScanResult, error) {
	return siteScan(ctx, in)
}

// siteScan is a site scan's work: SiteScanWorkflow's whole body, and since
// version 1 of "site-scan-inline" what ScanWorkflow runs in its own history
// for a scan of one target.
func siteScan(ctx workflow.Context, in SiteScanInput) (SiteScanResult, error) {
	var a *Activities
	heartbeat := in.CrawlHeartbeatTimeout
	if heartbeat <= 0 {
		heartbeat = DefaultCrawlHeartbeatTimeout
	}
	cctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: crawlStartToClose,
		HeartbeatTimeout:    heartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			MaximumAttempts:    10,
		},
	})
	// Crawls run on their own task queue since version 1 of this workflow;
	// histories recorded before it replay on the shared one.
	if workflow.GetVersion(ctx, "crawl-task-queue", workflow.DefaultVersion, 1) == 1 {
		cctx = workflow.WithTaskQueue(cctx, CrawlTaskQueue)
	}
	var res SiteScanResult
	if err := workflow.ExecuteActivity(cctx, a.CrawlSite, CrawlSiteInput{ScanID: in.ScanID, Target: in.Target}).Get(ctx, &res); err != nil {
		return res, fmt.Errorf("workflows: crawl %s: %w", in.Target.URL, err)
	}
	// Since version 1, a crawl that started every review itself (one
	// attempt, no error) skips EnsureReviews: re-starting each of its cases'
	// reviews only to be told it runs cost a round trip to Temporal a case.
	if workflow.GetVersion(ctx, "skip-ensure-reviews", workflow.DefaultVersion, 1) == 1 && res.ReviewsStarted {
		return res, nil
	}
	var started int
	err := workflow.ExecuteActivity(shortActivity(ctx), a.EnsureReviews, EnsureReviewsInput{ScanID: in.ScanID, Target: in.Target.URL}).Get(ctx, &started)
	if err != nil {
		return res, fmt.Errorf("workflows: ensure reviews of %s: %w", in.Target.URL, err)
	}
	res.Reviews = started
	return res, nil
}
