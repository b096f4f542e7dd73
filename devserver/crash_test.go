package devserver

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// Environment of the helper process TestServerSurvivesKill starts.
const (
	crashDirEnv  = "DEVSERVER_CRASH_DIR"
	crashAddrEnv = "DEVSERVER_CRASH_ADDR"
)

// TestCrashHelperProcess is not a test: run by TestServerSurvivesKill in a
// child process, it serves until it is killed.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestServerSurvivesKill")
	}
	s, err := Start(context.Background(), Config{DataDir: dir, FrontendAddr: os.Getenv(crashAddrEnv)})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("READY", s.FrontendHostPort())
	select {} // until SIGKILL
}

// TestServerSurvivesKill kills a server process with SIGKILL and starts a
// new one on the same data dir and address: committed state is there, the
// data dir lock is free again, and a waiting workflow carries on with the
// worker it had.
func TestServerSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	port, err := freePort(loopback)
	if err != nil {
		t.Fatal(err)
	}
	addr := loopback + ":" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()

	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashHelperProcess$")
	child.Env = append(os.Environ(), crashDirEnv+"="+dir, crashAddrEnv+"="+addr)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := child.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	lines := bufio.NewScanner(out)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "READY ") {
		if strings.HasPrefix(lines.Text(), "ERROR") {
			t.Fatalf("helper: %s", lines.Text())
		}
	}
	// Process start to frontend ready: what `adscan dev` adds to its own work.
	t.Logf("helper process ready in %v", time.Since(began).Round(time.Millisecond))
	go func() { // keep the pipe drained
		for lines.Scan() {
		}
	}()

	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietSDKLogger(t)})
	if err != nil {
		t.Fatalf("dial helper at %s: %v", addr, err)
	}
	defer c.Close()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterWorkflow(decideWorkflow)
	w.RegisterActivity(greetActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-1", TaskQueue: testTaskQueue}, greetWorkflow, "before")
	if err != nil || run.Get(ctx, nil) != nil {
		t.Fatalf("greet before the kill: %v", err)
	}
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "decide-1", TaskQueue: testTaskQueue}, decideWorkflow); err != nil {
		t.Fatal(err)
	}
	waitHistoryLength(ctx, t, c, "decide-1", 4) // first workflow task completed

	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	startTestServer(t, Config{DataDir: dir, FrontendAddr: addr})
	desc, err := c.DescribeWorkflowExecution(ctx, "greet-1", "")
	if err != nil {
		t.Fatalf("describe greet-1 after the kill: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("greet-1 after the kill: %v, want COMPLETED", st)
	}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: "decide-1", UpdateName: "decide", Args: []any{"dismiss"},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		t.Fatalf("update decide-1 after the kill: %v", err)
	}
	var decision string
	if err := c.GetWorkflow(ctx, "decide-1", "").Get(ctx, &decision); err != nil || decision != "dismiss" {
		t.Fatalf("decide-1 after the kill = %q, %v (update %v)", decision, err, h.Get(ctx, nil))
	}
}

func waitHistoryLength(ctx context.Context, t *testing.T, c client.Client, id string, n int64) {
	t.Helper()
	for {
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err == nil && d.GetWorkflowExecutionInfo().GetHistoryLength() >= n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: history never reached %d events: %v", id, n, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
