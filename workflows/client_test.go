package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"adscan"
)

// TestParseTargets: the rule itself is adscan.ParseTargetURL's (tested
// there); a scan needs a target, and gets them back in canonical form.
func TestParseTargets(t *testing.T) {
	if _, err := ParseTargets(nil, false); adscan.ErrorCode(err) != adscan.EINVALID {
		t.Errorf("no targets: %v", err)
	}
	got, err := ParseTargets([]adscan.ScanTarget{{URL: " HTTPS://A.example "}, {URL: "https://b.example/x", MaxPages: 3}}, false)
	if err != nil || len(got) != 2 || got[0].URL != "https://a.example/" || got[1] != (adscan.ScanTarget{URL: "https://b.example/x", MaxPages: 3}) {
		t.Errorf("ParseTargets = %+v, %v", got, err)
	}
	if _, err := ParseTargets([]adscan.ScanTarget{{URL: "https://a.example/"}, {URL: "http://127.0.0.1/"}}, false); adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("a private second target: %v", err)
	}
	// One site twice (as spelt two ways), or one profile twice, would be
	// crawled twice and counted twice.
	for _, ts := range [][]adscan.ScanTarget{
		{{URL: "https://a.example/"}, {URL: "https://b.example/"}, {URL: "HTTPS://A.Example#top"}},
		{{Profile: "jiajiao"}, {URL: "https://b.example/"}, {Profile: "jiajiao"}},
	} {
		if _, err := ParseTargets(ts, false); adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), "targets[2] repeats targets[0]") {
			t.Errorf("%+v: %v", ts, err)
		}
	}
}

func newTestClient(t *testing.T) (*Client, *countingStore, *fakeTemporal) {
	st, tc := newTestStore(t), newFakeTemporal()
	return &Client{Temporal: tc, Store: st, NewID: func() string { return "scan-x" },
		Now: func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }}, st, tc
}

func TestStartScan(t *testing.T) {
	c, st, tc := newTestClient(t)
	req := adscan.ScanRequest{Targets: []adscan.ScanTarget{{URL: " https://a.example/\n", MaxPages: 50}}, CreatedBy: "reg"}
	scan, err := c.StartScan(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if scan.ID != "scan-x" || scan.Status != adscan.ScanRunning {
		t.Errorf("scan %+v", scan)
	}
	if tc.startedIDs()["scan-x"] != 1 {
		t.Errorf("workflows started: %v, want scan-x", tc.startedIDs())
	}
	in, _ := tc.args["scan-x"][0].(ScanInput)
	if in.ScanID != "scan-x" || len(in.Targets) != 1 || in.Targets[0].URL != "https://a.example/" || in.Targets[0].MaxPages != 50 || in.CreatedBy != "reg" {
		t.Errorf("workflow input %+v", tc.args["scan-x"])
	}
	if got, err := st.GetScan(t.Context(), "scan-x"); err != nil || got.CreatedBy != "reg" {
		t.Errorf("stored scan %+v, %v", got, err)
	}
}

func TestStartScanBadInputAndOutageWriteNothing(t *testing.T) {
	c, st, tc := newTestClient(t)
	_, err := c.StartScan(t.Context(), adscan.ScanRequest{Targets: []adscan.ScanTarget{{URL: "https://ok.example/"}, {URL: "javascript:alert(1)"}}})
	if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), "javascript:alert(1)") {
		t.Errorf("bad target: %v", err)
	}
	tc.startErr = serviceerror.NewUnavailable("connection refused")
	_, err = c.StartScan(t.Context(), adscan.ScanRequest{Targets: []adscan.ScanTarget{{URL: "https://ok.example/"}}})
	if adscan.ErrorCode(err) != adscan.EUNAVAILABLE {
		t.Errorf("Temporal down: %v, want EUNAVAILABLE", err)
	}
	if scans, _ := st.ListScans(t.Context(), 10); len(scans) != 0 || len(tc.startedIDs()) != 0 {
		t.Errorf("something was written: scans %v, workflows %v", scans, tc.startedIDs())
	}
}

