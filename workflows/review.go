package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"adscan"
)

// CaseReviewInput is the input of CaseReviewWorkflow.
type CaseReviewInput struct {
	CaseID string `json:"case_id"`
	// SLA is how long an open case may wait for a reviewer before it is
	// escalated (default 72h).
	SLA time.Duration `json:"sla,omitempty"`
}

// CaseReviewResult is how a review ended.
type CaseReviewResult struct {
	CaseID string           `json:"case_id"`
	State  adscan.CaseState `json:"state"`
	// Referral is set when the case was referred.
	Referral *ReferralResult `json:"referral,omitempty"`
}

// DecisionResult is what the decision Update returns: the case's state after
// the decision. The case itself is read from the store.
type DecisionResult struct {
	CaseID string           `json:"case_id"`
	State  adscan.CaseState `json:"state"`
}

// CaseReviewWorkflow waits for a reviewer's decision on one case, through the
// "decision" Update (DecisionUpdate), whose validator rejects an unknown
// decision (type adscan.invalid) and one the case's current state does not
// allow, or one arriving while another is being applied (adscan.conflict).
// An open case still undecided when the SLA runs out is escalated by
// "system". Escalate keeps the review waiting; dismiss ends it; confirm runs
// the referral and then marks the case referred.
func CaseReviewWorkflow(ctx workflow.Context, in CaseReviewInput) (CaseReviewResult, error) {
	res := CaseReviewResult{CaseID: in.CaseID}
	if in.CaseID == "" {
		return res, temporal.NewNonRetryableApplicationError("workflows: review: empty case ID", errTypeInvalid, nil)
	}
	if in.SLA <= 0 {
		in.SLA = DefaultReviewSLA
	}
	var a *Activities
	actx := shortActivity(ctx)
	logger := workflow.GetLogger(ctx)

	// The handler is set before the first blocking call, so a decision sent
	// right after the start is not refused; it waits for the case's state.
	busy := false // a decision or an escalation is being applied
	err := workflow.SetUpdateHandlerWithOptions(ctx, DecisionUpdate,
		func(ctx workflow.Context, d adscan.CaseDecision) (DecisionResult, error) {
			if err := workflow.Await(ctx, func() bool { return res.State != "" && !busy }); err != nil {
				return DecisionResult{}, err
			}
			if err := validateDecision(in.CaseID, res.State, false, d); err != nil {
				return DecisionResult{}, err
			}
			busy = true
			defer func() { busy = false }()
			var after adscan.CaseState
			err := workflow.ExecuteActivity(actx, a.ApplyDecision, ApplyDecisionInput{CaseID: in.CaseID, Decision: d}).Get(ctx, &after)
			if err != nil {
				return DecisionResult{}, err
			}
			res.State = after
			return DecisionResult{CaseID: in.CaseID, State: after}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(d adscan.CaseDecision) error {
			return validateDecision(in.CaseID, res.State, busy, d)
		}})
	if err != nil {
		return res, fmt.Errorf("workflows: set decision handler: %w", err)
	}

	// The case's state is read in a local activity since version 1: a
	// scan starts a review for every case it finds, and an activity task
	// of its own (a round trip through Temporal's matching and a second
	// workflow task) made each start cost the embedded server about twice
	// the CPU. Histories recorded before replay the activity.
	stateCtx, readState := storeActivity(ctx, "case-state-local-activity")
	if err := readState(stateCtx, a.CaseState, in.CaseID).Get(ctx, &res.State); err != nil {
		return res, fmt.Errorf("workflows: review case %s: %w", in.CaseID, err)
	}

	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	sla := workflow.NewTimer(timerCtx, in.SLA)
	slaHandled := false
	for {
		err := workflow.Await(ctx, func() bool {
			return !busy && (reviewOver(res.State) || (!slaHandled && sla.IsReady()))
		})
		if err != nil {
			return res, err
		}
		if reviewOver(res.State) {
			break
		}
		slaHandled = true
		if res.State != adscan.CaseOpen {
			continue // a reviewer already escalated it
		}
		busy = true
		detail := fmt.Sprintf("no decision within the SLA of %s", in.SLA)
		err = workflow.ExecuteActivity(actx, a.EscalateCase, EscalateInput{CaseID: in.CaseID, Detail: detail}).Get(ctx, &res.State)
		busy = false
		if err != nil {
			return res, fmt.Errorf("workflows: escalate case %s: %w", in.CaseID, err)
		}
		logger.Info("case escalated by SLA", "case", in.CaseID, "state", res.State)
	}
	cancelTimer()

	if res.State == adscan.CaseConfirmed {
		rr, err := referCase(ctx, in.CaseID)
		if err != nil {
			return res, err
		}
		res.Referral = &rr
		res.State = adscan.CaseReferred
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return res, err
	}
	return res, nil
}

