package workflows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"adscan"
)

// Client is the Temporal implementation of adscan.Orchestrator.
type Client struct {
	Temporal client.Client
	Store    adscan.Store
	// AllowPrivate lets scans and schedules target private, loopback and
	// link-local addresses.
	AllowPrivate bool
	// MaxConcurrent bounds each scan's concurrent site scans (default 4).
	MaxConcurrent int
	// ReviewSLA is the SLA of review workflows Decide has to start (default 72h).
	ReviewSLA time.Duration
	// CrawlHeartbeatTimeout is the crawl heartbeat timeout of the scans it
	// starts (see ScanInput; default 30 s).
	CrawlHeartbeatTimeout time.Duration
	// DecideTimeout bounds how long Decide waits for the review workflow to
	// apply a decision (default 30 s; no worker → EUNAVAILABLE).
	DecideTimeout time.Duration
	Now           func() time.Time // default time.Now
	NewID         func() string    // default: "scan-" + time + random
}

var _ adscan.Orchestrator = (*Client)(nil)

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) newScanID() string {
	if c.NewID != nil {
		return c.NewID()
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "scan-" + c.now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// StartScan validates the targets (EINVALID naming the first bad one), starts
// the scan's ScanWorkflow (workflow ID = scan ID) and records the scan as
// running. Nothing is written when Temporal cannot be reached (EUNAVAILABLE).
func (c *Client) StartScan(ctx context.Context, req adscan.ScanRequest) (adscan.Scan, error) {
	targets, err := ParseTargets(req.Targets, c.AllowPrivate)
	if err != nil {
		return adscan.Scan{}, err
	}
	if targets, err = c.resolveProfiles(ctx, targets); err != nil {
		return adscan.Scan{}, err
	}
	req.Targets = targets
	id := c.newScanID()
	in := ScanInput{ScanID: id, CreatedBy: req.CreatedBy, Targets: req.Targets, MaxConcurrent: c.MaxConcurrent,
		CrawlHeartbeatTimeout: c.CrawlHeartbeatTimeout}
	_, err = c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, ScanWorkflowName, in)
	if err != nil {
		return adscan.Scan{}, temporalError("start scan "+id, err)
	}
	scan := adscan.Scan{
		ID: id, Status: adscan.ScanRunning, Targets: req.Targets, CreatedBy: req.CreatedBy, StartedAt: c.now(),
	}
	err = c.Store.CreateScan(ctx, scan)
	if adscan.ErrorCode(err) == adscan.ECONFLICT {
		// The workflow's RecordScanStart got there first.
		return c.Store.GetScan(ctx, id)
	}
	// Any other failure: the workflow records the scan itself, so it is
	// started all the same.
	return scan, nil
}

// ParseTargets checks a scan's targets — at least one, each as
// adscan.ParseScanTarget — and returns them with their URLs in canonical
// form. The error is EINVALID naming the first bad URL.
func ParseTargets(targets []adscan.ScanTarget, allowPrivate bool) ([]adscan.ScanTarget, error) {
	if len(targets) == 0 {
		return nil, adscan.Errorf(adscan.EINVALID, "a scan needs at least one target")
	}
	out := make([]adscan.ScanTarget, len(targets))
	first := map[string]int{} // a site's URL, or a profile's name → its first index
	for i, t := range targets {
		var err error
		if out[i], err = adscan.ParseScanTarget(t, allowPrivate); err != nil {
			return nil, err
		}
		key, what := "url "+out[i].URL, out[i].URL
		if out[i].Profile != "" {
			key, what = "profile "+out[i].Profile, "profile "+out[i].Profile
		}
		if j, dup := first[key]; dup {
			// Crawled twice, its pages would count twice in the scan's totals.
			return nil, adscan.Errorf(adscan.EINVALID, "targets[%d] repeats targets[%d] (%s)", i, j, what).
				ZHf("第 %d 个目标与第 %d 个重复（%s）。", i+1, j+1, what)
		}
		first[key] = i
	}
	return out, nil
}

// resolveProfiles completes the targets that name a platform profile with
// the profile's site and render mode (adscan.ResolveProfileTargets).
// EINVALID naming the target for an unregistered profile, or when there
// is no store to look it up in.
func (c *Client) resolveProfiles(ctx context.Context, targets []adscan.ScanTarget) ([]adscan.ScanTarget, error) {
	if c.Store == nil {
		for i, t := range targets {
			if t.Profile != "" {
				return nil, adscan.Errorf(adscan.EINVALID, "targets[%d]: profile %s: looking profiles up needs the adscan database (--db DSN or $ADSCAN_DB)", i, t.Profile)
			}
		}
		return targets, nil
	}
	return adscan.ResolveProfileTargets(ctx, c.Store.GetProfile, targets, c.AllowPrivate)
}

// Decide hands the decision to the case's review workflow (an Update that
// waits until the decision is applied) and returns the case from the store.
// Errors: EINVALID for an unknown decision or no reviewer name; ECONFLICT for
// a decision the case's state does not allow (also for a closed case, whose
// review has ended); ENOTFOUND for an unknown case; EUNAVAILABLE when Temporal
// or the workers do not answer.
func (c *Client) Decide(ctx context.Context, caseID string, d adscan.CaseDecision) (adscan.Case, error) {
	if !d.Decision.Valid() {
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "unknown decision %q: want confirm, dismiss or escalate", d.Decision)
	}
	if strings.TrimSpace(d.By) == "" {
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "a decision needs the reviewer's name")
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = c.now()
	}
	timeout := c.DecideTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := c.update(ctx, caseID, d)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// No running review: the case is closed, unknown, or lost its
		// workflow (then start it and try again).
		cs, gerr := c.Store.GetCase(ctx, caseID)
		if gerr != nil {
			return adscan.Case{}, gerr
		}
		if cs.State != adscan.CaseOpen && cs.State != adscan.CaseEscalated {
			return adscan.Case{}, adscan.Errorf(adscan.ECONFLICT, "case %s is %s; it cannot take the decision %s", caseID, cs.State, d.Decision)
		}
		a := &Activities{Temporal: c.Temporal, ReviewSLA: c.ReviewSLA}
		if _, serr := a.startReview(ctx, caseID); serr != nil {
			return adscan.Case{}, temporalError("start review of case "+caseID, serr)
		}
		err = c.update(ctx, caseID, d)
	}
	if err != nil {
		return adscan.Case{}, decisionError(caseID, err)
	}
	return c.Store.GetCase(ctx, caseID)
}

