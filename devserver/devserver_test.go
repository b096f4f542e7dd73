package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const testTaskQueue = "devserver-test"

// greetWorkflow runs greetActivity once and returns its result.
func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, greetActivity, name).Get(ctx, &out)
	return out, err
}

func greetActivity(_ context.Context, name string) (string, error) {
	return "hello " + name, nil
}

// decideWorkflow waits for a "decide" Update whose validator accepts only
// "confirm" or "dismiss", then returns the decision.
func decideWorkflow(ctx workflow.Context) (string, error) {
	var decision string
	err := workflow.SetUpdateHandlerWithOptions(ctx, "decide",
		func(_ workflow.Context, d string) (string, error) {
			decision = d
			return "recorded " + d, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, d string) error {
			if d != "confirm" && d != "dismiss" {
				return fmt.Errorf("unknown decision %q", d)
			}
			return nil
		}},
	)
	if err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return decision != "" }); err != nil {
		return "", err
	}
	return decision, nil
}

// startTestServer starts a server with cfg (logging to the test) and stops
// it when the test ends.
func startTestServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	began := time.Now()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("server ready at %s in %v", s.FrontendHostPort(), time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// quietSDKLogger sends the SDK's warnings and errors to the test output.
func quietSDKLogger(t *testing.T) sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
}

func dial(t *testing.T, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.FrontendHostPort(), Namespace: s.Namespace(), Logger: quietSDKLogger(t)})
	if err != nil {
		t.Fatalf("dial %s: %v", s.FrontendHostPort(), err)
	}
	return c
}

func TestServerRunsWorkflowsAndKeepsStateAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()

	s := startTestServer(t, Config{DataDir: dir, FrontendAddr: "127.0.0.1:0"})
	began := time.Now()
	step := func(name string) {
		t.Logf("%-28s %v", name, time.Since(began).Round(time.Millisecond))
		began = time.Now()
	}
	if _, err := Start(ctx, Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "in use by another server") {
		t.Fatalf("second Start on a data dir in use: err = %v, want in use", err)
	}
	if s.Namespace() != DefaultNamespace {
		t.Errorf("Namespace() = %q, want %q", s.Namespace(), DefaultNamespace)
	}
	c := dial(t, s)
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterWorkflow(decideWorkflow)
	w.RegisterActivity(greetActivity)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}

	// A workflow with an activity, through the worker.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-1", TaskQueue: testTaskQueue}, greetWorkflow, "adscan")
	if err != nil {
		t.Fatalf("start greet: %v", err)
	}
	var greeting string
	if err := run.Get(ctx, &greeting); err != nil || greeting != "hello adscan" {
		t.Fatalf("greet result = %q, %v; want %q", greeting, err, "hello adscan")
	}

	step("greet workflow")
	// An Update: the validator rejects an unknown decision, accepts a known one.
	decide, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "decide-1", TaskQueue: testTaskQueue}, decideWorkflow)
	if err != nil {
		t.Fatalf("start decide: %v", err)
	}
	update := func(arg string) (string, error) {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: "decide-1", UpdateName: "decide", Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return "", err
		}
		var out string
		err = h.Get(ctx, &out)
		return out, err
	}
	if _, err := update("maybe"); err == nil || !strings.Contains(err.Error(), `unknown decision "maybe"`) {
		t.Errorf("update with unknown decision: err = %v, want the validator's rejection", err)
	}
	if out, err := update("confirm"); err != nil || out != "recorded confirm" {
		t.Fatalf("update confirm = %q, %v", out, err)
	}
	var decision string
	if err := decide.Get(ctx, &decision); err != nil || decision != "confirm" {
		t.Fatalf("decide result = %q, %v; want confirm", decision, err)
	}

	step("update workflow")
	// A Schedule, listed by the server.
	_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:     "scan-hourly",
		Spec:   client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
		Paused: true,
		Action: &client.ScheduleWorkflowAction{
			ID: "scheduled-greet", Workflow: greetWorkflow, Args: []any{"schedule"}, TaskQueue: testTaskQueue,
		},
	})
	if err != nil {
		t.Fatalf("create schedule: %v", err)
	}
	waitScheduleListed(ctx, t, c, "scan-hourly")
	// Describe answers once the scheduler workflow has run its first task;
	// stopping before that would leave the task to time out (10 s) after
	// the restart, as after a crash.
	if _, err := c.ScheduleClient().GetHandle(ctx, "scan-hourly").Describe(ctx); err != nil {
		t.Fatalf("describe schedule: %v", err)
	}
	step("schedule created and listed")

	w.Stop()
	c.Close()
	stopped := time.Now()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("stopped in %v", time.Since(stopped).Round(time.Millisecond))
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	// Same data dir: the execution and the schedule are still there.
	s2 := startTestServer(t, Config{DataDir: dir, UIAddr: "127.0.0.1:0"})
	c2 := dial(t, s2)
	defer c2.Close()
	began = time.Now()
	desc, err := c2.DescribeWorkflowExecution(ctx, "greet-1", "")
	if err != nil {
		t.Fatalf("describe greet-1 after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("greet-1 status after restart = %v, want COMPLETED", st)
	}
	step("describe after restart")
	sd, err := c2.ScheduleClient().GetHandle(ctx, "scan-hourly").Describe(ctx)
	if err != nil {
		t.Fatalf("describe schedule after restart: %v", err)
	}
	if !sd.Schedule.State.Paused {
		t.Errorf("schedule after restart is not paused")
	}
	step("describe schedule")
	waitScheduleListed(ctx, t, c2, "scan-hourly")
	step("schedule listed")

	// The web UI serves its pages and reaches the frontend.
	if s2.UIURL() == "" {
		t.Fatal("UIURL() is empty with a UIAddr")
	}
	if body := httpGet(ctx, t, s2.UIURL()+"/"); !strings.Contains(body, "<html") {
		t.Errorf("UI home page is not HTML: %.200q", body)
	}
	if body := httpGet(ctx, t, s2.UIURL()+"/api/v1/namespaces/default/schedules"); !strings.Contains(body, "scan-hourly") {
		t.Errorf("UI API schedule list lacks scan-hourly: %.300q", body)
	}
}

