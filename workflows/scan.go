package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"adscan"
)

// ScanInput is the input of ScanWorkflow.
type ScanInput struct {
	// ScanID names the scan's row in the store; "" means the workflow ID,
	// so runs started by a schedule get one each.
	ScanID string `json:"scan_id,omitempty"`
	// ScheduleID is the schedule that started the scan, if any.
	ScheduleID string              `json:"schedule_id,omitempty"`
	CreatedBy  string              `json:"created_by,omitempty"`
	Targets    []adscan.ScanTarget `json:"targets"`
	// MaxConcurrent bounds the site scans running at once (default 4).
	MaxConcurrent int `json:"max_concurrent,omitempty"`
	// ContinueAsNewAfter is how many targets one run handles before it
	// continues as new (default 200).
	ContinueAsNewAfter int `json:"continue_as_new_after,omitempty"`
	// CrawlHeartbeatTimeout is how long a crawl may go without a heartbeat
	// before Temporal retries it on another worker (resuming from its last
	// checkpoint); 0 means the default, 30 s.
	CrawlHeartbeatTimeout time.Duration `json:"crawl_heartbeat_timeout,omitempty"`
	// Offset and Summary carry the progress into a continued run.
	Offset  int         `json:"offset,omitempty"`
	Summary ScanSummary `json:"summary"`
}

// ScanSummary is what a scan found.
type ScanSummary struct {
	Targets       int `json:"targets"`        // site scans finished
	FailedTargets int `json:"failed_targets"` // site scans that failed for good
	Pages         int `json:"pages"`
	Errors        int `json:"errors"`
	// Cases counts the cases each site scan created or sighted.
	Cases int `json:"cases"`
	// ByCategory counts those cases by flagged category, in adscan.Categories order.
	ByCategory []CategoryCount `json:"by_category,omitempty"`
}

// CategoryCount is a number of cases flagged with a category.
type CategoryCount struct {
	Category adscan.Category `json:"category"`
	Cases    int             `json:"cases"`
}

// add adds a site scan's result to the summary.
func (s *ScanSummary) add(r SiteScanResult) {
	s.Targets++
	s.Pages += r.Pages
	s.Errors += r.Errors
	s.Cases += r.Cases
	s.ByCategory = mergeCounts(s.ByCategory, r.ByCategory)
}

// mergeCounts adds b to a and returns the sum in adscan.Categories order
// (unknown categories after, in first-seen order). It never ranges a map.
func mergeCounts(a, b []CategoryCount) []CategoryCount {
	var out []CategoryCount
	total := func(c adscan.Category) (n int, seen bool) {
		for _, x := range a {
			if x.Category == c {
				n, seen = n+x.Cases, true
			}
		}
		for _, x := range b {
			if x.Category == c {
				n, seen = n+x.Cases, true
			}
		}
		return n, seen
	}
	for _, c := range adscan.Categories {
		if n, seen := total(c); seen {
			out = append(out, CategoryCount{Category: c, Cases: n})
		}
	}
	for _, list := range [][]CategoryCount{a, b} {
		for _, x := range list {
			if x.Category.Valid() || containsCategory(out, x.Category) {
				continue
			}
			n, _ := total(x.Category)
			out = append(out, CategoryCount{Category: x.Category, Cases: n})
		}
	}
	return out
}

func containsCategory(list []CategoryCount, c adscan.Category) bool {
	for _, x := range list {
		if x.Category == c {
			return true
		}
	}
	return false
}

// namesProfile reports whether a target names a platform profile.
func namesProfile(targets []adscan.ScanTarget) bool {
	for _, t := range targets {
		if t.Profile != "" {
			return true
		}
	}
	return false
}

