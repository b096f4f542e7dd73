package workflows

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"adscan"
)

// RetryReferral records the retry in the case's audit trail (by) and
// starts ReferralWorkflow for a confirmed case whose referral delivery
// failed, and returns at once; /referrals shows the outcome. ECONFLICT if the
// case is not confirmed, its referral was delivered already, or a retry is
// still running; ENOTFOUND for an unknown case; EUNAVAILABLE when Temporal
// cannot be reached (recorded as a failed delivery).
func (c *Client) RetryReferral(ctx context.Context, caseID, by string) error {
	cs, err := c.Store.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	if cs.State != adscan.CaseConfirmed {
		return adscan.Errorf(adscan.ECONFLICT, "case %s is %s; only a confirmed case's referral can be retried", caseID, cs.State)
	}
	if r, err := c.Store.GetReferral(ctx, caseID); err == nil && r.DeliveredAt != nil {
		return adscan.Errorf(adscan.ECONFLICT, "the referral of case %s was delivered at %s", caseID, r.DeliveredAt.Format("2006-01-02 15:04:05"))
	} else if err != nil && adscan.ErrorCode(err) != adscan.ENOTFOUND {
		return err
	}
	// The retry is on the trail before it starts, so a delivery that fails
	// at once is recorded after it and shows as failed again.
	if err := c.Store.Audit(ctx, adscan.AuditEntry{CaseID: caseID, Actor: by, Action: adscan.ActionReferralRetried, At: c.now()}); err != nil {
		return err
	}
	_, err = c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       ReferralWorkflowID(caseID),
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, ReferralWorkflowName, ReferralInput{CaseID: caseID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return adscan.Errorf(adscan.ECONFLICT, "a retry of the referral of case %s is already running", caseID)
	}
	if err != nil {
		err = temporalError("retry referral of case "+caseID, err)
		_ = c.Store.Audit(ctx, adscan.AuditEntry{CaseID: caseID, Actor: "system", Action: adscan.ActionReferralFailed,
			Detail: "the retry could not start: " + adscan.ErrorMessage(err), At: c.now()})
		return err
	}
	return nil
}