func TestDecide(t *testing.T) {
	confirm := adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev"}
	setup := func(t *testing.T) (*Client, *countingStore, *fakeTemporal, string) {
		c, st, tc := newTestClient(t)
		p := page("https://a.example/x", "奥数 提前学", adscan.CategoryTutoringAd)
		id, _ := st.PutCapture(t.Context(), p.Capture)
		cs, _, _ := st.RecordFindings(t.Context(), adscan.FindingsInput{Target: "https://a.example/", URL: "https://a.example/x", CaptureID: id, Flags: p.Result.Flags})
		return c, st, tc, cs.ID
	}

	t.Run("applied", func(t *testing.T) {
		c, st, tc, id := setup(t)
		tc.onUpdate = func(o client.UpdateWorkflowOptions) (DecisionResult, error) {
			if o.WorkflowID != ReviewWorkflowID(id) || o.UpdateName != DecisionUpdate || o.WaitForStage != client.WorkflowUpdateStageCompleted {
				t.Errorf("update options %+v", o)
			}
			d := o.Args[0].(adscan.CaseDecision)
			if d.DecidedAt.IsZero() {
				t.Error("decision without a time")
			}
			cs, err := st.DecideCase(t.Context(), id, d) // what the workflow's activity does
			return DecisionResult{CaseID: id, State: cs.State}, err
		}
		cs, err := c.Decide(t.Context(), id, confirm)
		if err != nil || cs.State != adscan.CaseConfirmed || cs.ID != id {
			t.Errorf("Decide = %+v, %v", cs, err)
		}
	})

	t.Run("rejected by the validator", func(t *testing.T) {
		c, _, tc, id := setup(t)
		tc.onUpdate = func(client.UpdateWorkflowOptions) (DecisionResult, error) {
			return DecisionResult{}, temporal.NewApplicationError("case "+id+" is escalated; it cannot take the decision escalate", errTypeConflict)
		}
		_, err := c.Decide(t.Context(), id, adscan.CaseDecision{Decision: adscan.DecisionEscalate, By: "rev"})
		if adscan.ErrorCode(err) != adscan.ECONFLICT || adscan.ErrorMessage(err) != "case "+id+" is escalated; it cannot take the decision escalate" {
			t.Errorf("err = %v, want ECONFLICT with the validator's message", err)
		}
	})

	t.Run("closed case", func(t *testing.T) {
		c, st, tc, id := setup(t)
		_ = st.SetCaseState(t.Context(), id, adscan.CaseDismissed, "rev", "")
		tc.onUpdate = func(client.UpdateWorkflowOptions) (DecisionResult, error) {
			return DecisionResult{}, serviceerror.NewNotFound("workflow execution already completed")
		}
		_, err := c.Decide(t.Context(), id, confirm)
		if adscan.ErrorCode(err) != adscan.ECONFLICT || !strings.Contains(err.Error(), "case "+id+" is dismissed") {
			t.Errorf("err = %v, want ECONFLICT saying the case is dismissed", err)
		}
	})

	t.Run("unknown case", func(t *testing.T) {
		c, _, tc, _ := setup(t)
		tc.onUpdate = func(client.UpdateWorkflowOptions) (DecisionResult, error) {
			return DecisionResult{}, serviceerror.NewNotFound("workflow not found")
		}
		if _, err := c.Decide(t.Context(), "nope", confirm); adscan.ErrorCode(err) != adscan.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("open case without review starts it", func(t *testing.T) {
		c, st, tc, id := setup(t)
		tc.onUpdate = func(o client.UpdateWorkflowOptions) (DecisionResult, error) {
			if tc.startedIDs()[o.WorkflowID] == 0 {
				return DecisionResult{}, serviceerror.NewNotFound("workflow not found")
			}
			cs, err := st.DecideCase(t.Context(), id, o.Args[0].(adscan.CaseDecision))
			return DecisionResult{CaseID: id, State: cs.State}, err
		}
		cs, err := c.Decide(t.Context(), id, confirm)
		if err != nil || cs.State != adscan.CaseConfirmed {
			t.Errorf("Decide = %+v, %v", cs, err)
		}
	})

	t.Run("bad decision never reaches Temporal", func(t *testing.T) {
		c, _, tc, id := setup(t)
		tc.onUpdate = func(client.UpdateWorkflowOptions) (DecisionResult, error) {
			t.Error("update sent")
			return DecisionResult{}, nil
		}
		for _, d := range []adscan.CaseDecision{{Decision: "approve", By: "r"}, {Decision: adscan.DecisionConfirm}} {
			if _, err := c.Decide(t.Context(), id, d); adscan.ErrorCode(err) != adscan.EINVALID {
				t.Errorf("%+v: err = %v, want EINVALID", d, err)
			}
		}
	})

	t.Run("Temporal down", func(t *testing.T) {
		c, _, tc, id := setup(t)
		tc.onUpdate = func(client.UpdateWorkflowOptions) (DecisionResult, error) {
			return DecisionResult{}, serviceerror.NewUnavailable("connection refused")
		}
		if _, err := c.Decide(t.Context(), id, confirm); adscan.ErrorCode(err) != adscan.EUNAVAILABLE {
			t.Errorf("err = %v, want EUNAVAILABLE", err)
		}
	})
}

func TestTemporalError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
	}{
		{serviceerror.NewUnavailable("down"), adscan.EUNAVAILABLE},
		{serviceerror.NewDeadlineExceeded("slow"), adscan.EUNAVAILABLE},
		{serviceerror.NewNotFound("gone"), adscan.ENOTFOUND},
		{serviceerror.NewInvalidArgument("bad cron"), adscan.EINVALID},
		{errors.New("boom"), adscan.EINTERNAL},
	} {
		if got := adscan.ErrorCode(temporalError("do", tc.err)); got != tc.code {
			t.Errorf("%v → %s, want %s", tc.err, got, tc.code)
		}
	}
}

