package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"adscan"
)

// recordEnv is the environment variable naming a Temporal frontend
// (host:port, namespace "default") to record testdata histories against:
//
//	ADSCAN_RECORD_HISTORY_ADDR=127.0.0.1:7233 go test ./workflows -run TestRecordHistories
//
// The server must be a real one (adscan dev --no-worker, or
// devserver.Start): a worker of the server's own would take workflow tasks
// with its code. Histories of workflow versions no longer written (see
// TestReplay) are kept under their names; this test writes today's.
const recordEnv = "ADSCAN_RECORD_HISTORY_ADDR"

// siteCrawler is a goroutine-safe SiteCrawler for runs against a server:
// every target has the same four pages below its URL, two of them flagged.
type siteCrawler struct{}

func (siteCrawler) Crawl(ctx context.Context, t adscan.ScanTarget, resume []byte,
	onPage func(context.Context, CrawledPage) error, onCheckpoint func([]byte)) (CrawlStats, error) {
	base := strings.TrimSuffix(t.URL, "/")
	pages := []CrawledPage{
		page(base+"/", "首页 欢迎"),
		page(base+"/ad", "奥数 提前学 寒假班", adscan.CategoryTutoringAd, adscan.CategoryAdvanceTeaching),
		page(base+"/news", "记者 严禁 查处"),
		page(base+"/rank", "状元 榜单 喜报", adscan.CategoryRanking),
	}
	next := 0
	if resume != nil {
		if err := json.Unmarshal(resume, &next); err != nil {
			return CrawlStats{}, err
		}
	}
	var st CrawlStats
	for i := next; i < len(pages); i++ {
		if err := onPage(ctx, pages[i]); err != nil {
			return st, err
		}
		st.Pages++
		b, _ := json.Marshal(i + 1)
		onCheckpoint(b)
	}
	return st, nil
}

// liveServer connects to the server named by env (skipping the test when it
// is unset) and runs a worker with the activities over an in-memory store.
func liveServer(t *testing.T, env string, sla time.Duration) (client.Client, *countingStore, string) {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		t.Skipf("set %s=host:port of a Temporal server (adscan dev) to run this test", env)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: sdklog.NewStructuredLogger(logger)})
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	st := newTestStore(t)
	outbox := t.TempDir()
	a := &Activities{Store: st, Crawler: siteCrawler{}, Temporal: c, ReviewSLA: sla,
		Referral: ReferralConfig{OutboxDir: outbox}, Logger: logger}
	w := worker.New(c, TaskQueue, worker.Options{})
	Register(w, a)
	// Crawls run on their own queue.
	cw := worker.New(c, CrawlTaskQueue, worker.Options{})
	RegisterActivities(cw, a)
	for _, w := range []worker.Worker{w, cw} {
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	return c, st, outbox
}

