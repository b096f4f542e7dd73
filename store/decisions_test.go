package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"adscan"
)

func TestDecideCase(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		c, _ := record(t, s, "", target, page, "v1", flag(adscan.CategoryRanking, "状元"))

		at := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
		got, err := s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, Note: "clear ranking ad", By: "li", DecidedAt: at})
		must(t, err)
		if got.State != adscan.CaseConfirmed {
			t.Errorf("state after confirm = %s, want confirmed", got.State)
		}
		want := adscan.CaseDecision{Decision: adscan.DecisionConfirm, Note: "clear ranking ad", By: "li", DecidedAt: at}
		if got.Decision == nil || *got.Decision != want {
			t.Errorf("decision = %+v, want %+v", got.Decision, want)
		}
		if n := len(got.Audit); n != 2 {
			t.Fatalf("audit trail has %d entries, want 2 (created, decided)", n)
		}
		if a := got.Audit[1]; a.Action != adscan.ActionCaseDecided || a.Actor != "li" || a.Detail != "confirm: clear ranking ad" || !a.At.Equal(at) {
			t.Errorf("decision audit entry = %+v", a)
		}

		// Deciding again is a conflict that names the state and changes nothing.
		_, err = s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "wang"})
		wantCode(t, err, adscan.ECONFLICT)
		if !strings.Contains(adscan.ErrorMessage(err), "confirmed") {
			t.Errorf("conflict message %q does not name the state", adscan.ErrorMessage(err))
		}
		after, err := s.GetCase(ctx, c.ID)
		must(t, err)
		if after.State != adscan.CaseConfirmed || after.Decision.By != "li" || len(after.Audit) != 2 {
			t.Errorf("a refused decision changed the case: %s by %s, %d audit entries", after.State, after.Decision.By, len(after.Audit))
		}
	})
}

func TestDecideCaseTransitions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		for _, tc := range []struct {
			name  string
			steps []adscan.Decision
			state adscan.CaseState
			code  string // of the last step
		}{
			{"dismiss", []adscan.Decision{adscan.DecisionDismiss}, adscan.CaseDismissed, ""},
			{"escalate then confirm", []adscan.Decision{adscan.DecisionEscalate, adscan.DecisionConfirm}, adscan.CaseConfirmed, ""},
			{"escalate then dismiss", []adscan.Decision{adscan.DecisionEscalate, adscan.DecisionDismiss}, adscan.CaseDismissed, ""},
			{"escalate twice", []adscan.Decision{adscan.DecisionEscalate, adscan.DecisionEscalate}, adscan.CaseEscalated, adscan.ECONFLICT},
			{"confirm a dismissed case", []adscan.Decision{adscan.DecisionDismiss, adscan.DecisionConfirm}, adscan.CaseDismissed, adscan.ECONFLICT},
			{"unknown decision", []adscan.Decision{"approve"}, adscan.CaseOpen, adscan.EINVALID},
		} {
			c, _ := record(t, s, "", target, page+"/"+strings.ReplaceAll(tc.name, " ", "-"), tc.name, flag(adscan.CategoryRanking, "状元"))
			var err error
			for _, d := range tc.steps {
				_, err = s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: d, By: "li"})
			}
			if adscan.ErrorCode(err) != tc.code {
				t.Errorf("%s: last error %v, want code %q", tc.name, err, tc.code)
			}
			got, err := s.GetCase(ctx, c.ID)
			must(t, err)
			if got.State != tc.state {
				t.Errorf("%s: state %s, want %s", tc.name, got.State, tc.state)
			}
		}
		_, err := s.DecideCase(ctx, "nope", adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "li"})
		wantCode(t, err, adscan.ENOTFOUND)
		c, _ := record(t, s, "", target, page, "v", flag(adscan.CategoryRanking, "状元"))
		_, err = s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm})
		wantCode(t, err, adscan.EINVALID)
	})
}

func TestSetCaseState(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		c, _ := record(t, s, "", target, page, "v1", flag(adscan.CategoryRanking, "状元"))

		wantCode(t, s.SetCaseState(ctx, c.ID, adscan.CaseReferred, "system", ""), adscan.ECONFLICT)
		must(t, s.SetCaseState(ctx, c.ID, adscan.CaseEscalated, "system", "SLA of 72h passed"))
		// Repeating a move (a retried activity) changes nothing.
		must(t, s.SetCaseState(ctx, c.ID, adscan.CaseEscalated, "system", "SLA of 72h passed"))
		got, err := s.GetCase(ctx, c.ID)
		must(t, err)
		if got.State != adscan.CaseEscalated || len(got.Audit) != 2 {
			t.Fatalf("after escalation: %s with %d audit entries, want escalated with 2", got.State, len(got.Audit))
		}
		if a := got.Audit[1]; a.Action != adscan.ActionCaseState || a.Actor != "system" || a.Detail != "open → escalated: SLA of 72h passed" {
			t.Errorf("state audit entry = %+v", a)
		}

		_, err = s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "li"})
		must(t, err)
		must(t, s.SetCaseState(ctx, c.ID, adscan.CaseReferred, "system", "delivered to outbox"))
		wantCode(t, s.SetCaseState(ctx, c.ID, adscan.CaseOpen, "system", ""), adscan.ECONFLICT)
		got, err = s.GetCase(ctx, c.ID)
		must(t, err)
		if got.State != adscan.CaseReferred || len(got.Audit) != 4 {
			t.Errorf("after referral: %s with %d audit entries, want referred with 4", got.State, len(got.Audit))
		}

		wantCode(t, s.SetCaseState(ctx, c.ID, "closed", "system", ""), adscan.EINVALID)
		wantCode(t, s.SetCaseState(ctx, c.ID, adscan.CaseReferred, "", ""), adscan.EINVALID)
		wantCode(t, s.SetCaseState(ctx, "nope", adscan.CaseEscalated, "system", ""), adscan.ENOTFOUND)
	})
}

// TestDecideCaseConcurrently has reviewers race to decide one case: exactly
// one wins, the others get ECONFLICT.
func TestDecideCaseConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		c, _ := record(t, s, "", target, page, "v1", flag(adscan.CategoryRanking, "状元"))
		const reviewers = 8
		errs := make(chan error, reviewers)
		for i := range reviewers {
			d := adscan.DecisionConfirm
			if i%2 == 1 {
				d = adscan.DecisionDismiss
			}
			go func() {
				_, err := s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: d, By: "reviewer"})
				errs <- err
			}()
		}
		won := 0
		for range reviewers {
			switch err := <-errs; adscan.ErrorCode(err) {
			case "":
				won++
			case adscan.ECONFLICT:
			default:
				t.Errorf("concurrent decision: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d decisions succeeded, want exactly 1", won)
		}
		got, err := s.GetCase(ctx, c.ID)
		must(t, err)
		if len(got.Audit) != 2 {
			t.Errorf("%d audit entries, want 2", len(got.Audit))
		}
	})
}