func TestScheduleSpec(t *testing.T) {
	for _, tc := range []struct {
		s    adscan.Schedule
		want string
	}{
		{adscan.Schedule{ID: "n", Cron: "0 3 * * *"}, ""},
		{adscan.Schedule{ID: "n", Interval: 6 * time.Hour, TimeZone: "UTC"}, ""},
		{adscan.Schedule{ID: "n", Cron: "@daily"}, ""},
		{adscan.Schedule{ID: "n"}, "cron expression or an interval"},
		{adscan.Schedule{ID: "n", Cron: "0 3 * * *", Interval: time.Hour}, "not both"},
		{adscan.Schedule{ID: "n", Cron: "every day"}, "has 2 fields"},
		{adscan.Schedule{ID: "n", Cron: "*/15 0-6,22,23 1 jan-jun mon-fri"}, ""},
		{adscan.Schedule{ID: "n", Cron: "0 3 * * 7"}, ""},
		{adscan.Schedule{ID: "n", Cron: "@every 1s"}, "give an interval instead of @every"},
		// Six or seven fields would be read with seconds first: hourly.
		{adscan.Schedule{ID: "n", Cron: "0 3 * * * * *"}, "has 7 fields; want 5"},
		{adscan.Schedule{ID: "n", Cron: "0 3 * * * *"}, "has 6 fields; want 5"},
		{adscan.Schedule{ID: "n", Cron: "61 3 * * *"}, "minute 61 is not in 0-59"},
		{adscan.Schedule{ID: "n", Cron: "0 2-24 * * *"}, "hour 24 is not in 0-23"},
		{adscan.Schedule{ID: "n", Cron: "0 3 0 * *"}, "day of month 0 is not in 1-31"},
		{adscan.Schedule{ID: "n", Cron: "0 3 * 13/2 *"}, "month 13 is not in 1-12"},
		{adscan.Schedule{ID: "n", Interval: time.Second}, "shorter than"},
		{adscan.Schedule{ID: "n", Cron: "0 3 * * *", TimeZone: "Mars/Olympus"}, "unknown time zone"},
	} {
		spec, err := scheduleSpec(tc.s)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.s, err)
			} else if tc.s.TimeZone == "" && spec.TimeZoneName != DefaultTimeZone {
				t.Errorf("%+v: time zone %q, want %s", tc.s, spec.TimeZoneName, DefaultTimeZone)
			}
			continue
		}
		if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), tc.want) || adscan.ErrorMessageZH(err) == "" {
			t.Errorf("%+v: err = %v (简体中文 %q), want EINVALID %q in both languages", tc.s, err, adscan.ErrorMessageZH(err), tc.want)
		}
	}
}
