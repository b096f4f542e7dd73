package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// files returns the paths under deploy/ whose names match one of the
// patterns (filepath.Match against the base name), sorted.
func files(t *testing.T, patterns ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, p := range patterns {
			if ok, _ := filepath.Match(p, d.Name()); ok {
				out = append(out, path)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// yamlDocs decodes every document of a YAML file (multi-document files
// too), leaving out empty ones.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	return docs
}

// Accessors for decoded YAML and JSON.
func m(v any) map[string]any { x, _ := v.(map[string]any); return x }
func l(v any) []any          { x, _ := v.([]any); return x }
func s(v any) string         { x, _ := v.(string); return x }

func TestEveryYAMLFileParses(t *testing.T) {
	paths := files(t, "*.yaml", "*.yml")
	if len(paths) < 5 {
		t.Fatalf("found only %d YAML files under deploy/: %v", len(paths), paths)
	}
	for _, p := range paths {
		if len(yamlDocs(t, p)) == 0 {
			t.Errorf("%s: no YAML document", p)
		}
	}
}

// k8sObjects are the Kubernetes objects of deploy/kubernetes, by file.
func k8sObjects(t *testing.T) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, p := range files(t, "*.yaml") {
		if !strings.HasPrefix(p, "kubernetes"+string(filepath.Separator)) {
			continue
		}
		out[p] = yamlDocs(t, p)
	}
	if len(out) == 0 {
		t.Fatal("no manifests under deploy/kubernetes")
	}
	return out
}

func TestKubernetesManifests(t *testing.T) {
	var kinds []string
	for path, docs := range k8sObjects(t) {
		for i, d := range docs {
			where := fmt.Sprintf("%s (document %d)", path, i+1)
			kind := s(d["kind"])
			if s(d["apiVersion"]) == "" || kind == "" {
				t.Errorf("%s: no apiVersion or kind", where)
				continue
			}
			if kind == "Kustomization" {
				for _, r := range l(d["resources"]) {
					if _, err := os.Stat(filepath.Join(filepath.Dir(path), s(r))); err != nil {
						t.Errorf("%s lists %v: %v", where, r, err)
					}
				}
				continue
			}
			kinds = append(kinds, kind)
			meta := m(d["metadata"])
			if s(meta["name"]) == "" {
				t.Errorf("%s: %s without metadata.name", where, kind)
			}
			if _, ok := meta["namespace"]; ok {
				t.Errorf("%s: %s names a namespace; the manifests are namespace-agnostic (kubectl -n)", where, kind)
			}
			for _, c := range containers(d) {
				checkImagePinned(t, where, s(c["image"]))
			}
		}
	}
	for _, want := range []string{"Deployment", "Service", "Secret", "ConfigMap"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("no %s in deploy/kubernetes (have %v)", want, kinds)
		}
	}
}

// containers are the containers of a Deployment, StatefulSet, DaemonSet
// or Job.
func containers(obj map[string]any) []map[string]any {
	spec := m(m(m(obj["spec"])["template"])["spec"])
	var out []map[string]any
	for _, c := range append(l(spec["initContainers"]), l(spec["containers"])...) {
		out = append(out, m(c))
	}
	return out
}

func checkImagePinned(t *testing.T, where, image string) {
	t.Helper()
	name, tag, ok := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
	if !ok || tag == "" || tag == "latest" || strings.Contains(tag, "${") && !strings.Contains(tag, ":-") {
		t.Errorf("%s: image %q is not pinned to a version", where, image)
	}
	_ = name
}

// adscanContainers are the Kubernetes containers running the adscan image,
// with the file they are in.
func adscanContainers(t *testing.T) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for path, docs := range k8sObjects(t) {
		for _, d := range docs {
			for _, c := range containers(d) {
				if isAdscanImage(s(c["image"])) {
					c["_pod_annotations"] = m(m(m(m(d["spec"])["template"])["metadata"])["annotations"])
					out[path] = append(out[path], c)
				}
			}
		}
	}
	return out
}

func isAdscanImage(image string) bool {
	name, _, _ := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
	return name == "adscan"
}

