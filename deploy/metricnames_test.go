package deploy

import (
	"bufio"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
	"adscan/metrics"
	"adscan/web"
	"adscan/workflows"
)

// family is one metric family a process exports: its sample names (a
// histogram's _bucket, _sum and _count too) and its label names. Labels
// of the Temporal SDK's metrics depend on the tags of their first use
// (see metrics.TemporalHandler), so known is false for them and any of
// the SDK's tag names is accepted.
type family struct {
	samples []string
	labels  []string
	known   bool
}

// catalogue maps every sample name adscan's processes can export to its
// family.
type catalogue map[string]*family

func (c catalogue) add(name, kind string, labels []string, known bool) {
	f := &family{samples: []string{name}, labels: labels, known: known}
	switch kind {
	case "histogram":
		f.samples = []string{name + "_bucket", name + "_sum", name + "_count"}
		f.labels = append(slices.Clone(labels), "le")
	case "summary":
		f.samples = []string{name, name + "_sum", name + "_count"}
		f.labels = append(slices.Clone(labels), "quantile")
	}
	for _, s := range f.samples {
		c[s] = f
	}
}

var (
	catalogueOnce sync.Once
	catalogueVal  catalogue
	catalogueErr  error
)

// metricCatalogue is every metric a worker (adscan worker --metrics) or a
// console (adscan serve, GET /metrics) can export: the worker's registry
// and the console's, built as cmd/adscan builds them and with every
// labelled metric used once so that it shows, and the Temporal SDK's
// metrics as the SDK's own source names and uses them.
func metricCatalogue(t *testing.T) catalogue {
	t.Helper()
	catalogueOnce.Do(func() {
		c := catalogue{}
		if err := addWorkerMetrics(c); err != nil {
			catalogueErr = err
			return
		}
		if err := addConsoleMetrics(c); err != nil {
			catalogueErr = err
			return
		}
		catalogueErr = addTemporalSDKMetrics(c)
		catalogueVal = c
	})
	if catalogueErr != nil {
		t.Fatalf("the metrics adscan exports: %v", catalogueErr)
	}
	return catalogueVal
}

// addWorkerMetrics gathers a worker's registry (metrics.NewWorker, as
// `adscan worker --metrics` makes it) after using every metric once.
func addWorkerMetrics(c catalogue) error {
	m := metrics.NewWorker()
	m.PageFetched(1)
	m.PageFailed(adscan.FetchTimeout)
	m.PageFlagged([]adscan.Category{adscan.CategoryTutoringAd})
	m.CaseCreated()
	m.CrawlFinished("https://a.example/", time.Second, workflows.CrawlStats{Skipped: 1}, nil)
	m.ReferralDelivered()
	m.ReferralFailed()
	fams, err := m.Registry.Gather()
	if err != nil {
		return err
	}
	for _, f := range fams {
		var labels []string
		if len(f.GetMetric()) > 0 {
			for _, l := range f.GetMetric()[0].GetLabel() {
				labels = append(labels, l.GetName())
			}
		}
		kind := strings.ToLower(f.GetType().String())
		c.add(f.GetName(), kind, labels, true)
	}
	return nil
}

// stubStore and stubOrchestrator let web.New build a server; the one
// request made (GET /healthz) uses neither.
type stubStore struct{ adscan.Store }
type stubOrchestrator struct{ adscan.Orchestrator }