func TestRecordHistories(t *testing.T) {
	c, st, _ := liveServer(t, recordEnv, 4*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	id := fmt.Sprintf("record-%d", time.Now().Unix())

	// A scan of three targets, two at a time, continuing as new after two.
	in := ScanInput{ScanID: id, Targets: []adscan.ScanTarget{
		{URL: "https://a.example/"}, {URL: "https://b.example/"}, {URL: "https://c.example/"},
	}, MaxConcurrent: 2, ContinueAsNewAfter: 2}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, ScanWorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	var sum ScanSummary
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Targets != 3 || sum.Pages != 12 || sum.Cases != 6 {
		t.Fatalf("summary %+v, want 3 targets, 12 pages, 6 cases", sum)
	}
	writeHistory(ctx, t, c, id, run.GetRunID(), "scan_store_local.json")
	writeHistory(ctx, t, c, id, "", "scan_final_store_local.json")
	writeHistory(ctx, t, c, SiteScanChildID(id, 0), "", "sitescan_reviews_started.json")

	// A scan of one target, which runs its site scan itself.
	one := id + "-one"
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: one, TaskQueue: TaskQueue}, ScanWorkflowName,
		ScanInput{ScanID: one, Targets: []adscan.ScanTarget{{URL: "https://d.example/"}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.GetWorkflow(ctx, one, "").Get(ctx, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Targets != 1 || sum.Pages != 4 || sum.Cases != 2 {
		t.Fatalf("one-target summary %+v, want 1 target, 4 pages, 2 cases", sum)
	}
	writeHistory(ctx, t, c, one, "", "scan_one_target_inline.json")

	// A scan of a platform profile, its target resolved to the profile's
	// site when the scan was asked for.
	recordProfileScan(ctx, t, c, st, id+"-profile")

	cases, _ := st.ListCases(ctx, adscan.CaseFilter{Target: "https://a.example/"})
	if len(cases) != 2 {
		t.Fatalf("%d cases of a.example, want 2", len(cases))
	}
	dismissed, confirmed := cases[0].ID, cases[1].ID

	// Dismiss one at once, before its SLA.
	if err := update(ctx, c, dismissed, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "rev", Note: "news report"}); err != nil {
		t.Fatal(err)
	}
	if err := c.GetWorkflow(ctx, ReviewWorkflowID(dismissed), "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	writeHistory(ctx, t, c, ReviewWorkflowID(dismissed), "", "review_dismiss_local_state.json")

	// Let the other pass its SLA, try a decision its state refuses, confirm.
	waitState(ctx, t, st, confirmed, adscan.CaseEscalated)
	if err := update(ctx, c, confirmed, adscan.CaseDecision{Decision: adscan.DecisionEscalate, By: "rev"}); err == nil {
		t.Fatal("escalating an escalated case was accepted")
	}
	if err := update(ctx, c, confirmed, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev", Note: "subject tutoring ad"}); err != nil {
		t.Fatal(err)
	}
	var res CaseReviewResult
	if err := c.GetWorkflow(ctx, ReviewWorkflowID(confirmed), "").Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.State != adscan.CaseReferred || res.Referral == nil {
		t.Fatalf("review result %+v, want referred", res)
	}
	writeHistory(ctx, t, c, ReviewWorkflowID(confirmed), "", "review_confirm_local_state.json")
}

// recordProfileScan records the history of a scheduled scan of a plain
// site, the platform profile pingtai — registered again with another site
// after the schedule was made: the scan resolves it when it starts — and
// the profile gone, which is not registered: that target fails alone, with
// why, and the others are crawled.
func recordProfileScan(ctx context.Context, t *testing.T, c client.Client, st adscan.Store, id string) {
	t.Helper()
	for _, site := range []string{"https://pingtai.example/", "https://new.pingtai.example/"} {
		if _, _, err := st.PutProfile(ctx, adscan.PlatformProfile{Name: "pingtai", Site: site,
			YAML: []byte("name: pingtai\n"), CreatedBy: "recorder"}); err != nil {
			t.Fatal(err)
		}
	}
	in := ScanInput{ScanID: id, ScheduleID: "pingtai-nightly", Targets: []adscan.ScanTarget{
		{URL: "https://plain.example/"}, {Profile: "pingtai"}, {Profile: "gone"},
	}}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, ScanWorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	var sum ScanSummary
	if err := run.Get(ctx, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Targets != 2 || sum.FailedTargets != 1 || sum.Pages != 8 {
		t.Fatalf("profile scan summary %+v, want 2 targets, 1 failed, 8 pages", sum)
	}
	if cs, _ := st.ListCases(ctx, adscan.CaseFilter{Target: "https://new.pingtai.example/"}); len(cs) != 2 {
		t.Fatalf("%d cases filed under the profile's new site, want 2", len(cs))
	}
	if s, err := st.GetScan(ctx, id); err != nil || s.Status != adscan.ScanCompleted || !strings.Contains(s.Error, "profile gone is not registered") {
		t.Fatalf("scan %+v, %v; want completed, naming the profile that did not resolve", s, err)
	}
	writeHistory(ctx, t, c, id, run.GetRunID(), "scan_profile_per_target_store_local.json")
}

func update(ctx context.Context, c client.Client, caseID string, d adscan.CaseDecision) error {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: ReviewWorkflowID(caseID), UpdateName: DecisionUpdate, Args: []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

func waitState(ctx context.Context, t *testing.T, st adscan.Store, caseID string, want adscan.CaseState) {
	t.Helper()
	for {
		c, err := st.GetCase(ctx, caseID)
		if err == nil && c.State == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("case %s never became %s (is %s)", caseID, want, c.State)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// writeHistory writes a run's history to testdata/name as JSON, in the
// format the replayer (and the temporal CLI) reads.
func writeHistory(ctx context.Context, t *testing.T, c client.Client, workflowID, runID, name string) {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d events", path, len(h.Events))
}