// reviewOver reports whether a case in state s needs no more decisions.
func reviewOver(s adscan.CaseState) bool {
	return s == adscan.CaseConfirmed || s == adscan.CaseDismissed || s == adscan.CaseReferred
}

// validateDecision is the decision Update's validator. It must not change
// workflow state.
func validateDecision(caseID string, state adscan.CaseState, busy bool, d adscan.CaseDecision) error {
	switch {
	case !d.Decision.Valid():
		return temporal.NewApplicationError(
			fmt.Sprintf("unknown decision %q: want confirm, dismiss or escalate", d.Decision), errTypeInvalid)
	case d.By == "":
		return temporal.NewApplicationError("a decision needs the reviewer's name", errTypeInvalid)
	case busy:
		return temporal.NewApplicationError(
			fmt.Sprintf("case %s has another change in progress; try again", caseID), errTypeConflict)
	case state == "":
		return nil // not loaded yet: the handler checks again
	case !state.Allows(d.Decision):
		return temporal.NewApplicationError(
			fmt.Sprintf("case %s is %s; it cannot take the decision %s", caseID, state, d.Decision), errTypeConflict)
	}
	return nil
}

// referCase delivers a confirmed case's referral, retrying until it is
// delivered or refused for good, and marks the case referred. When the
// retries are over (the endpoint refused, or the package could not be
// built) it says so in the case's audit trail, where reviewers and
// /referrals look, and fails, so the workflow shows as failed in Temporal;
// ReferralWorkflow (the console's "retry") runs it again.
func referCase(ctx workflow.Context, caseID string) (ReferralResult, error) {
	var a *Activities
	actx := shortActivity(ctx)
	logger := workflow.GetLogger(ctx)
	rctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Minute,
			// until delivered: the endpoint may be down for a while
		},
	})
	var rr ReferralResult
	if err := workflow.ExecuteActivity(rctx, a.DeliverReferral, caseID).Get(ctx, &rr); err != nil {
		note := NoteReferralFailureInput{CaseID: caseID, Error: err.Error()}
		if nerr := workflow.ExecuteActivity(actx, a.NoteReferralFailure, note).Get(ctx, nil); nerr != nil {
			logger.Error("referral failure not recorded", "case", caseID, "error", nerr)
		}
		return rr, fmt.Errorf("workflows: refer case %s: %w", caseID, err)
	}
	if err := workflow.ExecuteActivity(actx, a.MarkReferred, MarkReferredInput{CaseID: caseID, Destination: rr.Destination}).Get(ctx, nil); err != nil {
		return rr, fmt.Errorf("workflows: mark case %s referred: %w", caseID, err)
	}
	return rr, nil
}

// ReferralInput is the input of ReferralWorkflow.
type ReferralInput struct {
	CaseID string `json:"case_id"`
}

// ReferralWorkflowID is the workflow ID of a retried referral of a case:
// at most one runs at a time.
func ReferralWorkflowID(caseID string) string { return "referral-" + caseID }

// ReferralWorkflow delivers the referral of a confirmed case whose review
// workflow gave up on it (see referCase), as a regulator's retry. A
// referral already delivered is not delivered again (DeliverReferral).
func ReferralWorkflow(ctx workflow.Context, in ReferralInput) (ReferralResult, error) {
	if in.CaseID == "" {
		return ReferralResult{}, temporal.NewNonRetryableApplicationError("workflows: referral: empty case ID", errTypeInvalid, nil)
	}
	return referCase(ctx, in.CaseID)
}
