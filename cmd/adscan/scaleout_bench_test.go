package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/store/storetest"
	"adscan/workflows"
)

// BenchmarkScaleOut runs the real programs on one machine — `adscan dev
// --no-worker` (PostgreSQL store when ADSCAN_TEST_POSTGRES is set, else
// SQLite) and `adscan worker` processes started with the command dev
// prints, each with --max-crawls 4 — and scans loopback sites of 300 pages
// that answer each page after a delay (20 ms), first with one worker, then
// with two. It reports pages/s for each and their ratio (goal: ≥ 1.7× with two), and
// where the time goes: the machine's CPU use, the CPU seconds per 1000
// pages of the workers (crawling and classification), of dev (the
// embedded Temporal server and the console) and of the PostgreSQL server,
// and the rate that CPU time allows if the scan had every core.
//
// A site is one crawl activity on one worker, with two fetches in flight,
// and a scan runs at most 4 sites at once (workflows.DefaultMaxConcurrent).
// With 3 sites a single worker already runs every crawl at once (4 crawl
// slots), so a second worker adds no crawl capacity there; "sites=8" (two
// scans of 4 sites started together) has more crawls than one worker's
// slots and can scale. "sites=8,page=200ms" is the same with slow sites,
// so that the crawl slots, not the machine's CPU, limit the rate.
//
//	ADSCAN_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./cmd/adscan -run '^$' -bench ScaleOut -benchtime 1x -count 2
//
// The PostgreSQL figure is the whole server's CPU, other users included.
func BenchmarkScaleOut(b *testing.B) {
	for _, v := range []struct {
		sites int
		delay time.Duration
	}{{3, 20 * time.Millisecond}, {8, 20 * time.Millisecond}, {8, 200 * time.Millisecond}} {
		name := fmt.Sprintf("sites=%d", v.sites)
		if v.delay != 20*time.Millisecond {
			name += ",page=" + v.delay.String()
		}
		b.Run(name, func(b *testing.B) { benchmarkScaleOut(b, v.sites, v.delay) })
	}
}

func benchmarkScaleOut(b *testing.B, sites int, delay time.Duration) {
	args := []string{"dev", "--no-worker", "--data", b.TempDir(), "--http", freeAddr(b),
		"--temporal-address", freeAddr(b), "--allow-private-targets", "--crawl-delay", "0"}
	storeName := "sqlite"
	if os.Getenv(storetest.PostgresEnv) != "" {
		args = append(args, "--db", storetest.PostgresDSN(b))
		storeName = "postgres"
	}
	dev := startChild(b, e2ePassword, args...)
	a := api{base: waitConsoleURL(b, dev.out, 90*time.Second), user: "admin", pass: e2ePassword}
	m := workerHint.FindStringSubmatch(dev.out.String())
	if m == nil {
		b.Fatalf("adscan dev --no-worker printed no worker command:\n%s", dev.out.String())
	}
	// Orchestration, not browsers: a worker with Chromium would render every
	// fifth page (the adverts) once more for its screenshot, about a second
	// each, and measure its browsers (see the rendering benchmarks).
	hint := append(shellWords(b, m[1]), "--max-crawls", "4", "--crawl-delay", "0", "--allow-private-targets", "--plain-screenshots=false")
	b.Logf("store %s, %d sites of %d pages at %s, load average %s", storeName, sites, clusterPages, delay, loadAverage())

	var rates [3]float64 // by number of workers
	for b.Loop() {
		for _, n := range []int{1, 2} {
			r := scaleOutRun(b, a, dev, hint, sites, n, delay)
			rates[n] += r.pagesPerSecond()
			b.Logf("%d worker(s): %s", n, r)
			prefix := fmt.Sprintf("%dw-", n)
			b.ReportMetric(r.pagesPerSecond(), prefix+"pages/s")
			b.ReportMetric(r.busy(), prefix+"cpu-busy")
			b.ReportMetric(r.perKilopage(r.workerCPU), prefix+"worker-cpu-s/kpage")
			b.ReportMetric(r.perKilopage(r.devCPU), prefix+"dev-cpu-s/kpage")
			b.ReportMetric(r.perKilopage(r.pgCPU), prefix+"pg-cpu-s/kpage")
			b.ReportMetric(r.cpuBound(), prefix+"cpu-bound-pages/s")
		}
	}
	b.ReportMetric(rates[2]/rates[1], "scaling")
}

