package adscan

import (
	"testing"
	"time"
)

func TestCaseStates(t *testing.T) {
	for _, s := range CaseStates {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	for _, s := range []CaseState{"", "closed", "Open"} {
		if s.Valid() {
			t.Errorf("%q valid", s)
		}
	}
	if got := JoinCaseStates(); got != "open, escalated, confirmed, referred, dismissed" {
		t.Errorf("JoinCaseStates() = %q", got)
	}
	// The decision rule: open and escalated cases can be confirmed or
	// dismissed; only open ones escalated; decided ones take nothing.
	for _, tc := range []struct {
		s    CaseState
		d    Decision
		want bool
	}{
		{CaseOpen, DecisionConfirm, true}, {CaseOpen, DecisionEscalate, true},
		{CaseEscalated, DecisionDismiss, true}, {CaseEscalated, DecisionEscalate, false},
		{CaseConfirmed, DecisionDismiss, false}, {CaseReferred, DecisionConfirm, false},
		{CaseDismissed, DecisionConfirm, false}, {CaseOpen, "approve", false},
	} {
		if got := tc.s.Allows(tc.d); got != tc.want {
			t.Errorf("%s.Allows(%s) = %v, want %v", tc.s, tc.d, got, tc.want)
		}
	}
}

func TestCaseCursor(t *testing.T) {
	c := CaseCursor{CreatedAt: time.Date(2026, 12, 3, 4, 5, 6, 789, time.FixedZone("CST", 8*3600)), ID: "case-1 x"}
	got, err := ParseCaseCursor(c.String())
	if err != nil || !got.CreatedAt.Equal(c.CreatedAt) || got.ID != c.ID {
		t.Fatalf("ParseCaseCursor(%q) = %+v, %v", c.String(), got, err)
	}
	for _, bad := range []string{"", "!!", "eA", c.String() + "x"} {
		if _, err := ParseCaseCursor(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseCaseCursor(%q) = %v, want EINVALID", bad, err)
		}
	}
}
