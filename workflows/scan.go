package workflows

import (
	"errors"
	"fmt"
	"strings"
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
	// Unresolved are the targets whose platform profile did not resolve
	// when the scan started (since version 1 of
	// "resolve-profiles-per-target"): they failed without a site scan, and
	// the scan's error text says why. Carried into a continued run.
	Unresolved []UnresolvedTarget `json:"unresolved,omitempty"`
}

// UnresolvedTarget is a target of a scan whose platform profile did not
// resolve when the scan started: not registered, or its site refused.
type UnresolvedTarget struct {
	Index   int    `json:"index"` // the target's place in the scan
	Profile string `json:"profile"`
	Error   string `json:"error"` // why, naming the target and the profile
}

// ScanSummary is what a scan found.
type ScanSummary struct {
	Targets int `json:"targets"` // site scans finished
	// FailedTargets counts the targets that failed for good: their site
	// scan failed, or their profile did not resolve (ScanInput.Unresolved).
	FailedTargets int `json:"failed_targets"`
	// Unreachable counts the targets whose site scan finished with every
	// fetch it tried failing (a dead host, a refused connection, a seed
	// that answers 404): nothing of the site was read, so they fail the scan
	// as failed targets do (FailedTargets stays the site scans that failed).
	Unreachable int `json:"unreachable,omitempty"`
	Pages       int `json:"pages"`
	Errors      int `json:"errors"`
	// Cases counts the cases each site scan created or sighted.
	Cases int `json:"cases"`
	// ByCategory counts those cases by flagged category, in adscan.Categories order.
	ByCategory []CategoryCount `json:"by_category,omitempty"`
	// Failures says why site scans failed ("URL: message"), the first
	// maxUnresolvedText of them: the scan's error text names them, so a
	// failed scan says why without a look at the workers' logs.
	Failures []string `json:"failures,omitempty"`
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
// platform profile from the profile as registered now (resolveProfiles),
// records the scan, runs a SiteScanWorkflow child per target with at most
// MaxConcurrent at once (a scan of one target runs its site scan itself),
// continues as new every ContinueAsNewAfter targets,
// finally marks the scan finished and returns the summary. A target whose
// profile does not resolve gets no site scan and, like a target whose site
// scan fails, counts in FailedTargets; the scan's error text says how many
// targets failed and why each profile did not resolve, and the scan fails
// only when every target failed. A scan that ends otherwise (canceled,
// say) is marked failed with the reason.
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
	// The scan records its start and end (RecordScanStart, FinishScan) in
	// local activities since version 1 of "scan-store-local": as activity
	// tasks, those round trips grew as a worker ran on, and without them a
	// scan of instant pages runs about a third faster over 10-20 scans
	// (README, "Orchestration"). Both are short idempotent store writes,
	// retried until the store answers.
	storeCtx, runStore := storeActivity(ctx, "scan-store-local")
	var a *Activities
	defer func() {
		var can *workflow.ContinueAsNewError
		if err == nil || errors.As(err, &can) {
			return
		}
		dctx, _ := workflow.NewDisconnectedContext(storeCtx)
		ferr := runStore(dctx, a.FinishScan, FinishScanInput{
			ScanID: in.ScanID, Status: adscan.ScanFailed, Error: err.Error(),
		}).Get(dctx, nil)
		if ferr != nil {
			logger.Error("could not mark the scan failed", "scan", in.ScanID, "error", ferr)
		}
	}()

	if in.Offset == 0 {
		resolveErr := resolveProfiles(ctx, &in)
		// A scan whose profiles could not be resolved is recorded all the
		// same, as failed with why, so a schedule's run does not vanish.
		err := runStore(storeCtx, a.RecordScanStart, RecordScanStartInput{
			ScanID: in.ScanID, ScheduleID: in.ScheduleID, CreatedBy: in.CreatedBy, Targets: in.Targets,
		}).Get(ctx, nil)
		if err != nil {
			return in.Summary, fmt.Errorf("workflows: record scan %s: %w", in.ScanID, err)
		}
		if resolveErr != nil {
			return in.Summary, fmt.Errorf("workflows: scan %s: %s", in.ScanID, errorMessage(resolveErr))
		}
	}

	// A scan of many targets fans out to a SiteScanWorkflow child per
	// target. A scan of one target has nothing to fan out: since version 1
	// of "site-scan-inline" it runs its site scan in its own history, which
	// saves the child's start, first task and completion (about 25 ms of a
	// scan that may take 0.3 s).
	inline := len(in.Targets) == 1 && workflow.GetVersion(ctx, "site-scan-inline", workflow.DefaultVersion, 1) == 1
	startSiteScan := func(sin SiteScanInput) workflow.Future {
		if !inline {
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: SiteScanChildID(in.ScanID, sin.Index),
			})
			return workflow.ExecuteChildWorkflow(cctx, SiteScanWorkflowName, sin)
		}
		f, set := workflow.NewFuture(ctx)
		workflow.Go(ctx, func(ctx workflow.Context) {
			r, err := siteScan(ctx, sin)
			set.Set(r, err)
		})
		return f
	}
	end := min(len(in.Targets), in.Offset+in.ContinueAsNewAfter)
	next, running := in.Offset, 0
	sel := workflow.NewSelector(ctx)
	for next < end || running > 0 {
		for next < end && running < in.MaxConcurrent {
			i := next
			next++
			if in.unresolved(i) {
				continue // failed at the start: no site scan
			}
			f := startSiteScan(SiteScanInput{
				ScanID: in.ScanID, Target: in.Targets[i], Index: i, CrawlHeartbeatTimeout: in.CrawlHeartbeatTimeout,
			})
			sel.AddFuture(f, func(f workflow.Future) {
				running--
				var r SiteScanResult
				if err := f.Get(ctx, &r); err != nil {
					logger.Warn("site scan failed", "scan", in.ScanID, "target", in.Targets[i].URL, "error", err)
					in.Summary.FailedTargets++
					if len(in.Summary.Failures) < maxUnresolvedText {
						in.Summary.Failures = append(in.Summary.Failures, in.Targets[i].URL+": "+errorMessage(err))
					}
					return
				}
				in.Summary.add(r)
				if r.Pages > 0 && r.FetchErrors >= r.Pages {
					in.Summary.Unreachable++
					if len(in.Summary.Failures) < maxUnresolvedText {
						in.Summary.Failures = append(in.Summary.Failures,
							fmt.Sprintf("%s: no page could be fetched (%d tried, all failed)", in.Targets[i].URL, r.Pages))
					}
				}
			})
			running++
		}
		if running == 0 {
			break // the run's last targets were unresolved
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
	if n, bad := len(in.Targets), in.Summary.FailedTargets+in.Summary.Unreachable; n > 0 && bad == n {
		status, errText = adscan.ScanFailed, fmt.Sprintf("all %d targets failed", n)
	} else if bad > 0 {
		errText = fmt.Sprintf("%d of %d targets failed", bad, n)
	}
	if why := failureText(in.Unresolved, in.Summary); why != "" {
		errText += ": " + why
	}
	// The totals are exact when every site scan that ran finished.
	err = runStore(storeCtx, a.FinishScan, FinishScanInput{
		ScanID: in.ScanID, Status: status, Error: errText,
		Pages: in.Summary.Pages, Errors: in.Summary.Errors, Exact: in.Summary.FailedTargets == len(in.Unresolved),
	}).Get(ctx, nil)
	if err != nil {
		return in.Summary, fmt.Errorf("workflows: finish scan %s: %w", in.ScanID, err)
	}
	return in.Summary, nil
}

// resolveProfiles completes in's targets that name a platform profile from
// the profiles as registered now, in an activity, before the scan is
// recorded: a schedule keeps a profile's name alone, so each run uses the
// profile as registered on the day.
//
// Versions: histories recorded before "resolve-profiles-at-start" crawl the
// site their targets carry (nothing is resolved). Under its version 1 and
// before "resolve-profiles-per-target", ResolveProfileTargets resolves every
// target or none: a profile that does not resolve is the error returned,
// and the caller fails the scan. Since version 1 of
// "resolve-profiles-per-target", ResolveScanTargets resolves each target on
// its own: one whose profile does not resolve joins in.Unresolved, keeps
// its profile alone and counts in FailedTargets, and the others are
// scanned. The error returned then is the activity's own failure (a store
// refusing for good, or the scan canceled), never a target's.
func resolveProfiles(ctx workflow.Context, in *ScanInput) error {
	if !namesProfile(in.Targets) || workflow.GetVersion(ctx, "resolve-profiles-at-start", workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	var a *Activities
	actx := shortActivity(ctx)
	req := ResolveProfileTargetsInput{ScanID: in.ScanID, Targets: in.Targets}
	if workflow.GetVersion(ctx, "resolve-profiles-per-target", workflow.DefaultVersion, 1) != 1 {
		var resolved []adscan.ScanTarget
		err := workflow.ExecuteActivity(actx, a.ResolveProfileTargets, req).Get(ctx, &resolved)
		if err == nil {
			in.Targets = resolved
		}
		return err
	}
	var res []TargetResolution
	if err := workflow.ExecuteActivity(actx, a.ResolveScanTargets, req).Get(ctx, &res); err != nil {
		return err
	}
	if len(res) != len(in.Targets) {
		return fmt.Errorf("workflows: %d targets resolved of the scan's %d", len(res), len(in.Targets))
	}
	targets := make([]adscan.ScanTarget, len(res))
	for i, r := range res {
		targets[i] = r.Target
		if r.Error == "" {
			continue
		}
		workflow.GetLogger(ctx).Warn("a target's profile did not resolve", "scan", in.ScanID, "profile", r.Target.Profile, "error", r.Error)
		in.Unresolved = append(in.Unresolved, UnresolvedTarget{Index: i, Profile: r.Target.Profile, Error: r.Error})
		in.Summary.FailedTargets++
	}
	in.Targets = targets
	return nil
}

// unresolved reports whether the scan's i-th target is one whose profile
// did not resolve.
func (in *ScanInput) unresolved(i int) bool {
	for _, u := range in.Unresolved {
		if u.Index == i {
			return true
		}
	}
	return false
}

// maxUnresolvedText is how many unresolved targets a scan's error text
// names; it says how many more there are.
const maxUnresolvedText = 10

// failureText says why the scan's targets failed: the profiles that did
// not resolve, then the site scans that failed (as many as Failures
// keeps), at most maxUnresolvedText reasons and how many more.
func failureText(unresolved []UnresolvedTarget, sum ScanSummary) string {
	reasons := make([]string, 0, len(unresolved)+len(sum.Failures))
	for _, u := range unresolved {
		reasons = append(reasons, u.Error)
	}
	reasons = append(reasons, sum.Failures...)
	// FailedTargets counts the unresolved targets too; Failures keeps only
	// the first site failures.
	total := max(sum.FailedTargets+sum.Unreachable, len(reasons))
	shown := reasons[:min(len(reasons), maxUnresolvedText)]
	text := strings.Join(shown, "; ")
	if more := total - len(shown); more > 0 && len(shown) > 0 {
		text += fmt.Sprintf("; and %d more", more)
	}
	return text
}