func httpGet(ctx context.Context, t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return string(body)
}

// waitScheduleListed polls the schedule list (eventually consistent) until
// id appears or ctx ends.
func waitScheduleListed(ctx context.Context, t *testing.T, c client.Client, id string) {
	t.Helper()
	for {
		it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
		if err != nil {
			t.Fatalf("list schedules: %v", err)
		}
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatalf("list schedules: %v", err)
			}
			if e.ID == id {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("schedule %q not listed: %v", id, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestStartGivesUpWhenContextEnds(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := Start(ctx, Config{DataDir: dir})
	if err == nil {
		_ = s.Stop()
		t.Fatal("Start with a canceled context succeeded")
	}
	if !strings.Contains(err.Error(), "not ready") || !errors.Is(err, context.Canceled) {
		t.Errorf("Start error = %v, want not ready: context canceled", err)
	}
	// Nothing is left holding the data dir.
	startTestServer(t, Config{DataDir: dir})
}

func TestStartRejectsBadConfig(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no data dir", Config{}, "data dir is required"},
		{"bad address", Config{DataDir: t.TempDir(), FrontendAddr: "7233"}, `frontend address "7233"`},
		{"host name", Config{DataDir: t.TempDir(), FrontendAddr: "example.com:0"}, "host must be an IP address"},
		{"bad port", Config{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:99999"}, "bad port"},
		{"port taken", Config{DataDir: t.TempDir(), FrontendAddr: taken.Addr().String()}, "address already in use"},
		{"bad namespace", Config{DataDir: t.TempDir(), Namespace: "no spaces"}, `namespace "no spaces"`},
		{"UI port taken", Config{DataDir: t.TempDir(), UIAddr: taken.Addr().String()}, "UI address: listen tcp"},
		{"bad UI address", Config{DataDir: t.TempDir(), UIAddr: "ui.example:0"}, `UI address "ui.example:0": host must be an IP address`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Start(context.Background(), tc.cfg)
			if err == nil {
				_ = s.Stop()
				t.Fatalf("Start succeeded, want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "devserver: ") {
				t.Errorf("Start error = %q, want it to start with devserver: and contain %q", err, tc.want)
			}
		})
	}
}

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		host string
		port int
	}{
		{"", "127.0.0.1", 0},
		{":7233", "127.0.0.1", 7233},
		{"localhost:0", "127.0.0.1", 0},
		{"0.0.0.0:7233", "0.0.0.0", 7233},
		{"[::1]:7233", "::1", 7233},
	} {
		host, port, err := parseAddr("frontend", tc.in)
		if err != nil || host != tc.host || port != tc.port {
			t.Errorf("parseAddr(%q) = %q, %d, %v; want %q, %d", tc.in, host, port, err, tc.host, tc.port)
		}
	}
	if _, _, err := parseAddr("frontend", "nohostport"); err == nil {
		t.Error("parseAddr(nohostport): no error")
	}
}
