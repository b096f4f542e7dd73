package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"adscan"
)

func newReviewEnv(t *testing.T, initial adscan.CaseState) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	Register(env, &Activities{})
	var a *Activities
	env.OnActivity(a.CaseState, mock.Anything, "c1").Return(initial, nil).Once()
	return env
}

// decide sends a decision Update and records how it ended.
type updateOutcome struct {
	rejected, failed error
	result           any
	done             bool
}

func decide(env *testsuite.TestWorkflowEnvironment, id string, d adscan.CaseDecision) *updateOutcome {
	o := &updateOutcome{}
	env.UpdateWorkflow(DecisionUpdate, id, &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { o.rejected, o.done = err, true },
		OnComplete: func(r any, err error) { o.result, o.failed, o.done = r, err, true },
	}, d)
	return o
}

func appErrType(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	return ""
}

func TestCaseReviewEscalatesAfterSLA(t *testing.T) {
	env := newReviewEnv(t, adscan.CaseOpen)
	var a *Activities
	env.OnActivity(a.EscalateCase, mock.Anything, mock.MatchedBy(func(in EscalateInput) bool {
		return in.CaseID == "c1" && strings.Contains(in.Detail, "1h0m0s")
	})).Return(adscan.CaseEscalated, nil).Once()
	dismiss := adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev", Note: "school notice"}
	env.OnActivity(a.ApplyDecision, mock.Anything, ApplyDecisionInput{CaseID: "c1", Decision: dismiss}).Return(adscan.CaseDismissed, nil).Once()

	var escalated time.Time
	env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, _ error) {
		if info.ActivityType.Name == "EscalateCase" {
			escalated = env.Now()
		}
	})
	start := env.Now()
	var out *updateOutcome
	env.RegisterDelayedCallback(func() { out = decide(env, "u1", dismiss) }, 3*time.Hour)
	env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1", SLA: time.Hour})

	var res CaseReviewResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if d := escalated.Sub(start); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("escalated %s after start, want after the 1h SLA", d)
	}
	if out == nil || !out.done || out.rejected != nil || out.failed != nil {
		t.Fatalf("dismiss after escalation: %+v", out)
	}
	if res.State != adscan.CaseDismissed || res.Referral != nil {
		t.Errorf("result %+v, want dismissed without referral", res)
	}
	env.AssertExpectations(t)
}

func TestCaseReviewDefaultSLAIs72h(t *testing.T) {
	env := newReviewEnv(t, adscan.CaseOpen)
	var a *Activities
	env.OnActivity(a.EscalateCase, mock.Anything, mock.Anything).Return(adscan.CaseEscalated, nil).Never()
	dismiss := adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev"}
	env.OnActivity(a.ApplyDecision, mock.Anything, mock.Anything).Return(adscan.CaseDismissed, nil).Once()
	env.RegisterDelayedCallback(func() { decide(env, "u1", dismiss) }, 71*time.Hour)
	env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t)
}

func TestCaseReviewValidatorRejects(t *testing.T) {
	env := newReviewEnv(t, adscan.CaseOpen)
	var a *Activities
	escalate := adscan.CaseDecision{Decision: adscan.DecisionEscalate, By: "rev"}
	dismiss := adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev"}
	env.OnActivity(a.ApplyDecision, mock.Anything, ApplyDecisionInput{CaseID: "c1", Decision: escalate}).Return(adscan.CaseEscalated, nil).Once()
	env.OnActivity(a.ApplyDecision, mock.Anything, ApplyDecisionInput{CaseID: "c1", Decision: dismiss}).Return(adscan.CaseDismissed, nil).Once()

	var unknown, noName, again, dismissed *updateOutcome
	env.RegisterDelayedCallback(func() {
		unknown = decide(env, "u1", adscan.CaseDecision{Decision: "approve", By: "rev"})
		noName = decide(env, "u2", adscan.CaseDecision{Decision: adscan.DecisionConfirm})
	}, time.Minute)
	env.RegisterDelayedCallback(func() { decide(env, "u3", escalate) }, 2*time.Minute)
	env.RegisterDelayedCallback(func() { again = decide(env, "u4", escalate) }, 3*time.Minute)
	env.RegisterDelayedCallback(func() { dismissed = decide(env, "u5", dismiss) }, 4*time.Minute)
	env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}

	if appErrType(unknown.rejected) != errTypeInvalid || !strings.Contains(unknown.rejected.Error(), `unknown decision "approve"`) {
		t.Errorf("unknown decision: rejected with %v", unknown.rejected)
	}
	if appErrType(noName.rejected) != errTypeInvalid {
		t.Errorf("decision without a name: rejected with %v", noName.rejected)
	}
	if appErrType(again.rejected) != errTypeConflict || !strings.Contains(again.rejected.Error(), "case c1 is escalated") {
		t.Errorf("second escalate: rejected with %v, want a conflict naming the state", again.rejected)
	}
	if dismissed.rejected != nil || dismissed.failed != nil {
		t.Errorf("dismiss of an escalated case: %+v", dismissed)
	}
	env.AssertExpectations(t)
}

