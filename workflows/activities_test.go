package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"adscan"
)

// run executes one activity in a fresh test environment.
func run[T any](t *testing.T, a *Activities, fn any, args ...any) (T, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	var out T
	v, err := env.ExecuteActivity(fn, args...)
	if err == nil && v.HasValue() {
		err = v.Get(&out)
	}
	return out, err
}

func nonRetryable(err error, typ string) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.NonRetryable() && ae.Type() == typ
}

func TestRecordScanStartAndFinishScan(t *testing.T) {
	st := newTestStore(t)
	a := &Activities{Store: st}
	in := RecordScanStartInput{ScanID: "scan-9", ScheduleID: "nightly", Targets: []adscan.ScanTarget{{URL: "https://a.example/"}}}
	for range 2 { // a retry finds the row
		if _, err := run[struct{}](t, a, a.RecordScanStart, in); err != nil {
			t.Fatal(err)
		}
	}
	s, err := st.GetScan(t.Context(), "scan-9")
	if err != nil || s.Status != adscan.ScanRunning || s.Schedule != "nightly" || len(s.Targets) != 1 {
		t.Fatalf("scan %+v, %v", s, err)
	}
	if _, err := run[struct{}](t, a, a.RecordScanStart, RecordScanStartInput{}); !nonRetryable(err, errTypeInvalid) {
		t.Errorf("empty scan ID: %v", err)
	}

	if err := st.AddScanProgress(t.Context(), "scan-9", 3, 0); err != nil {
		t.Fatal(err)
	}
	fin := FinishScanInput{ScanID: "scan-9", Status: adscan.ScanCompleted, Pages: 5, Errors: 1, Exact: true}
	for range 2 {
		if _, err := run[struct{}](t, a, a.FinishScan, fin); err != nil {
			t.Fatal(err)
		}
	}
	s, _ = st.GetScan(t.Context(), "scan-9")
	if s.Status != adscan.ScanCompleted || s.Pages != 5 || s.Errors != 1 || s.FinishedAt == nil {
		t.Errorf("finished scan %+v, want completed with 5 pages and 1 error", s)
	}
	// Over-counted pages (a resume from an older checkpoint) are corrected.
	if err := st.CreateScan(t.Context(), adscan.Scan{ID: "scan-10"}); err != nil {
		t.Fatal(err)
	}
	_ = st.AddScanProgress(t.Context(), "scan-10", 9, 2)
	if _, err := run[struct{}](t, a, a.FinishScan, FinishScanInput{ScanID: "scan-10", Status: adscan.ScanCompleted, Pages: 6, Errors: 1, Exact: true}); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.GetScan(t.Context(), "scan-10"); s.Pages != 6 || s.Errors != 1 {
		t.Errorf("over-counted scan finished with %d pages, %d errors; want 6 and 1", s.Pages, s.Errors)
	}
	if _, err := run[struct{}](t, a, a.FinishScan, FinishScanInput{ScanID: "scan-9", Status: "done"}); !nonRetryable(err, errTypeInvalid) {
		t.Errorf("bad status: %v", err)
	}
}

