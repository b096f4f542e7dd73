package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"adscan"
	"adscan/evidence"
)

// Activities holds the dependencies of adscan's activities; its exported
// methods are the activities. Register registers them.
type Activities struct {
	Store   adscan.Store
	Crawler SiteCrawler
	// Temporal starts review workflows (idempotently, by case).
	Temporal client.Client
	Referral ReferralConfig
	// ReviewSLA is the SLA handed to the review workflows the activities
	// start; 0 means DefaultReviewSLA.
	ReviewSLA time.Duration
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger     // default slog.Default()
	// Observer is told of pages, flags, cases, crawls and referrals (metrics).
	Observer Observer
	// AllowPrivate lets a scan's platform profiles have their site on a
	// private, loopback or link-local address (the worker's
	// --allow-private-targets; see ResolveProfileTargets).
	AllowPrivate bool
}

// ReferralConfig says where referral packages go: an HTTP endpoint if set,
// else files in OutboxDir.
type ReferralConfig struct {
	Endpoint   string
	OutboxDir  string
	HTTPClient *http.Client // default: a client with a 30 s timeout
	// Signer, when it has a key, makes an outbox delivery hold CASE.wacz,
	// the case's signed WACZ package (see referral_wacz.go), beside
	// CASE.json.
	Signer evidence.Signer
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// activityError wraps err for return from an activity: a store's EINVALID,
// ENOTFOUND or ECONFLICT will not change on retry, so it becomes a
// non-retryable application error carrying the code; anything else is
// retried.
func activityError(action string, err error) error {
	if err == nil {
		return nil
	}
	// The message is the store's, fit for a user (Client passes it on);
	// the cause keeps the action.
	msg, cause := adscan.ErrorMessage(err), fmt.Errorf("%s: %w", action, err)
	switch adscan.ErrorCode(err) {
	case adscan.EINVALID:
		return temporal.NewNonRetryableApplicationError(msg, errTypeInvalid, cause)
	case adscan.ENOTFOUND:
		return temporal.NewNonRetryableApplicationError(msg, errTypeNotFound, cause)
	case adscan.ECONFLICT:
		return temporal.NewNonRetryableApplicationError(msg, errTypeConflict, cause)
	}
	return fmt.Errorf("%s: %w", action, err)
}

// invalidInput is the non-retryable error of an activity given bad input.
func invalidInput(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errTypeInvalid, nil)
}

// RecordScanStartInput is the input of RecordScanStart.
type RecordScanStartInput struct {
	ScanID     string              `json:"scan_id"`
	ScheduleID string              `json:"schedule_id,omitempty"`
	CreatedBy  string              `json:"created_by,omitempty"`
	Targets    []adscan.ScanTarget `json:"targets"`
}

// RecordScanStart creates the scan's row as running unless it exists already
// (Client.StartScan creates it too; a retry finds it). An empty scan ID is a
// non-retryable error.
func (a *Activities) RecordScanStart(ctx context.Context, in RecordScanStartInput) error {
	if in.ScanID == "" {
		return invalidInput("workflows: record scan start: empty scan ID")
	}
	if _, err := a.Store.GetScan(ctx, in.ScanID); err == nil {
		return nil
	} else if adscan.ErrorCode(err) != adscan.ENOTFOUND {
		return activityError("workflows: get scan "+in.ScanID, err)
	}
	err := a.Store.CreateScan(ctx, adscan.Scan{
		ID:        in.ScanID,
		Status:    adscan.ScanRunning,
		Targets:   in.Targets,
		Schedule:  in.ScheduleID,
		CreatedBy: in.CreatedBy,
		StartedAt: a.now(),
	})
	if adscan.ErrorCode(err) == adscan.ECONFLICT {
		return nil // created concurrently by Client.StartScan
	}
	return activityError("workflows: create scan "+in.ScanID, err)
}

// ResolveProfileTargetsInput is the input of ResolveProfileTargets and
// of ResolveScanTargets.
type ResolveProfileTargetsInput struct {
	ScanID  string              `json:"scan_id"`
	Targets []adscan.ScanTarget `json:"targets"`
}

// ResolveProfileTargets returns the scan's targets with each one that
// names a platform profile completed from the profile as registered now
// (adscan.ResolveProfileTargets): its site and render mode, whatever URL
// and render mode the target carried (a schedule made before scans
// resolved their profiles carries the site of that day). The other
// targets are returned as they are. A profile that is not registered or
// whose site is refused is a non-retryable EINVALID error naming the
// target; a store failure is retried. Scans since version 1 of
// "resolve-profiles-per-target" run ResolveScanTargets instead; this one
// stays for the scans that started before.
func (a *Activities) ResolveProfileTargets(ctx context.Context, in ResolveProfileTargetsInput) ([]adscan.ScanTarget, error) {
	targets := make([]adscan.ScanTarget, len(in.Targets))
	for i, t := range in.Targets {
		targets[i] = t.ProfileOnly()
	}
	out, err := adscan.ResolveProfileTargets(ctx, a.Store.GetProfile, targets, a.AllowPrivate)
	if err != nil {
		return nil, activityError("workflows: resolve the profiles of scan "+in.ScanID, err)
	}
	return out, nil
}