// TestKubernetesProbesMatchTheProgram checks that the probes and scrape
// annotations of the adscan containers point where the program listens:
// a worker's probes at /healthz and /readyz of its --metrics port, the
// console's at /healthz of its --http port.
func TestKubernetesProbesMatchTheProgram(t *testing.T) {
	seen := map[string]bool{}
	for path, cs := range adscanContainers(t) {
		for _, c := range cs {
			argv := containerArgv(c)
			if len(argv) < 2 {
				t.Errorf("%s: container %s runs no adscan subcommand", path, s(c["name"]))
				continue
			}
			sub := argv[1]
			seen[sub] = true
			if flagPort(argv, "--metrics") == "loopback" || flagPort(argv, "--http") == "loopback" {
				t.Errorf("%s: %q listens on loopback, where neither probes nor Prometheus reach it", path, strings.Join(argv, " "))
				continue
			}
			ports := map[string]string{} // port name → number
			for _, p := range l(c["ports"]) {
				ports[s(m(p)["name"])] = fmt.Sprint(m(p)["containerPort"])
			}
			probePort := func(kind string) (string, string) {
				g := m(m(c[kind])["httpGet"])
				port := fmt.Sprint(g["port"])
				if n, ok := ports[port]; ok {
					port = n
				}
				return s(g["path"]), port
			}
			switch sub {
			case "worker":
				port := flagPort(argv, "--metrics")
				if port == "" {
					t.Errorf("%s: the worker has no --metrics HOST:PORT, so no probes or metrics", path)
					continue
				}
				for kind, want := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
					if p, n := probePort(kind); p != want || n != port {
						t.Errorf("%s: worker %s is %s on port %s, want %s on %s (--metrics)", path, kind, p, n, want, port)
					}
				}
				ann := c["_pod_annotations"].(map[string]any)
				if s(ann["prometheus.io/scrape"]) != "true" || s(ann["prometheus.io/port"]) != port || s(ann["prometheus.io/path"]) != "/metrics" {
					t.Errorf("%s: worker pods' scrape annotations %v do not name /metrics on port %s", path, ann, port)
				}
			case "serve":
				port := flagPort(argv, "--http")
				if p, n := probePort("readinessProbe"); p != "/healthz" || n != port {
					t.Errorf("%s: console readinessProbe is %s on port %s, want /healthz on %s (--http)", path, p, n, port)
				}
			}
			if res := m(c["resources"]); m(res["requests"])["memory"] == nil || m(res["limits"])["memory"] == nil {
				t.Errorf("%s: container %s has no memory request and limit", path, s(c["name"]))
			}
		}
	}
	if !seen["worker"] || !seen["serve"] {
		t.Errorf("want a worker and a console (serve) container in deploy/kubernetes, have %v", seen)
	}
}

// flagPort is the port of a HOST:PORT flag value in argv ("" if absent,
// "loopback" if it listens on loopback, where no probe reaches it).
func flagPort(argv []string, flag string) string {
	for i, a := range argv {
		v, ok := "", false
		if a == flag && i+1 < len(argv) {
			v, ok = argv[i+1], true
		} else if strings.HasPrefix(a, flag+"=") {
			v, ok = strings.TrimPrefix(a, flag+"="), true
		}
		if ok {
			host := strings.Trim(v[:max(strings.LastIndex(v, ":"), 0)], "[]")
			if host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1" {
				return "loopback"
			}
			return v[strings.LastIndex(v, ":")+1:]
		}
	}
	return ""
}

// containerArgv is the command line of a container of the adscan image,
// whose entrypoint is adscan when it gives no command.
func containerArgv(c map[string]any) []string {
	var argv []string
	for _, a := range l(c["command"]) {
		argv = append(argv, fmt.Sprint(a))
	}
	if len(argv) == 0 {
		argv = []string{"adscan"}
	}
	for _, a := range l(c["args"]) {
		argv = append(argv, fmt.Sprint(a))
	}
	return argv
}

func TestComposeImagesArePinned(t *testing.T) {
	docs := yamlDocs(t, "docker-compose.yml")
	services := m(docs[0]["services"])
	if len(services) == 0 {
		t.Fatal("docker-compose.yml: no services")
	}
	workers := 0
	for name, svc := range services {
		svc := m(svc)
		if img := s(svc["image"]); img != "" && svc["build"] == nil {
			checkImagePinned(t, "docker-compose.yml service "+name, img)
		}
		if argv := composeArgv(svc); len(argv) > 1 && argv[1] == "worker" {
			workers++
		}
	}
	if workers < 2 {
		t.Errorf("docker-compose.yml runs %d adscan workers, want 2", workers)
	}
}