// scaleOutResult is one scan and the CPU time spent while it ran.
type scaleOutResult struct {
	pages     int
	elapsed   time.Duration
	share     []float64 // pages fetched by each worker
	workerCPU float64   // seconds, all workers
	devCPU    float64   // seconds, adscan dev (Temporal, console)
	pgCPU     float64   // seconds, every postgres process
	machine   cpuTotals // the whole machine
	load      string
}

func (r scaleOutResult) pagesPerSecond() float64 { return float64(r.pages) / r.elapsed.Seconds() }

func (r scaleOutResult) perKilopage(cpu float64) float64 { return cpu / float64(r.pages) * 1000 }

// busy is the machine's CPU use during the scan, 1 for every core busy.
func (r scaleOutResult) busy() float64 {
	if r.machine.total == 0 {
		return 0
	}
	return 1 - r.machine.idle/r.machine.total
}

// cpuBound is the rate the CPU time of the scan's processes allows when
// they have every core of the machine to themselves.
func (r scaleOutResult) cpuBound() float64 {
	cpu := r.workerCPU + r.devCPU + r.pgCPU
	if cpu == 0 {
		return 0
	}
	return float64(numCPU()) * float64(r.pages) / cpu
}

func (r scaleOutResult) String() string {
	return fmt.Sprintf("%d pages in %.1fs = %.0f pages/s; pages by worker %v; CPU busy %.0f%% of %d cores; "+
		"CPU s: workers %.1f, dev %.1f, postgres %.1f; load average after %s",
		r.pages, r.elapsed.Seconds(), r.pagesPerSecond(), r.share, 100*r.busy(), numCPU(),
		r.workerCPU, r.devCPU, r.pgCPU, r.load)
}

// scaleOutRun starts n workers, scans fresh sites through the API, stops
// the workers and returns the scan's figures.
func scaleOutRun(b *testing.B, a api, dev *child, hint []string, sites, n int, delay time.Duration) scaleOutResult {
	var ws []*child
	var addrs []string
	for range n {
		addr := freeAddr(b)
		ws = append(ws, startChild(b, e2ePassword, append(slices.Clone(hint), "--metrics", addr)...))
		addrs = append(addrs, addr)
	}
	for i, addr := range addrs {
		waitReadyz(b, addr, ws[i])
	}
	defer func() {
		for _, w := range ws {
			stopChild(w)
		}
	}()
	s := newSlowSites(b, sites, delay)
	before := make([]float64, n)
	for i, addr := range addrs {
		before[i] = scrapeCounter(addr, "adscan_pages_fetched_total")
	}
	pids := func() (ids []int) {
		for _, w := range ws {
			ids = append(ids, w.cmd.Process.Pid)
		}
		return ids
	}()
	w0, d0, p0, m0 := processCPU(pids...), processCPU(dev.cmd.Process.Pid), postgresCPU(), machineCPU()
	start := time.Now()
	// A scan runs at most workflows.DefaultMaxConcurrent site scans at
	// once, one worker's worth of crawl slots: more sites than that are
	// split into scans started together, as several regulators' would be.
	var ids []string
	for ts := range slices.Chunk(s.targets(), workflows.DefaultMaxConcurrent) {
		ids = append(ids, startScanTargetsB(b, a, ts))
	}
	var scans []adscan.Scan
	for _, id := range ids {
		scans = append(scans, waitScanLong(b, a, id, 10*time.Minute))
	}
	r := scaleOutResult{elapsed: time.Since(start)}
	for _, scan := range scans {
		r.pages += scan.Pages
		if scan.Status != adscan.ScanCompleted || scan.Errors != 0 {
			b.Fatalf("scan %s: %s, %d pages, %d errors: %s", scan.ID, scan.Status, scan.Pages, scan.Errors, scan.Error)
		}
	}
	r.workerCPU = processCPU(pids...) - w0
	r.devCPU = processCPU(dev.cmd.Process.Pid) - d0
	r.pgCPU = postgresCPU() - p0
	m1 := machineCPU()
	r.machine = cpuTotals{total: m1.total - m0.total, idle: m1.idle - m0.idle}
	r.load = loadAverage()
	for i, addr := range addrs {
		r.share = append(r.share, scrapeCounter(addr, "adscan_pages_fetched_total")-before[i])
	}
	if r.pages != sites*clusterPages {
		b.Fatalf("%d pages scanned, want %d", r.pages, sites*clusterPages)
	}
	return r
}