func TestCaseReviewConfirmRunsReferral(t *testing.T) {
	env := newReviewEnv(t, adscan.CaseOpen)
	var a *Activities
	confirm := adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev", Note: "ad for 奥数 classes"}
	env.OnActivity(a.ApplyDecision, mock.Anything, ApplyDecisionInput{CaseID: "c1", Decision: confirm}).Return(adscan.CaseConfirmed, nil).Once()
	env.OnActivity(a.DeliverReferral, mock.Anything, "c1").After(10*time.Minute).
		Return(ReferralResult{SHA256: "abc", Destination: "/outbox/c1.json"}, nil).Once()
	env.OnActivity(a.MarkReferred, mock.Anything, MarkReferredInput{CaseID: "c1", Destination: "/outbox/c1.json"}).Return(nil).Once()
	env.OnActivity(a.EscalateCase, mock.Anything, mock.Anything).Return(adscan.CaseEscalated, nil).Never()

	var confirmed, late *updateOutcome
	env.RegisterDelayedCallback(func() { confirmed = decide(env, "u1", confirm) }, time.Hour)
	// A decision on the confirmed case while its referral is under way.
	env.RegisterDelayedCallback(func() {
		late = decide(env, "u2", adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev2"})
	}, time.Hour+time.Minute)
	env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1", SLA: 2 * time.Hour})

	var res CaseReviewResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if confirmed.failed != nil || confirmed.rejected != nil {
		t.Fatalf("confirm: %+v", confirmed)
	}
	if r, ok := confirmed.result.(DecisionResult); ok && r.State != adscan.CaseConfirmed {
		t.Errorf("confirm returned %+v", r)
	}
	if late == nil || appErrType(late.rejected) != errTypeConflict || !strings.Contains(late.rejected.Error(), "is confirmed") {
		t.Errorf("decision on a confirmed case: %+v, want a conflict", late)
	}
	if res.State != adscan.CaseReferred || res.Referral == nil || res.Referral.SHA256 != "abc" {
		t.Errorf("result %+v, want referred with the referral", res)
	}
	env.AssertExpectations(t)
}

func TestCaseReviewRecordsRefusedReferral(t *testing.T) {
	env := newReviewEnv(t, adscan.CaseOpen)
	var a *Activities
	confirm := adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev"}
	env.OnActivity(a.ApplyDecision, mock.Anything, ApplyDecisionInput{CaseID: "c1", Decision: confirm}).Return(adscan.CaseConfirmed, nil).Once()
	env.OnActivity(a.DeliverReferral, mock.Anything, "c1").
		Return(ReferralResult{}, temporal.NewNonRetryableApplicationError("endpoint answered 422", "adscan.referral_rejected", nil)).Once()
	env.OnActivity(a.NoteReferralFailure, mock.Anything, mock.MatchedBy(func(in NoteReferralFailureInput) bool {
		return in.CaseID == "c1" && strings.Contains(in.Error, "422")
	})).Return(nil).Once()
	env.OnActivity(a.MarkReferred, mock.Anything, mock.Anything).Return(nil).Never()
	env.RegisterDelayedCallback(func() { decide(env, "u1", confirm) }, time.Hour)
	env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1", SLA: 2 * time.Hour})
	if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "422") {
		t.Errorf("workflow error = %v, want the refusal", err)
	}
	env.AssertExpectations(t)
}

func TestCaseReviewOfClosedCaseEndsAtOnce(t *testing.T) {
	env := newReviewEnv(t, adscan.CaseDismissed)
	env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1"})
	var res CaseReviewResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.State != adscan.CaseDismissed {
		t.Errorf("state %s", res.State)
	}
	env.AssertExpectations(t)
}