// errorMessage is the message of the application error in err's chain
// (an activity's own words, without the activity's IDs), else err's.
func errorMessage(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

// SiteScanChildID is the workflow ID of the site scan of a scan's i-th target.
func SiteScanChildID(scanID string, i int) string { return fmt.Sprintf("%s/site-%d", scanID, i) }

// ScanWorkflow scans every target of in: it completes the targets naming a
// platform profile from the profile as registered now (a profile that
// does not resolve fails the scan, recorded with why), records the scan, runs a
// SiteScanWorkflow child per target with at most MaxConcurrent at once,
// continues as new every ContinueAsNewAfter targets, finally marks the scan
// finished and returns the summary. A target whose site scan fails counts in
// FailedTargets; the scan fails only when every target failed. A scan that
// ends otherwise (canceled, say) is marked failed with the reason.
func ScanWorkflow(ctx workflow.Context, in ScanInput) (sum ScanSummary, err error) {
	info := workflow.GetInfo(ctx)
	if in.ScanID == "" {
		in.ScanID = info.WorkflowExecution.ID
	}
	if in.MaxConcurrent <= 0 {
		in.MaxConcurrent = DefaultMaxConcurrent
	}
	if in.ContinueAsNewAfter <= 0 {
		in.ContinueAsNewAfter = DefaultContinueAsNewAfter
	}
	logger := workflow.GetLogger(ctx)
	actx := shortActivity(ctx)
	var a *Activities
	defer func() {
		var can *workflow.ContinueAsNewError
		if err == nil || errors.As(err, &can) {
			return
		}
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		ferr := workflow.ExecuteActivity(shortActivity(dctx), a.FinishScan, FinishScanInput{
			ScanID: in.ScanID, Status: adscan.ScanFailed, Error: err.Error(),
		}).Get(dctx, nil)
		if ferr != nil {
			logger.Error("could not mark the scan failed", "scan", in.ScanID, "error", ferr)
		}
	}()

	if in.Offset == 0 {
		// Since version 1 of this workflow, a scan resolves the targets
		// that name a platform profile when it starts, so a schedule's
		// runs use each profile as registered on the day; histories
		// recorded before it crawl the site their target carries.
		var resolveErr error
		if namesProfile(in.Targets) && workflow.GetVersion(ctx, "resolve-profiles-at-start", workflow.DefaultVersion, 1) == 1 {
			var resolved []adscan.ScanTarget
			resolveErr = workflow.ExecuteActivity(actx, a.ResolveProfileTargets, ResolveProfileTargetsInput{
				ScanID: in.ScanID, Targets: in.Targets,
			}).Get(ctx, &resolved)
			if resolveErr == nil {
				in.Targets = resolved
			}
		}
		// A scan whose profiles do not resolve is recorded all the same,
		// as failed with why, so a schedule's run does not vanish.
		err := workflow.ExecuteActivity(actx, a.RecordScanStart, RecordScanStartInput{
			ScanID: in.ScanID, ScheduleID: in.ScheduleID, CreatedBy: in.CreatedBy, Targets: in.Targets,
		}).Get(ctx, nil)
		if err != nil {
			return in.Summary, fmt.Errorf("workflows: record scan %s: %w", in.ScanID, err)
		}
		if resolveErr != nil {
			return in.Summary, fmt.Errorf("workflows: scan %s: %s", in.ScanID, errorMessage(resolveErr))
		}
	}

	end := min(len(in.Targets), in.Offset+in.ContinueAsNewAfter)
	next, running := in.Offset, 0
	sel := workflow.NewSelector(ctx)
	for next < end || running > 0 {
		for next < end && running < in.MaxConcurrent {
			i := next
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: SiteScanChildID(in.ScanID, i),
			})
			f := workflow.ExecuteChildWorkflow(cctx, SiteScanWorkflowName, SiteScanInput{
				ScanID: in.ScanID, Target: in.Targets[i], Index: i, CrawlHeartbeatTimeout: in.CrawlHeartbeatTimeout,
			})
			sel.AddFuture(f, func(f workflow.Future) {
				running--
				var r SiteScanResult
				if err := f.Get(ctx, &r); err != nil {
					logger.Warn("site scan failed", "scan", in.ScanID, "target", in.Targets[i].URL, "error", err)
					in.Summary.FailedTargets++
					return
				}
				in.Summary.add(r)
			})
			next++
			running++
		}
		sel.Select(ctx)
		if err := ctx.Err(); err != nil {
			return in.Summary, err // canceled: the children are canceled with us
		}
	}

	if end < len(in.Targets) {
		in.Offset = end
		return in.Summary, workflow.NewContinueAsNewError(ctx, ScanWorkflowName, in)
	}

	status, errText := adscan.ScanCompleted, ""
	if n := len(in.Targets); n > 0 && in.Summary.FailedTargets == n {
		status, errText = adscan.ScanFailed, fmt.Sprintf("all %d targets failed", n)
	} else if in.Summary.FailedTargets > 0 {
		errText = fmt.Sprintf("%d of %d targets failed", in.Summary.FailedTargets, n)
	}
	err = workflow.ExecuteActivity(actx, a.FinishScan, FinishScanInput{
		ScanID: in.ScanID, Status: status, Error: errText,
		Pages: in.Summary.Pages, Errors: in.Summary.Errors, Exact: in.Summary.FailedTargets == 0,
	}).Get(ctx, nil)
	if err != nil {
		return in.Summary, fmt.Errorf("workflows: finish scan %s: %w", in.ScanID, err)
	}
	return in.Summary, nil
}
