package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/store/storetest"
)

// Cluster drills run the real programs on one machine — `adscan dev
// --no-worker` on a PostgreSQL store and two `adscan worker` processes —
// over fake sites, and break things in the middle of a scan.

// envPGRestart opts into the drill that restarts the PostgreSQL server
// (pg_ctlcluster): it breaks every other test using PostgreSQL at that
// moment, so .ci/run runs it on its own, after the suite.
const envPGRestart = "ADSCAN_TEST_PG_RESTART"

const clusterPages = 300 // pages per fake site

// slowSites are fake sites of clusterPages pages that answer each page
// after a little delay and count the pages served.
type slowSites struct {
	urls   []string
	served atomic.Int64
}

func newSlowSites(t testing.TB, n int, delay time.Duration) *slowSites {
	t.Helper()
	s := &slowSites{}
	for range n {
		site := fakesite.NewGenerated(clusterPages)
		t.Cleanup(site.Close)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/p/") {
				time.Sleep(delay)
				s.served.Add(1)
			}
			site.Config.Handler.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		s.urls = append(s.urls, srv.URL)
	}
	return s
}

func (s *slowSites) targets() []adscan.ScanTarget {
	var ts []adscan.ScanTarget
	for _, u := range s.urls {
		ts = append(ts, adscan.ScanTarget{URL: u + "/p/0.html", MaxPages: clusterPages + 10, MaxDepth: 20})
	}
	return ts
}