// composeArgv is the adscan command line of a compose service of the
// adscan image (nil for other services).
func composeArgv(svc map[string]any) []string {
	if !isAdscanImage(s(svc["image"])) && svc["build"] == nil {
		return nil
	}
	words := func(v any) []string {
		if str, ok := v.(string); ok {
			return strings.Fields(str)
		}
		var out []string
		for _, a := range l(v) {
			out = append(out, fmt.Sprint(a))
		}
		return out
	}
	argv := words(svc["entrypoint"])
	if len(argv) == 0 {
		argv = []string{"adscan"}
	}
	return append(argv, words(svc["command"])...)
}

// dashboard is deploy/grafana/adscan.json, decoded.
func dashboard(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("grafana", "adscan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana/adscan.json: %v", err)
	}
	return d
}

// panels are the dashboard's panels, those inside rows too.
func panels(d map[string]any) []map[string]any {
	var out []map[string]any
	for _, p := range l(d["panels"]) {
		out = append(out, m(p))
		for _, q := range l(m(p)["panels"]) {
			out = append(out, m(q))
		}
	}
	return out
}

func TestDashboardDatasourceAndLayout(t *testing.T) {
	d := dashboard(t)
	var input bool
	for _, in := range l(d["__inputs"]) {
		if s(m(in)["name"]) == "DS_PROMETHEUS" && s(m(in)["pluginId"]) == "prometheus" {
			input = true
		}
	}
	if !input {
		t.Error(`grafana/adscan.json: no "__inputs" entry DS_PROMETHEUS of the prometheus plugin`)
	}
	ids := map[float64]string{}
	for _, p := range panels(d) {
		title := s(p["title"])
		id, _ := p["id"].(float64)
		if other, dup := ids[id]; dup {
			t.Errorf("panels %q and %q share id %v", title, other, id)
		}
		ids[id] = title
		if s(p["type"]) == "row" {
			continue
		}
		if uid := s(m(p["datasource"])["uid"]); uid != "${DS_PROMETHEUS}" {
			t.Errorf("panel %q: datasource uid %q, want ${DS_PROMETHEUS}", title, uid)
		}
		if len(l(p["targets"])) == 0 {
			t.Errorf("panel %q has no query", title)
		}
		if m(p["gridPos"]) == nil {
			t.Errorf("panel %q has no gridPos", title)
		}
	}
}

// exprs are the dashboard's PromQL expressions with where they are:
// every panel target's and every query variable's.
func exprs(d map[string]any) map[string]string {
	out := map[string]string{}
	for _, p := range panels(d) {
		for i, tg := range l(p["targets"]) {
			if e := s(m(tg)["expr"]); e != "" {
				out[fmt.Sprintf("panel %q query %d", s(p["title"]), i+1)] = e
			}
		}
	}
	for _, v := range l(m(d["templating"])["list"]) {
		v := m(v)
		if s(v["type"]) != "query" {
			continue
		}
		q := s(v["query"])
		if q == "" {
			q = s(m(v["query"])["query"])
		}
		out[fmt.Sprintf("variable %q", s(v["name"]))] = q
	}
	return out
}

func TestDashboardQueriesUseRealMetrics(t *testing.T) {
	cat := metricCatalogue(t)
	used := map[string]bool{}
	all := exprs(dashboard(t))
	if len(all) < 12 {
		t.Fatalf("the dashboard has only %d queries", len(all))
	}
	for where, e := range all {
		names, labels, problems := promqlNames(e)
		for _, p := range problems {
			t.Errorf("%s: %s in %q", where, p, e)
		}
		if len(names) == 0 {
			t.Errorf("%s: no metric in %q", where, e)
		}
		var known []string // labels the expression's metrics have
		unknown := false
		for _, n := range names {
			f, ok := cat[n]
			if !ok {
				t.Errorf("%s: %s is not a metric adscan exports (%q)", where, n, e)
				continue
			}
			used[n] = true
			known = append(known, f.labels...)
			unknown = unknown || !f.known
		}
		if unknown {
			known = append(known, sdkTagKeys...)
			known = append(known, "le")
		}
		for _, lb := range labels {
			if !slices.Contains(known, lb) && lb != "instance" && lb != "job" {
				t.Errorf("%s: label %q is on none of %v", where, lb, names)
			}
		}
	}
	// Every metric of adscan's own shows somewhere.
	for name, f := range cat {
		if !f.known || !strings.HasPrefix(name, "adscan_") || name != f.samples[0] {
			continue
		}
		shown := false
		for _, smp := range f.samples {
			shown = shown || used[smp]
		}
		if !shown {
			t.Errorf("the dashboard shows nothing of %s", name)
		}
	}
}