func TestValidateDecision(t *testing.T) {
	d := func(x adscan.Decision) adscan.CaseDecision { return adscan.CaseDecision{Decision: x, By: "r"} }
	for _, tc := range []struct {
		state adscan.CaseState
		busy  bool
		d     adscan.CaseDecision
		want  string
	}{
		{adscan.CaseOpen, false, d(adscan.DecisionConfirm), ""},
		{adscan.CaseOpen, false, d(adscan.DecisionEscalate), ""},
		{adscan.CaseEscalated, false, d(adscan.DecisionDismiss), ""},
		{adscan.CaseOpen, false, d("maybe"), errTypeInvalid},
		{adscan.CaseOpen, true, d(adscan.DecisionConfirm), errTypeConflict},
		{adscan.CaseDismissed, false, d(adscan.DecisionConfirm), errTypeConflict},
		{adscan.CaseReferred, false, d(adscan.DecisionDismiss), errTypeConflict},
		{adscan.CaseEscalated, false, d(adscan.DecisionEscalate), errTypeConflict},
	} {
		err := validateDecision("c1", tc.state, tc.busy, tc.d)
		if got := appErrType(err); got != tc.want || (tc.want == "") != (err == nil) {
			t.Errorf("%s busy=%v %s: got %v, want type %q", tc.state, tc.busy, tc.d.Decision, err, tc.want)
		}
	}
}

func TestCaseReviewTakesDecisionSentBeforeStateLoaded(t *testing.T) {
	for _, tc := range []struct {
		initial adscan.CaseState
		wantErr string
	}{
		{adscan.CaseOpen, ""},
		{adscan.CaseDismissed, "case c1 is dismissed"},
	} {
		t.Run(string(tc.initial), func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			Register(env, &Activities{})
			var a *Activities
			env.OnActivity(a.CaseState, mock.Anything, "c1").After(time.Minute).Return(tc.initial, nil).Once()
			dismiss := adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev"}
			apply := env.OnActivity(a.ApplyDecision, mock.Anything, ApplyDecisionInput{CaseID: "c1", Decision: dismiss}).Return(adscan.CaseDismissed, nil)
			if tc.wantErr != "" {
				apply.Never()
			} else {
				apply.Once()
			}
			var out *updateOutcome
			env.RegisterDelayedCallback(func() { out = decide(env, "u1", dismiss) }, time.Second)
			env.ExecuteWorkflow(CaseReviewWorkflow, CaseReviewInput{CaseID: "c1"})
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			switch {
			case out == nil || !out.done || out.rejected != nil:
				t.Fatalf("early decision: %+v, want accepted", out)
			case tc.wantErr == "" && out.failed != nil:
				t.Errorf("early decision failed: %v", out.failed)
			case tc.wantErr != "" && (appErrType(out.failed) != errTypeConflict || !strings.Contains(out.failed.Error(), tc.wantErr)):
				t.Errorf("early decision on a %s case: %v, want a conflict", tc.initial, out.failed)
			}
			env.AssertExpectations(t)
		})
	}
}

// TestReferralWorkflow: a retried referral delivers and marks the case
// referred; refused again, it is recorded and fails.
func TestReferralWorkflow(t *testing.T) {
	var a *Activities
	t.Run("delivered", func(t *testing.T) {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		Register(env, &Activities{})
		env.OnActivity(a.DeliverReferral, mock.Anything, "c1").Return(ReferralResult{SHA256: "ab", Destination: "outbox/c1.json"}, nil).Once()
		env.OnActivity(a.MarkReferred, mock.Anything, MarkReferredInput{CaseID: "c1", Destination: "outbox/c1.json"}).Return(nil).Once()
		env.ExecuteWorkflow(ReferralWorkflow, ReferralInput{CaseID: "c1"})
		var rr ReferralResult
		if err := env.GetWorkflowResult(&rr); err != nil || rr.SHA256 != "ab" {
			t.Errorf("result %+v, %v", rr, err)
		}
		env.AssertExpectations(t)
	})
	t.Run("refused", func(t *testing.T) {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		Register(env, &Activities{})
		env.OnActivity(a.DeliverReferral, mock.Anything, "c1").
			Return(ReferralResult{}, temporal.NewNonRetryableApplicationError("endpoint answered 422", "adscan.referral_rejected", nil)).Once()
		env.OnActivity(a.NoteReferralFailure, mock.Anything, mock.MatchedBy(func(in NoteReferralFailureInput) bool {
			return in.CaseID == "c1" && strings.Contains(in.Error, "422")
		})).Return(nil).Once()
		env.OnActivity(a.MarkReferred, mock.Anything, mock.Anything).Return(nil).Never()
		env.ExecuteWorkflow(ReferralWorkflow, ReferralInput{CaseID: "c1"})
		if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "422") {
			t.Errorf("workflow error = %v, want the refusal", err)
		}
		env.AssertExpectations(t)
	})
	t.Run("no case", func(t *testing.T) {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		Register(env, &Activities{})
		env.ExecuteWorkflow(ReferralWorkflow, ReferralInput{})
		if err := env.GetWorkflowError(); appErrType(err) != errTypeInvalid {
			t.Errorf("empty case ID: %v", err)
		}
	})
}
