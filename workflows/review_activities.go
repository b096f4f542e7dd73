package workflows

import (
	"context"

	"adscan"
)

// CaseState returns the case's current state. ENOTFOUND is non-retryable.
func (a *Activities) CaseState(ctx context.Context, caseID string) (adscan.CaseState, error) {
	st, err := a.Store.CaseState(ctx, caseID)
	if err != nil {
		return "", activityError("workflows: get case "+caseID, err)
	}
	return st, nil
}

// ApplyDecisionInput is the input of ApplyDecision.
type ApplyDecisionInput struct {
	CaseID   string              `json:"case_id"`
	Decision adscan.CaseDecision `json:"decision"`
}

// ApplyDecision applies a reviewer's decision in the store (which writes the
// audit trail) and returns the case's new state. A retry after the decision
// was applied returns the state instead of failing. A decision the case's
// state does not allow is a non-retryable conflict.
func (a *Activities) ApplyDecision(ctx context.Context, in ApplyDecisionInput) (adscan.CaseState, error) {
	d := in.Decision
	if !d.Decision.Valid() {
		return "", invalidInput("workflows: decide case %s: unknown decision %q", in.CaseID, d.Decision)
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = a.now()
	}
	c, err := a.Store.DecideCase(ctx, in.CaseID, d)
	if adscan.ErrorCode(err) == adscan.ECONFLICT {
		// Applied by an earlier attempt whose result was lost?
		if cur, gerr := a.Store.GetCase(ctx, in.CaseID); gerr == nil && cur.Decision != nil &&
			cur.Decision.Decision == d.Decision && cur.Decision.By == d.By && cur.Decision.Note == d.Note {
			return cur.State, nil
		}
	}
	if err != nil {
		return "", activityError("workflows: decide case "+in.CaseID, err)
	}
	return c.State, nil
}

// EscalateInput is the input of EscalateCase.
type EscalateInput struct {
	CaseID string `json:"case_id"`
	Detail string `json:"detail"`
}

// EscalateCase escalates the case as "system" if it is still open and
// returns its state afterwards; a case no longer open is left alone.
func (a *Activities) EscalateCase(ctx context.Context, in EscalateInput) (adscan.CaseState, error) {
	c, err := a.Store.GetCase(ctx, in.CaseID)
	if err != nil {
		return "", activityError("workflows: get case "+in.CaseID, err)
	}
	if c.State != adscan.CaseOpen {
		return c.State, nil
	}
	if err := a.Store.SetCaseState(ctx, in.CaseID, adscan.CaseEscalated, "system", in.Detail); err != nil {
		return "", activityError("workflows: escalate case "+in.CaseID, err)
	}
	return adscan.CaseEscalated, nil
}

// MarkReferredInput is the input of MarkReferred.
type MarkReferredInput struct {
	CaseID      string `json:"case_id"`
	Destination string `json:"destination"`
}

// MarkReferred moves a confirmed case to referred as "system". A case that is
// referred already is left alone.
func (a *Activities) MarkReferred(ctx context.Context, in MarkReferredInput) error {
	c, err := a.Store.GetCase(ctx, in.CaseID)
	if err != nil {
		return activityError("workflows: get case "+in.CaseID, err)
	}
	if c.State == adscan.CaseReferred {
		return nil
	}
	err = a.Store.SetCaseState(ctx, in.CaseID, adscan.CaseReferred, "system", "referral delivered to "+in.Destination)
	return activityError("workflows: mark case "+in.CaseID+" referred", err)
}

// NoteReferralFailureInput is the input of NoteReferralFailure.
type NoteReferralFailureInput struct {
	CaseID string `json:"case_id"`
	Error  string `json:"error"`
}

// NoteReferralFailure writes to the case's audit trail that its referral
// could not be delivered, and why; the case stays confirmed.
func (a *Activities) NoteReferralFailure(ctx context.Context, in NoteReferralFailureInput) error {
	if in.CaseID == "" {
		return invalidInput("workflows: note referral failure: empty case ID")
	}
	a.observer().ReferralFailed()
	err := a.Store.Audit(ctx, adscan.AuditEntry{
		CaseID: in.CaseID, Actor: "system", Action: adscan.ActionReferralFailed,
		Detail: in.Error, At: a.now(),
	})
	if err == nil { // the give-up says why; a retry counts its attempts afresh
		err = a.Store.ClearReferralAttempts(ctx, in.CaseID)
	}
	return activityError("workflows: note referral failure of case "+in.CaseID, err)
}