// typeLine is a "# TYPE name kind" line of the Prometheus text format.
var typeLine = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$`)

// addConsoleMetrics reads the console's metrics (web.Server's, served to
// admins at /metrics) after one request, so the per-route ones show.
func addConsoleMetrics(c catalogue) error {
	srv, err := web.New(web.Config{Store: stubStore{}, Orchestrator: stubOrchestrator{}})
	if err != nil {
		return err
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		return errors.New("console GET /healthz: " + strconv.Itoa(rec.Code))
	}
	rec = httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	var name, kind string
	labels := map[string][]string{}
	kinds := map[string]string{}
	for sc.Scan() {
		line := sc.Text()
		if m := typeLine.FindStringSubmatch(line); m != nil {
			name, kind = m[1], m[2]
			kinds[name] = kind
			continue
		}
		if strings.HasPrefix(line, "#") || name == "" || labels[name] != nil {
			continue
		}
		// The first sample of the family: its label names.
		ls := []string{}
		if i := strings.IndexByte(line, '{'); i >= 0 {
			for _, kv := range strings.Split(line[i+1:strings.IndexByte(line, '}')], ",") {
				if k, _, ok := strings.Cut(kv, "="); ok && k != "le" && k != "quantile" {
					ls = append(ls, k)
				}
			}
		}
		labels[name] = ls
	}
	for n, k := range kinds {
		c.add(n, k, labels[n], true)
	}
	return nil
}

// The Temporal SDK's metric names are constants of its internal package
// (not importable); how it uses each one (Counter, Timer, Gauge) says how
// adscan's handler names it: NAME_total, NAME_seconds (a histogram), NAME.
var (
	sdkMetricUse = regexp.MustCompile(`\.(Counter|Timer|Gauge)\(metrics\.(\w+)\)`)
	sdkTagKeys   []string
)

// addTemporalSDKMetrics reads the metric names and tag keys of the
// go.temporal.io/sdk version in go.mod from its source in the module
// cache (`go list -m`, offline).
func addTemporalSDKMetrics(c catalogue) error {
	dir, err := moduleDir("go.temporal.io/sdk")
	if err != nil {
		return err
	}
	names, tags, err := sdkConstants(filepath.Join(dir, "internal", "common", "metrics", "constants.go"))
	if err != nil {
		return err
	}
	sdkTagKeys = tags
	kinds := map[string]string{} // constant → counter, timer or gauge
	err = filepath.WalkDir(filepath.Join(dir, "internal"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range sdkMetricUse.FindAllStringSubmatch(string(b), -1) {
			kinds[m[2]] = strings.ToLower(m[1])
		}
		return nil
	})
	if err != nil {
		return err
	}
	for constName, name := range names {
		switch kinds[constName] {
		case "counter":
			c.add(name+"_total", "counter", nil, false)
		case "timer":
			c.add(name+"_seconds", "histogram", nil, false)
		case "gauge":
			c.add(name, "gauge", nil, false)
		default:
			// Used through a variable (the request and workflow
			// completion metrics): a latency is a timer, the rest counters.
			if strings.HasSuffix(name, "_latency") {
				c.add(name+"_seconds", "histogram", nil, false)
			} else {
				c.add(name+"_total", "counter", nil, false)
			}
		}
	}
	return nil
}

// moduleDir is the directory of module path at the version go.mod
// requires, without touching the network.
func moduleDir(path string) (string, error) {
	gobin, err := goCommand()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "list", "-m", "-f", "{{.Dir}}", path)
	cmd.Dir = ".."
	cmd.Env = offlineGoEnv()
	out, err := cmd.CombinedOutput()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return "", errors.New("go list -m " + path + ": " + strings.TrimSpace(string(out)) + " " + errString(err))
	}
	return dir, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sdkConstants evaluates the string constants of the SDK's metrics
// package: the metric names (those starting "temporal_", by constant
// name) and the tag keys (the constants named …TagName).
func sdkConstants(file string) (names map[string]string, tags []string, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, nil, err
	}
	vals := map[string]string{}
	var eval func(ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			v, ok := vals[e.Name]
			return v, ok
		case *ast.BinaryExpr:
			a, ok1 := eval(e.X)
			b, ok2 := eval(e.Y)
			return a + b, ok1 && ok2 && e.Op == token.ADD
		case *ast.ParenExpr:
			return eval(e.X)
		}
		return "", false
	}
	names = map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				v, ok := eval(vs.Values[i])
				if !ok {
					continue
				}
				vals[n.Name] = v
				switch {
				case strings.HasSuffix(n.Name, "TagName") || n.Name == "RequestFailureCode":
					tags = append(tags, v)
				case strings.HasPrefix(v, "temporal_") && n.Name != "TemporalMetricsPrefix" && !strings.HasSuffix(n.Name, "Value"):
					names[n.Name] = v
				}
			}
		}
	}
	if len(names) < 20 || len(tags) < 5 {
		return nil, nil, errors.New(file + ": found too few metric names or tag keys; has the SDK's layout changed?")
	}
	return names, tags, nil
}

// offlineGoEnv is the environment for go commands the tests run: the
// module proxy off (no network) and go.mod left as it is, on top of the
// caller's GOFLAGS.
func offlineGoEnv() []string {
	return append(os.Environ(), "GOPROXY=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=readonly"))
}

// goCommand is the go command running this test.
func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go"), nil
	}
	return "", errors.New("no go command on PATH")
}