// waitReadyz waits for a worker's /readyz on its --metrics address.
func waitReadyz(b *testing.B, addr string, w *child) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("worker not ready within 2 minutes; output:\n%s", w.out.String())
}

// stopChild stops a worker with SIGINT, as an operator would, so Temporal
// forgets its pollers before the next run; SIGKILL after 30 s.
func stopChild(c *child) {
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.kill()
	}
}

// waitScanLong polls a scan until it is no longer running.
func waitScanLong(b *testing.B, a api, id string, timeout time.Duration) adscan.Scan {
	deadline := time.Now().Add(timeout)
	var s adscan.Scan
	for time.Now().Before(deadline) {
		if getJSON(a, "/api/scans/"+id, &s) == http.StatusOK && s.Status != adscan.ScanRunning {
			return s
		}
		time.Sleep(200 * time.Millisecond) // the console's work stays small beside the scan's
	}
	b.Fatalf("scan %s not done after %s (%d pages)", id, timeout, s.Pages)
	return s
}

// startScanTargetsB posts a scan of the targets and returns its ID.
func startScanTargetsB(b *testing.B, a api, targets []adscan.ScanTarget) string {
	body, err := json.Marshal(map[string]any{"targets": targets})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest("POST", strings.TrimSuffix(a.base, "/")+"/api/scans", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.SetBasicAuth(a.user, a.pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ ID string }
	if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&got) != nil {
		b.Fatalf("POST /api/scans: status %d", resp.StatusCode)
	}
	return got.ID
}

// getJSON decodes the answer to GET path into out and returns the status
// (0 when there is no answer).
func getJSON(a api, path string, out any) int {
	req, err := http.NewRequest("GET", strings.TrimSuffix(a.base, "/")+path, nil)
	if err != nil {
		return 0
	}
	req.SetBasicAuth(a.user, a.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(out) != nil {
		return 0
	}
	return resp.StatusCode
}

// scrapeCounter reads a counter, summed over its labels, from a worker's
// /metrics; -1 when it does not answer.
func scrapeCounter(addr, name string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return -1
	}
	var sum float64
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		f := strings.Fields(line)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100

// processCPU is the CPU seconds (user + system) the processes have used.
func processCPU(pids ...int) float64 {
	var sum float64
	for _, pid := range pids {
		f := procStat(pid)
		if len(f) > 12 {
			sum += ticks(f[11]) + ticks(f[12]) // utime, stime
		}
	}
	return sum
}

// postgresCPU is the CPU seconds of every process named postgres, with
// the children they have reaped (backends that ended).
func postgresCPU() float64 {
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var sum float64
	for _, d := range dirs {
		raw, err := os.ReadFile(d)
		if err != nil || !strings.Contains(string(raw), "(postgres)") {
			continue
		}
		f := statFields(string(raw))
		if len(f) > 14 {
			sum += ticks(f[11]) + ticks(f[12]) + ticks(f[13]) + ticks(f[14])
		}
	}
	return sum
}

// procStat is /proc/PID/stat from its third field (state) on.
func procStat(pid int) []string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return statFields(string(raw))
}

func statFields(stat string) []string {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(stat[i+1:])
}

func ticks(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v / clockTicks
}

// cpuTotals are the machine's CPU ticks, all and idle (idle + iowait).
type cpuTotals struct{ total, idle float64 }

var cpuLine = regexp.MustCompile(`(?m)^cpu\s+(.*)$`)

func machineCPU() cpuTotals {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTotals{}
	}
	m := cpuLine.FindStringSubmatch(string(raw))
	if m == nil {
		return cpuTotals{}
	}
	var t cpuTotals
	for i, f := range strings.Fields(m[1]) {
		if i >= 8 { // guest time is already in user
			break
		}
		v, _ := strconv.ParseFloat(f, 64)
		t.total += v
		if i == 3 || i == 4 {
			t.idle += v
		}
	}
	return t
}

func numCPU() int {
	raw, _ := os.ReadFile("/proc/stat")
	return len(regexp.MustCompile(`(?m)^cpu\d+ `).FindAll(raw, -1))
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:3], " ")
}