func TestReviewActivities(t *testing.T) {
	st := newTestStore(t)
	a := &Activities{Store: st, Now: func() time.Time { return time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC) }}
	ctx := t.Context()
	openCase := func(url string) string {
		p := page(url, "奥数 提前学", adscan.CategoryTutoringAd)
		id, err := st.PutCapture(ctx, p.Capture)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := st.RecordFindings(ctx, adscan.FindingsInput{Target: "https://a.example/", URL: url, CaptureID: id, Flags: p.Result.Flags})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}

	id := openCase("https://a.example/1")
	if s, err := run[adscan.CaseState](t, a, a.CaseState, id); err != nil || s != adscan.CaseOpen {
		t.Errorf("CaseState = %s, %v", s, err)
	}
	if _, err := run[adscan.CaseState](t, a, a.CaseState, "nope"); !nonRetryable(err, errTypeNotFound) {
		t.Errorf("CaseState of an unknown case: %v", err)
	}

	// SLA escalation moves an open case once and leaves others alone.
	for range 2 {
		s, err := run[adscan.CaseState](t, a, a.EscalateCase, EscalateInput{CaseID: id, Detail: "no decision within the SLA of 72h0m0s"})
		if err != nil || s != adscan.CaseEscalated {
			t.Fatalf("EscalateCase = %s, %v", s, err)
		}
	}
	c, _ := st.GetCase(ctx, id)
	if n := strings.Count(auditText(c), "SLA"); n != 1 || !strings.Contains(auditText(c), "system") {
		t.Errorf("audit after escalation: %s", auditText(c))
	}

	// A decision applied twice (a retry after a lost result) is fine; the
	// decision the state refuses is a non-retryable conflict.
	confirm := ApplyDecisionInput{CaseID: id, Decision: adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev", Note: "ad"}}
	for range 2 {
		if s, err := run[adscan.CaseState](t, a, a.ApplyDecision, confirm); err != nil || s != adscan.CaseConfirmed {
			t.Fatalf("ApplyDecision = %s, %v", s, err)
		}
	}
	dismiss := ApplyDecisionInput{CaseID: id, Decision: adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev2"}}
	if _, err := run[adscan.CaseState](t, a, a.ApplyDecision, dismiss); !nonRetryable(err, errTypeConflict) {
		t.Errorf("dismiss of a confirmed case: %v", err)
	}
	if _, err := run[adscan.CaseState](t, a, a.ApplyDecision, ApplyDecisionInput{CaseID: id, Decision: adscan.CaseDecision{Decision: "maybe", By: "r"}}); !nonRetryable(err, errTypeInvalid) {
		t.Errorf("unknown decision: %v", err)
	}
	if s, _ := run[adscan.CaseState](t, a, a.EscalateCase, EscalateInput{CaseID: id}); s != adscan.CaseConfirmed {
		t.Errorf("SLA escalation of a confirmed case left it %s", s)
	}

	for range 2 {
		if _, err := run[struct{}](t, a, a.MarkReferred, MarkReferredInput{CaseID: id, Destination: "/outbox/x.json"}); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = st.GetCase(ctx, id)
	if c.State != adscan.CaseReferred || !strings.Contains(auditText(c), "/outbox/x.json") {
		t.Errorf("after MarkReferred: %s, audit %s", c.State, auditText(c))
	}
}

func auditText(c adscan.Case) string {
	var b strings.Builder
	for _, e := range c.Audit {
		b.WriteString(e.Actor + " " + string(e.Action) + " " + e.Detail + "\n")
	}
	return b.String()
}

func TestCrawlSiteSkipsPagesTheStoreRefuses(t *testing.T) {
	pages := sitePages()
	pages[1].Capture.FetchedAt = time.Time{} // a crawler bug: no fetch time
	a, st, _ := newCrawlActivities(t, &fakeCrawler{pages: pages})
	r, err, _ := crawlAttempt(t, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pages != 6 || r.Errors != 2 || r.Cases != 2 {
		t.Errorf("result %+v, want 6 pages, 2 errors (the refused one too), 2 cases", r)
	}
	if n := len(st.casesOf(t, "")); n != 2 {
		t.Errorf("%d cases, want 2", n)
	}
}

// wrappingCrawler wraps every error, as a real crawler adds its context.
type wrappingCrawler struct{ SiteCrawler }

func (w wrappingCrawler) Crawl(ctx context.Context, t adscan.ScanTarget, resume []byte,
	onPage func(context.Context, CrawledPage) error, onCheckpoint func([]byte)) (CrawlStats, error) {
	st, err := w.SiteCrawler.Crawl(ctx, t, resume, onPage, onCheckpoint)
	if err != nil {
		err = fmt.Errorf("crawler: crawl %s: %w", t.URL, err)
	}
	return st, err
}

// refusingStore refuses every batch with a flagged page with a conflict.
type refusingStore struct{ *countingStore }

func (s refusingStore) RecordPages(ctx context.Context, b adscan.PageBatch) ([]adscan.PageRecorded, error) {
	for _, p := range b.Pages {
		if len(p.Flags) > 0 {
			return nil, fmt.Errorf("store: record pages: %w", adscan.Errorf(adscan.ECONFLICT, "findings refused"))
		}
	}
	return s.countingStore.RecordPages(ctx, b)
}

func TestCrawlSiteKeepsNonRetryableOnPageErrors(t *testing.T) {
	a, st, _ := newCrawlActivities(t, wrappingCrawler{&fakeCrawler{pages: sitePages()}})
	a.Store = refusingStore{st}
	_, err, _ := crawlAttempt(t, a, nil)
	if !nonRetryable(err, errTypeConflict) || !strings.Contains(err.Error(), "crawler: crawl https://a.example/") {
		t.Errorf("err = %v, want a non-retryable conflict with the crawler's context", err)
	}
}

// TestResolveProfileTargets: each target naming a profile gets the site
// and render mode the profile has now, whatever its target carried.
func TestResolveProfileTargets(t *testing.T) {
	st := newTestStore(t)
	a := &Activities{Store: st}
	put := func(site string, render adscan.RenderMode) {
		t.Helper()
		if _, _, err := st.PutProfile(t.Context(), adscan.PlatformProfile{Name: "pingtai", Site: site, Render: render,
			YAML: []byte("name: pingtai\n"), CreatedBy: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	put("https://pingtai.example/", "")
	put("https://new.pingtai.example/", adscan.RenderBrowser) // registered again, moved
	in := ResolveProfileTargetsInput{ScanID: "scan-1", Targets: []adscan.ScanTarget{
		{URL: "https://a.example/", MaxDepth: 2},
		{Profile: "pingtai", MaxPages: 40},
		{URL: "https://pingtai.example/", Profile: "pingtai"}, // an older schedule's target
	}}
	got, err := run[[]adscan.ScanTarget](t, a, a.ResolveProfileTargets, in)
	want := []adscan.ScanTarget{
		{URL: "https://a.example/", MaxDepth: 2},
		{URL: "https://new.pingtai.example/", Profile: "pingtai", MaxPages: 40, Render: adscan.RenderBrowser},
		{URL: "https://new.pingtai.example/", Profile: "pingtai", Render: adscan.RenderBrowser},
	}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("resolved %+v, %v; want %+v", got, err, want)
	}

	_, err = run[[]adscan.ScanTarget](t, a, a.ResolveProfileTargets, ResolveProfileTargetsInput{ScanID: "scan-2",
		Targets: []adscan.ScanTarget{{URL: "https://a.example/"}, {Profile: "gone"}}})
	if !nonRetryable(err, errTypeInvalid) || !strings.Contains(err.Error(), "targets[1]: profile gone is not registered") {
		t.Errorf("unregistered profile: %v", err)
	}
	put("http://127.0.0.1:8080/", "")
	_, err = run[[]adscan.ScanTarget](t, a, a.ResolveProfileTargets, in)
	if !nonRetryable(err, errTypeInvalid) || !strings.Contains(err.Error(), "private targets are not allowed") {
		t.Errorf("a private site on a worker without --allow-private-targets: %v", err)
	}
	a.AllowPrivate = true
	if got, err := run[[]adscan.ScanTarget](t, a, a.ResolveProfileTargets, in); err != nil || got[1].URL != "http://127.0.0.1:8080/" {
		t.Errorf("a private site allowed: %+v, %v", got, err)
	}
}

// TestResolveScanTargets: each target resolves on its own; one whose
// profile is not registered, or whose site is refused, carries why, and
// the others resolve all the same.
func TestResolveScanTargets(t *testing.T) {
	st := newTestStore(t)
	a := &Activities{Store: st}
	for name, site := range map[string]string{"pingtai": "https://new.pingtai.example/", "private": "http://127.0.0.1:8080/"} {
		if _, _, err := st.PutProfile(t.Context(), adscan.PlatformProfile{Name: name, Site: site,
			YAML: []byte("name: " + name + "\n"), CreatedBy: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	in := ResolveProfileTargetsInput{ScanID: "scan-1", Targets: []adscan.ScanTarget{
		{URL: "https://a.example/", MaxDepth: 2},
		{URL: "https://old.pingtai.example/", Profile: "pingtai", MaxPages: 40}, // an older schedule's target
		{Profile: "gone", MaxPages: 10},
		{Profile: "private"},
	}}
	got, err := run[[]TargetResolution](t, a, a.ResolveScanTargets, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []adscan.ScanTarget{
		{URL: "https://a.example/", MaxDepth: 2},
		{URL: "https://new.pingtai.example/", Profile: "pingtai", MaxPages: 40},
		{Profile: "gone", MaxPages: 10},
		{Profile: "private"},
	}
	wantErr := []string{"", "", "targets[2]: profile gone is not registered", "targets[3]: profile private: site"}
	if len(got) != len(want) {
		t.Fatalf("%d resolutions, want %d: %+v", len(got), len(want), got)
	}
	for i, r := range got {
		if r.Target != want[i] {
			t.Errorf("target %d: %+v, want %+v", i, r.Target, want[i])
		}
		if (r.Error == "") != (wantErr[i] == "") || !strings.Contains(r.Error, wantErr[i]) {
			t.Errorf("target %d: error %q, want %q", i, r.Error, wantErr[i])
		}
	}

	a.AllowPrivate = true
	if got, err := run[[]TargetResolution](t, a, a.ResolveScanTargets, in); err != nil || got[3].Error != "" || got[3].Target.URL != "http://127.0.0.1:8080/" {
		t.Errorf("a private site allowed: %+v, %v", got, err)
	}

	// A store that fails says nothing of the targets: the call is retried.
	a.Store = unreachableProfiles{st}
	_, err = run[[]TargetResolution](t, a, a.ResolveScanTargets, in)
	var ae *temporal.ApplicationError
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("an unreachable store: %v, want its error", err)
	} else if errors.As(err, &ae) && ae.NonRetryable() {
		t.Errorf("an unreachable store is not retried: %v", err)
	}
}

// unreachableProfiles fails every profile lookup as a store that is down.
type unreachableProfiles struct{ *countingStore }

func (unreachableProfiles) GetProfile(context.Context, string) (adscan.PlatformProfile, error) {
	return adscan.PlatformProfile{}, errors.New("store: get profile: connection refused")
}