// waitServed waits until the sites served at least n pages.
func (s *slowSites) waitServed(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for s.served.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d pages served after 2 minutes, waiting for %d", s.served.Load(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cluster is `adscan dev --no-worker` and its workers.
type cluster struct {
	t        *testing.T
	devArgs  []string
	dev      *child
	api      api
	hint     []string // the worker command dev printed, without "adscan"
	workers  []*child
	metrics  []string // each worker's --metrics address
	dsn      string
	database *sql.DB
}

var workerHint = regexp.MustCompile(`no worker: start one with: adscan (.*)`)

func startCluster(t *testing.T, workers int) *cluster {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	c := &cluster{t: t, dsn: dsn}
	c.devArgs = []string{"dev", "--no-worker", "--data", t.TempDir(), "--db", dsn, "--http", freeAddr(t),
		"--temporal-address", freeAddr(t), "--allow-private-targets", "--crawl-delay", "0", "--crawl-heartbeat-timeout", "3s",
		"--plain-screenshots=false"} // the drills measure orchestration, not browsers
	c.startDev()
	m := workerHint.FindStringSubmatch(c.dev.out.String())
	if m == nil {
		t.Fatalf("adscan dev --no-worker printed no worker command:\n%s", c.dev.out.String())
	}
	c.hint = shellWords(t, m[1])
	for range workers {
		addr := freeAddr(t)
		w := startChild(t, e2ePassword, append(slices.Clone(c.hint), "--metrics", addr)...)
		c.workers = append(c.workers, w)
		c.metrics = append(c.metrics, addr)
	}
	for i := range c.workers {
		c.waitReady(i)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.database = db
	return c
}

func (c *cluster) startDev() {
	c.dev = startChild(c.t, e2ePassword, c.devArgs...)
	c.api = api{t: c.t, base: waitConsoleURL(c.t, c.dev.out, 90*time.Second), user: "admin", pass: e2ePassword}
}

// waitReady waits for worker i's /readyz.
func (c *cluster) waitReady(i int) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + c.metrics[i] + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("worker %d not ready within 60s; output:\n%s", i, c.workers[i].out.String())
}

// counter reads one counter (summed over its labels) from worker i's
// /metrics; -1 when the worker does not answer.
func (c *cluster) counter(i int, name string) float64 {
	resp, err := http.Get("http://" + c.metrics[i] + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			c.t.Fatalf("metrics line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}

// checkScan checks a finished scan of sites: completed, every page once,
// every advertising page exactly one case, no page recorded twice.
func (c *cluster) checkScan(id string, sites *slowSites) adscan.Scan {
	c.t.Helper()
	scan := c.api.waitScan(id, 5*time.Minute)
	if scan.Status != adscan.ScanCompleted {
		c.t.Fatalf("scan %s: %s (%s)", id, scan.Status, scan.Error)
	}
	want := len(sites.urls) * clusterPages
	if scan.Pages != want || scan.Errors != 0 {
		c.t.Errorf("scan %s: %d pages, %d errors; want %d pages, no errors", id, scan.Pages, scan.Errors, want)
	}
	var wantCases []string
	for _, u := range sites.urls {
		wantCases = append(wantCases, adPages(u, clusterPages)...)
	}
	var got []string
	for p := range pagesOf(c.api, "scan="+id) {
		got = append(got, p.URL)
	}
	slices.Sort(got)
	slices.Sort(wantCases)
	if !slices.Equal(got, wantCases) {
		c.t.Errorf("scan %s: %d cases, want one for each of the %d advertising pages", id, len(got), len(wantCases))
	}
	var dups int
	if err := c.database.QueryRow(`SELECT count(*) FROM (SELECT requested_url FROM captures WHERE scan_id = $1
		GROUP BY requested_url HAVING count(DISTINCT id) > 1) d`, id).Scan(&dups); err != nil {
		c.t.Fatal(err)
	}
	if dups != 0 {
		c.t.Errorf("scan %s: %d pages recorded more than once", id, dups)
	}
	return scan
}

// pagesOf yields every case of a query, following the API's next cursor.
func pagesOf(a api, query string) func(func(adscan.Case) bool) {
	return func(yield func(adscan.Case) bool) {
		path := "/api/cases?limit=100&" + query
		for path != "" {
			req, _ := http.NewRequest("GET", strings.TrimSuffix(a.base, "/")+path, nil)
			req.SetBasicAuth(a.user, a.pass)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				a.t.Fatal(err)
			}
			var cs []adscan.Case
			if err := jsonDecode(resp, &cs); err != nil {
				a.t.Fatal(err)
			}
			path = ""
			if next := resp.Header.Get("X-Next-Cursor"); next != "" {
				path = "/api/cases?limit=100&" + query + "&after=" + next
			}
			for _, c := range cs {
				if !yield(c) {
					return
				}
			}
		}
	}
}

// TestClusterDrills: a healthy scan whose metrics match its totals; a
// worker SIGKILLed mid-scan; `adscan dev --no-worker` (Temporal and the
// console) SIGKILLed and restarted mid-scan. Each scan completes with every
// page once and one case per advertising page.
func TestClusterDrills(t *testing.T) {
	skipShort(t)
	c := startCluster(t, 2)

	t.Run("metrics match the scan", func(t *testing.T) {
		sites := newSlowSites(t, 3, 5*time.Millisecond)
		id := c.api.startScan(sites.targets()...)
		sites.waitServed(t, 100)
		if moving := c.counter(0, "adscan_pages_fetched_total") + c.counter(1, "adscan_pages_fetched_total"); moving <= 0 {
			t.Errorf("pages fetched counters read %v while the scan runs", moving)
		}
		scan := c.checkScan(id, sites)
		var pages, cases float64
		for i := range c.workers {
			pages += c.counter(i, "adscan_pages_fetched_total")
			cases += c.counter(i, "adscan_cases_created_total")
		}
		if int(pages) != scan.Pages || int(cases) != scan.Cases {
			t.Errorf("workers' metrics: %v pages, %v cases; the scan: %d pages, %d cases", pages, cases, scan.Pages, scan.Cases)
		}
	})

	t.Run("worker killed", func(t *testing.T) {
		sites := newSlowSites(t, 3, 20*time.Millisecond)
		before := c.counter(1, "adscan_pages_fetched_total")
		id := c.api.startScan(sites.targets()...)
		sites.waitServed(t, int64(len(sites.urls)*clusterPages/4))
		c.workers[0].kill()
		atKill := c.counter(1, "adscan_pages_fetched_total")
		t.Logf("worker 0 SIGKILLed after %d pages served", sites.served.Load())
		c.checkScan(id, sites)
		after := c.counter(1, "adscan_pages_fetched_total")
		// Worker 1 took over worker 0's crawls: it fetched more pages after
		// the kill than it could have of its own.
		if after-atKill <= 0 || after-before < float64(len(sites.urls)*clusterPages)/2 {
			t.Errorf("worker 1 fetched %v pages in the scan (%v after the kill); it did not take the work over", after-before, after-atKill)
		}
		// Bring a second worker back for the next drills.
		c.workers[0] = startChild(t, e2ePassword, append(slices.Clone(c.hint), "--metrics", c.metrics[0])...)
		c.waitReady(0)
	})

	t.Run("dev killed and restarted", func(t *testing.T) {
		sites := newSlowSites(t, 3, 20*time.Millisecond)
		id := c.api.startScan(sites.targets()...)
		sites.waitServed(t, int64(len(sites.urls)*clusterPages/4))
		c.dev.kill()
		t.Logf("adscan dev SIGKILLed after %d pages served", sites.served.Load())
		c.startDev()
		c.checkScan(id, sites)
	})

	t.Run("politeness across workers", func(t *testing.T) {
		// One host whose robots.txt asks for 200 ms between requests, and
		// two scans of it at once, each of its own part of the site.
		site := fakesite.NewGenerated(clusterPages)
		defer site.Close()
		var mu sync.Mutex
		var times []time.Time
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			if r.URL.Path == "/robots.txt" {
				fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.2\n")
				return
			}
			site.Config.Handler.ServeHTTP(w, r)
		}))
		defer srv.Close()
		before := []float64{c.counter(0, "adscan_pages_fetched_total"), c.counter(1, "adscan_pages_fetched_total")}
		var ids []string
		for _, seed := range []string{"/p/1.html", "/p/2.html"} {
			ids = append(ids, c.api.startScan(adscan.ScanTarget{URL: srv.URL + seed, MaxPages: 12, MaxDepth: 20}))
		}
		for _, id := range ids {
			if s := c.api.waitScan(id, 2*time.Minute); s.Status != adscan.ScanCompleted || s.Pages != 12 {
				t.Fatalf("scan %s: %s, %d pages (%s)", id, s.Status, s.Pages, s.Error)
			}
		}
		for i := range c.workers {
			t.Logf("worker %d fetched %v of the pages", i, c.counter(i, "adscan_pages_fetched_total")-before[i])
		}
		mu.Lock()
		defer mu.Unlock()
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		// The first robots.txt requests go out before the Crawl-delay is
		// known; every later pair is held to it (5 ms slack for loopback).
		for i := 3; i < len(times); i++ {
			if g := times[i].Sub(times[i-1]); g < 195*time.Millisecond {
				t.Errorf("requests %d and %d of %d reached the host %v apart, want ≥ 200ms", i-1, i, len(times), g)
			}
		}
		if t.Failed() {
			for i, w := range c.workers {
				t.Logf("worker %d output:\n%s", i, w.out.String())
			}
		}
	})

	if os.Getenv(envPGRestart) != "1" {
		t.Logf("skipping the PostgreSQL restart drill: set %s=1 to run it (it restarts the server other tests use)", envPGRestart)
		return
	}
	t.Run("postgres restarted", func(t *testing.T) {
		sites := newSlowSites(t, 3, 20*time.Millisecond)
		id := c.api.startScan(sites.targets()...)
		sites.waitServed(t, int64(len(sites.urls)*clusterPages/4))
		restartPostgres(t)
		t.Logf("PostgreSQL restarted after %d pages served", sites.served.Load())
		c.checkScan(id, sites)
	})
}

// restartPostgres restarts the local PostgreSQL cluster with pg_ctlcluster.
func restartPostgres(t *testing.T) {
	t.Helper()
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		t.Skipf("no local PostgreSQL cluster to restart (/etc/postgresql: %v)", err)
	}
	out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", "restart").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctlcluster restart: %v\n%s", err, out)
	}
}

func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// shellWords splits a command line as the shell does, so the command the
// program printed is run exactly as a user pasting it would.
func shellWords(t testing.TB, line string) []string {
	t.Helper()
	out, err := exec.Command("sh", "-c", "for a in "+line+`; do printf '%s\0' "$a"; done`).Output()
	if err != nil {
		t.Fatalf("the shell cannot read the printed command %q: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}