// TargetResolution is what ResolveScanTargets made of one target of a
// scan: the target completed from its profile (or as it was, naming
// none), or, in Error, why its profile did not resolve — the target is
// then its profile alone (ScanTarget.ProfileOnly).
type TargetResolution struct {
	Target adscan.ScanTarget `json:"target"`
	Error  string            `json:"error,omitempty"`
}

// ResolveScanTargets resolves each of the scan's targets on its own
// (adscan.ResolveScanTarget) and returns one TargetResolution per target,
// in order: a target naming a platform profile is completed from the
// profile as registered now, whatever URL and render mode it carried; a
// profile that is not registered or whose site is refused is that
// target's Error (naming the target and the profile), and the others
// resolve all the same. Only a store failure fails the call, and is
// retried (it says nothing of the targets).
func (a *Activities) ResolveScanTargets(ctx context.Context, in ResolveProfileTargetsInput) ([]TargetResolution, error) {
	out := make([]TargetResolution, len(in.Targets))
	for i, t := range in.Targets {
		t = t.ProfileOnly()
		resolved, err := adscan.ResolveScanTarget(ctx, a.Store.GetProfile, i, t, a.AllowPrivate)
		switch {
		case err == nil:
			out[i] = TargetResolution{Target: resolved}
		case adscan.ErrorCode(err) == adscan.EINVALID:
			out[i] = TargetResolution{Target: t, Error: adscan.ErrorMessage(err)}
		default:
			return nil, activityError(fmt.Sprintf("workflows: resolve the profile of target %d of scan %s", i, in.ScanID), err)
		}
	}
	return out, nil
}

// FinishScanInput is the input of FinishScan.
type FinishScanInput struct {
	ScanID string            `json:"scan_id"`
	Status adscan.ScanStatus `json:"status"`
	Error  string            `json:"error,omitempty"`
	// Pages and Errors are the scan's totals from the site scans' results;
	// Exact says every site scan finished, so they are the whole truth.
	Pages  int  `json:"pages"`
	Errors int  `json:"errors"`
	Exact  bool `json:"exact"`
}

// FinishScan sets the scan's final status. When in.Exact, it first sets the
// scan's live counters to the totals (a crawl resumed from an older
// checkpoint may have counted pages twice). Running it again is harmless.
func (a *Activities) FinishScan(ctx context.Context, in FinishScanInput) error {
	if in.ScanID == "" || (in.Status != adscan.ScanCompleted && in.Status != adscan.ScanFailed) {
		return invalidInput("workflows: finish scan %q: bad status %q", in.ScanID, in.Status)
	}
	if in.Exact {
		s, err := a.Store.GetScan(ctx, in.ScanID)
		if err != nil {
			return activityError("workflows: get scan "+in.ScanID, err)
		}
		if dp, de := in.Pages-s.Pages, in.Errors-s.Errors; dp != 0 || de != 0 {
			a.logger().Info("workflows: correcting scan counters", "scan", in.ScanID, "pages", dp, "errors", de)
			if err := a.Store.AddScanProgress(ctx, in.ScanID, dp, de); err != nil {
				return activityError("workflows: correct counters of scan "+in.ScanID, err)
			}
		}
	}
	return activityError("workflows: finish scan "+in.ScanID, a.Store.FinishScan(ctx, in.ScanID, in.Status, in.Error))
}

// startReview starts the review workflow of a case unless one is running or
// has completed; it reports whether it started one.
func (a *Activities) startReview(ctx context.Context, caseID string) (bool, error) {
	if a.Temporal == nil {
		return false, errors.New("workflows: no Temporal client to start reviews")
	}
	sla := a.ReviewSLA
	if sla <= 0 {
		sla = DefaultReviewSLA
	}
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        ReviewWorkflowID(caseID),
		TaskQueue: TaskQueue,
		// A case is reviewed once: a running review fails the start
		// (conflict policy Fail), and so does one that completed; a review
		// that failed or was terminated may be started again.
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		// Eagerly: when this worker also runs review workflows, their
		// first task comes back in the start's answer, without a trip
		// through Temporal's matching service (the largest part of a
		// start's cost on the embedded server). Temporal ignores worker
		// versioning for an eager start; adscan's workers are unversioned
		// (deploy/README.md).
		EnableEagerStart: true,
	}, CaseReviewWorkflowName, CaseReviewInput{CaseID: caseID, SLA: sla})
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("workflows: start review of case %s: %w", caseID, err)
	}
	return true, nil
}