func (c *Client) update(ctx context.Context, caseID string, d adscan.CaseDecision) error {
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   ReviewWorkflowID(caseID),
		UpdateName:   DecisionUpdate,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var r DecisionResult
	return h.Get(ctx, &r)
}

// decisionError maps a failed decision Update to an *adscan.Error.
func decisionError(caseID string, err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case errTypeInvalid:
			return adscan.Errorf(adscan.EINVALID, "%s", appErr.Message())
		case errTypeConflict:
			return adscan.Errorf(adscan.ECONFLICT, "%s", appErr.Message())
		case errTypeNotFound:
			return adscan.Errorf(adscan.ENOTFOUND, "%s", appErr.Message())
		}
	}
	return temporalError("decide case "+caseID, err)
}

// temporalError maps an error of a Temporal call: unreachable or timed out →
// EUNAVAILABLE, unknown → ENOTFOUND, rejected argument → EINVALID; anything
// else is wrapped as is.
func temporalError(action string, err error) error {
	if err == nil {
		return nil
	}
	var (
		unavail  *serviceerror.Unavailable
		deadline *serviceerror.DeadlineExceeded
		notFound *serviceerror.NotFound
		badArg   *serviceerror.InvalidArgument
	)
	switch {
	case errors.As(err, &unavail), errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		return adscan.Errorf(adscan.EUNAVAILABLE, "%s: Temporal did not answer: %v", action, err)
	case errors.As(err, &notFound):
		return adscan.Errorf(adscan.ENOTFOUND, "%s: not found", action)
	case errors.As(err, &badArg):
		return adscan.Errorf(adscan.EINVALID, "%s: %s", action, badArg.Message)
	}
	var ae *adscan.Error
	if errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("workflows: %s: %w", action, err)
}