// PromQL, as much of it as the dashboard uses.
var (
	promFuncs = strings.Fields(`sum avg min max count stddev topk bottomk quantile group count_values
		rate irate increase delta deriv histogram_quantile clamp clamp_min clamp_max abs ceil floor round
		sort sort_desc vector scalar time absent avg_over_time max_over_time min_over_time
		sum_over_time last_over_time changes resets label_values label_replace`)
	promKeywords = strings.Fields(`by without on ignoring group_left group_right and or unless bool offset`)

	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promMatchers = regexp.MustCompile(`\{([^}]*)\}`)
	promMatcher  = regexp.MustCompile(`([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	promVariable = regexp.MustCompile(`\$\{?\w+\}?`)
	promNumber   = regexp.MustCompile(`(^|[^\w.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[smhdwy]?\b`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
)

// promqlNames returns the metric names and the label names that a PromQL
// expression uses, and what in it is neither (an unknown function).
// label_values(METRIC, LABEL) of Grafana's variables counts too.
func promqlNames(expr string) (names, labels, problems []string) {
	e := promString.ReplaceAllString(expr, `""`)
	e = promRange.ReplaceAllString(e, "")
	for _, mm := range promMatchers.FindAllStringSubmatch(e, -1) {
		for _, lm := range promMatcher.FindAllStringSubmatch(mm[1], -1) {
			labels = append(labels, lm[1])
		}
	}
	e = promMatchers.ReplaceAllString(e, " ")
	for _, g := range promGrouping.FindAllStringSubmatch(e, -1) {
		for _, lb := range strings.Split(g[1], ",") {
			if lb = strings.TrimSpace(lb); lb != "" {
				labels = append(labels, lb)
			}
		}
	}
	e = promGrouping.ReplaceAllString(e, " ")
	e = promVariable.ReplaceAllString(e, " ")
	e = promNumber.ReplaceAllString(e, "$1 ")
	if strings.HasPrefix(strings.TrimSpace(e), "label_values(") {
		// label_values(metric, label): the last argument is a label.
		inner := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(e), "label_values(")), ")")
		if i := strings.LastIndexByte(inner, ','); i >= 0 {
			labels = append(labels, strings.TrimSpace(inner[i+1:]))
			e = "label_values(" + inner[:i] + ")"
		}
	}
	for _, loc := range promIdent.FindAllStringIndex(e, -1) {
		id := e[loc[0]:loc[1]]
		rest := strings.TrimLeft(e[loc[1]:], " \t\n")
		switch {
		case strings.HasPrefix(rest, "("):
			if !slices.Contains(promFuncs, id) {
				problems = append(problems, "unknown function "+strconv.Quote(id))
			}
		case slices.Contains(promKeywords, id):
		default:
			if !slices.Contains(names, id) {
				names = append(names, id)
			}
		}
	}
	return names, labels, problems
}

func TestPromqlNames(t *testing.T) {
	names, labels, problems := promqlNames(`histogram_quantile(0.95, sum by (le, task_queue) (rate(temporal_activity_execution_latency_seconds_bucket{instance=~"$instance", activity_type!=""}[$__rate_interval]))) / 1e3`)
	if !slices.Equal(names, []string{"temporal_activity_execution_latency_seconds_bucket"}) || len(problems) > 0 {
		t.Errorf("names %v, problems %v", names, problems)
	}
	slices.Sort(labels)
	if !slices.Equal(labels, []string{"activity_type", "instance", "le", "task_queue"}) {
		t.Errorf("labels %v", labels)
	}
	names, labels, _ = promqlNames(`label_values(adscan_pages_fetched_total, instance)`)
	if !slices.Equal(names, []string{"adscan_pages_fetched_total"}) || !slices.Equal(labels, []string{"instance"}) {
		t.Errorf("label_values: names %v labels %v", names, labels)
	}
	if _, _, problems := promqlNames(`rats(adscan_pages_fetched_total[5m])`); len(problems) != 1 {
		t.Errorf("an unknown function passed: %v", problems)
	}
}
