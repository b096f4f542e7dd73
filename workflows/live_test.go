package workflows

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"adscan"
)

// liveEnv names a Temporal frontend (host:port, namespace "default") for the
// tests of Client against a real server, e.g. one `adscan dev` started.
const liveEnv = "ADSCAN_TEST_TEMPORAL_ADDR"

func TestClientTemporalUnreachable(t *testing.T) {
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	st := newTestStore(t)
	c := &Client{Temporal: tc, Store: st}
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	_, err = c.StartScan(ctx, adscan.ScanRequest{Targets: []adscan.ScanTarget{{URL: "https://a.example/"}}})
	if adscan.ErrorCode(err) != adscan.EUNAVAILABLE {
		t.Errorf("StartScan: %v, want EUNAVAILABLE", err)
	}
	if scans, _ := st.ListScans(t.Context(), 10); len(scans) != 0 {
		t.Errorf("a scan was recorded although it never started: %+v", scans)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	if _, err := c.ListSchedules(ctx); adscan.ErrorCode(err) != adscan.EUNAVAILABLE {
		t.Errorf("ListSchedules: %v, want EUNAVAILABLE", err)
	}
}

func TestClientAgainstServer(t *testing.T) {
	tc, st, outbox := liveServer(t, liveEnv, time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c := &Client{Temporal: tc, Store: st}
	targets := []adscan.ScanTarget{{URL: "https://a.example/", MaxPages: 10}, {URL: "https://b.example/"}}

	scan, err := c.StartScan(ctx, adscan.ScanRequest{Targets: targets, CreatedBy: "reg"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.GetWorkflow(ctx, scan.ID, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetScan(ctx, scan.ID)
	if err != nil || got.Status != adscan.ScanCompleted || got.Pages != 8 {
		t.Fatalf("scan after the workflow: %+v, %v", got, err)
	}
	cases, _ := st.ListCases(ctx, adscan.CaseFilter{ScanID: scan.ID})
	if len(cases) != 4 {
		t.Fatalf("%d cases, want 4 (two flagged pages per site)", len(cases))
	}
	confirmed, escalated, dismissed := cases[0].ID, cases[1].ID, cases[2].ID

	cs, err := c.Decide(ctx, confirmed, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev", Note: "ad"})
	if err != nil || cs.State != adscan.CaseConfirmed {
		t.Fatalf("confirm: %+v, %v", cs.State, err)
	}
	if err := tc.GetWorkflow(ctx, ReviewWorkflowID(confirmed), "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(outbox, confirmed+".json")); err != nil {
		t.Errorf("referral not in the outbox: %v", err)
	}
	expectCode(t, "dismiss a referred case", adscan.ECONFLICT, "is referred", func() error {
		_, err := c.Decide(ctx, confirmed, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev"})
		return err
	})

	if cs, err := c.Decide(ctx, escalated, adscan.CaseDecision{Decision: adscan.DecisionEscalate, By: "rev"}); err != nil || cs.State != adscan.CaseEscalated {
		t.Fatalf("escalate: %v, %v", cs.State, err)
	}
	expectCode(t, "escalate twice", adscan.ECONFLICT, "is escalated", func() error {
		_, err := c.Decide(ctx, escalated, adscan.CaseDecision{Decision: adscan.DecisionEscalate, By: "rev"})
		return err
	})

	if _, err := c.Decide(ctx, dismissed, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev", Note: "news"}); err != nil {
		t.Fatal(err)
	}
	if err := tc.GetWorkflow(ctx, ReviewWorkflowID(dismissed), "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	expectCode(t, "confirm a dismissed case", adscan.ECONFLICT, "is dismissed", func() error {
		_, err := c.Decide(ctx, dismissed, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev"})
		return err
	})
	expectCode(t, "unknown case", adscan.ENOTFOUND, "", func() error {
		_, err := c.Decide(ctx, "no-such-case", adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev"})
		return err
	})
	testSchedulesAgainstServer(ctx, t, c, st)
}

func testSchedulesAgainstServer(ctx context.Context, t *testing.T, c *Client, st adscan.Store) {
	id := fmt.Sprintf("test-%d", time.Now().UnixNano())
	targets := []adscan.ScanTarget{{URL: "https://a.example/"}}
	s, err := c.CreateSchedule(ctx, adscan.Schedule{ID: id, Cron: "0 3 * * *", Targets: targets, Note: "nightly", CreatedBy: "reg"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteSchedule(context.Background(), id) })
	if s.Cron != "0 3 * * *" || s.TimeZone != DefaultTimeZone || len(s.NextRuns) == 0 || len(s.Targets) != 1 || s.CreatedBy != "reg" || s.Paused {
		t.Errorf("created schedule %+v", s)
	} else if loc, _ := time.LoadLocation(DefaultTimeZone); s.NextRuns[0].In(loc).Hour() != 3 {
		t.Errorf("next run %s is not at 03:00 in %s", s.NextRuns[0], DefaultTimeZone)
	}
	expectCode(t, "duplicate schedule", adscan.ECONFLICT, "exists", func() error {
		_, err := c.CreateSchedule(ctx, adscan.Schedule{ID: id, Cron: "0 3 * * *", Targets: targets})
		return err
	})
	expectCode(t, "bad cron", adscan.EINVALID, "", func() error {
		_, err := c.CreateSchedule(ctx, adscan.Schedule{ID: id + "-bad", Cron: "61 * * * *", Targets: targets})
		return err
	})

	if err := c.PauseSchedule(ctx, id, "holiday"); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.GetSchedule(ctx, id); !s.Paused || s.Note != "holiday" {
		t.Errorf("after pause: %+v", s)
	}
	if err := c.UnpauseSchedule(ctx, id, "back"); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.GetSchedule(ctx, id); s.Paused {
		t.Errorf("after unpause: %+v", s)
	}

	if err := c.TriggerSchedule(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "a completed scan of the schedule", func() bool {
		scans, _ := st.ListScans(ctx, 100)
		for _, sc := range scans {
			if sc.Schedule == id && sc.Status == adscan.ScanCompleted && strings.HasPrefix(sc.ID, "scan-"+id) {
				return true
			}
		}
		return false
	})

	iv, err := c.CreateSchedule(ctx, adscan.Schedule{ID: id + "-iv", Interval: 6 * time.Hour, TimeZone: "UTC", Targets: targets})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteSchedule(context.Background(), id+"-iv") })
	if iv.Interval != 6*time.Hour || iv.Cron != "" || iv.TimeZone != "UTC" {
		t.Errorf("interval schedule %+v", iv)
	}
	waitFor(ctx, t, "both schedules listed", func() bool {
		list, err := c.ListSchedules(ctx)
		n := 0
		for _, s := range list {
			if s.ID == id || s.ID == id+"-iv" {
				n++
			}
		}
		return err == nil && n == 2
	})
	// A page of one after the first schedule is the second, described.
	page, err := c.ListSchedulesPage(ctx, adscan.ListPage{After: adscan.Schedule{ID: id}.Cursor(), Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != id+"-iv" || page[0].Interval != 6*time.Hour {
		t.Errorf("ListSchedulesPage after %s, limit 1 = %+v, %v; want %s-iv", id, page, err, id)
	}
	if _, err := c.ListSchedulesPage(ctx, adscan.ListPage{After: adscan.User{Name: id}.Cursor()}); adscan.ErrorCode(err) != adscan.EINVALID {
		t.Errorf("ListSchedulesPage with a user cursor: %v, want EINVALID", err)
	}

	if err := c.DeleteSchedule(ctx, id); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"get":     func() error { _, err := c.GetSchedule(ctx, id); return err },
		"pause":   func() error { return c.PauseSchedule(ctx, id, "x") },
		"trigger": func() error { return c.TriggerSchedule(ctx, id) },
		"delete":  func() error { return c.DeleteSchedule(ctx, id) },
	} {
		expectCode(t, name+" a deleted schedule", adscan.ENOTFOUND, "schedule "+id+" not found", f)
	}
}

func expectCode(t *testing.T, what, code, msg string, f func() error) {
	t.Helper()
	err := f()
	if adscan.ErrorCode(err) != code || !strings.Contains(adscan.ErrorMessage(err), msg) {
		t.Errorf("%s: err = %v, want %s containing %q", what, err, code, msg)
	}
}

func waitFor(ctx context.Context, t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// flakyCrawler is siteCrawler that fails its first call after three pages.
type flakyCrawler struct {
	calls   atomic.Int32
	resumed atomic.Value // the resume state of the second call
}

func (f *flakyCrawler) Crawl(ctx context.Context, t adscan.ScanTarget, resume []byte,
	onPage func(context.Context, CrawledPage) error, onCheckpoint func([]byte)) (CrawlStats, error) {
	if f.calls.Add(1) == 1 {
		n := 0
		st, err := siteCrawler{}.Crawl(ctx, t, nil, func(ctx context.Context, p CrawledPage) error {
			if n++; n > 3 {
				return errors.New("worker lost")
			}
			return onPage(ctx, p)
		}, onCheckpoint)
		return st, err
	}
	f.resumed.Store(string(resume))
	return siteCrawler{}.Crawl(ctx, t, resume, onPage, onCheckpoint)
}

func TestCrawlResumesOnServer(t *testing.T) {
	addr := os.Getenv(liveEnv)
	if addr == "" {
		t.Skipf("set %s=host:port of a Temporal server (adscan dev) to run this test", liveEnv)
	}
	tc, err := client.Dial(client.Options{HostPort: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	st := newTestStore(t)
	cr := &flakyCrawler{}
	queue := fmt.Sprintf("%s-resume-%d", TaskQueue, time.Now().UnixNano())
	w := worker.New(tc, queue, worker.Options{})
	Register(w, &Activities{Store: st, Crawler: cr, Temporal: tc, ReviewSLA: time.Hour})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	id := fmt.Sprintf("resume-%d", time.Now().UnixNano())
	if err := st.CreateScan(ctx, adscan.Scan{ID: id}); err != nil {
		t.Fatal(err)
	}
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, SiteScanWorkflowName,
		SiteScanInput{ScanID: id, Target: adscan.ScanTarget{URL: "https://r.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	var r SiteScanResult
	if err := run.Get(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if got, _ := cr.resumed.Load().(string); got != "3" {
		t.Errorf("the retry resumed from %q, want the last checkpoint 3", got)
	}
	if r.Pages != 4 || r.Cases != 2 || r.NewCases != 2 {
		t.Errorf("result %+v, want 4 pages and 2 new cases", r)
	}
	if cases := st.casesOf(t, "https://r.example/"); len(cases) != 2 {
		t.Errorf("%d cases, want 2", len(cases))
	}
}
