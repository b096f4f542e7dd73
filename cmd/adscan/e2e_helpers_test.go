package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
)

// envRunMain makes the test binary act as the adscan program, so tests can
// run the real program as a child process (and SIGKILL it).
const envRunMain = "ADSCAN_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var consoleLine = regexp.MustCompile(`console:\s+(http://\S+/)`)

// waitConsoleURL waits for the program's ready lines and returns the console URL.
func waitConsoleURL(t testing.TB, out *syncBuffer, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := consoleLine.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("adscan dev did not print its console URL within %s; output:\n%s", timeout, out.String())
	return ""
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// api is a JSON client of the console's API with HTTP Basic credentials.
type api struct {
	t          *testing.T
	base       string
	user, pass string
}

// do sends a request and decodes a JSON answer into out (if not nil); it
// returns the status.
func (a api) do(method, path string, body, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(a.base, "/")+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.SetBasicAuth(a.user, a.pass)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	if resp.StatusCode >= 300 && out != nil {
		if e, ok := out.(*apiError); ok {
			_ = json.Unmarshal(raw, e)
		}
	}
	return resp.StatusCode
}

type apiError struct {
	Error string `json:"error"`
}

// startScan posts a scan and returns its ID.
func (a api) startScan(targets ...adscan.ScanTarget) string {
	a.t.Helper()
	var got struct{ ID string }
	var e apiError
	if code := a.do("POST", "/api/scans", map[string]any{"targets": targets}, &got); code != http.StatusAccepted {
		a.do("POST", "/api/scans", map[string]any{"targets": targets}, &e)
		a.t.Fatalf("POST /api/scans: status %d %s", code, e.Error)
	}
	return got.ID
}

// waitScan polls the scan until it is no longer running.
func (a api) waitScan(id string, timeout time.Duration) adscan.Scan {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	var s adscan.Scan
	for time.Now().Before(deadline) {
		if code := a.do("GET", "/api/scans/"+id, nil, &s); code == http.StatusOK && s.Status != adscan.ScanRunning {
			return s
		}
		time.Sleep(200 * time.Millisecond)
	}
	a.t.Fatalf("scan %s still %q after %s (pages %d)", id, s.Status, timeout, s.Pages)
	return s
}

func (a api) cases(query string) []adscan.Case {
	a.t.Helper()
	var cs []adscan.Case
	if code := a.do("GET", "/api/cases?"+query, nil, &cs); code != http.StatusOK {
		a.t.Fatalf("GET /api/cases?%s: status %d", query, code)
	}
	return cs
}

// get returns the body of a console page, failing the test unless it is 200.
func (a api) get(path string) []byte {
	a.t.Helper()
	req, _ := http.NewRequest("GET", strings.TrimSuffix(a.base, "/")+path, nil)
	req.SetBasicAuth(a.user, a.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return b
}

// programCommand is `adscan args...` (the test binary in program mode), to run to its end.
func programCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	return cmd
}

// child is the real program running as a child process.
type child struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// startChild runs `adscan args...` as a child process (the test binary in
// program mode) with the admin password set.
func startChild(t testing.TB, password string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1", "ADSCAN_ADMIN_PASSWORD="+password, "ADSCAN_LOG_LEVEL=warn")
	out := &syncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: out}
	t.Cleanup(func() { c.kill() })
	return c
}

func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("adscan dev exited with %v; output:\n%s", err, c.out.String())
		}
	case <-time.After(30 * time.Second):
		c.kill()
		t.Errorf("adscan dev did not stop within 30s of SIGINT")
	}
}

// startDev runs `adscan dev` on the data directory dir, on free ports,
// with private targets allowed, no crawl delay and the extra flags; it
// waits for the console and returns the program and an API client signed
// in as admin.
func startDev(t *testing.T, dir string, extra ...string) (*child, api) {
	t.Helper()
	args := append([]string{"dev", "--data", dir, "--http", freeAddr(t), "--temporal-address", freeAddr(t),
		"--allow-private-targets", "--crawl-delay", "0"}, extra...)
	prog := startChild(t, e2ePassword, args...)
	return prog, api{t: t, base: waitConsoleURL(t, prog.out, 90*time.Second), user: "admin", pass: e2ePassword}
}

// waitWACZ waits up to 30s for the WACZ package of case id in the outbox
// of the data directory dir, and returns its path and content.
func waitWACZ(t *testing.T, dir, id string) (string, []byte) {
	t.Helper()
	wacz := filepath.Join(dir, "outbox", id+".wacz")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(wacz); err == nil {
			return wacz, b
		}
	}
	t.Fatalf("no %s after confirm", wacz)
	return wacz, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
