package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// TemporalHandler is the Temporal SDK's own metrics (task polls, schedule-
// to-start latencies, request failures, sticky cache …) in the worker's
// registry: a client.MetricsHandler for client.Options. Counters are
// named NAME_total, timers NAME_seconds (histograms), gauges NAME. A
// metric's label names are the tag keys of its first use; a later use
// with other keys fills the missing ones with "" and drops the rest (a
// Prometheus metric has one set of label names).
func (m *Worker) TemporalHandler() client.MetricsHandler {
	return &temporalHandler{reg: &temporalRegistry{registry: m.Registry, vecs: map[string]*temporalVec{}}}
}

type temporalRegistry struct {
	registry *prometheus.Registry
	mu       sync.Mutex
	vecs     map[string]*temporalVec
}

type temporalVec struct {
	labels    []string
	counter   *prometheus.CounterVec
	gauge     *prometheus.GaugeVec
	histogram *prometheus.HistogramVec
}

type temporalHandler struct {
	reg  *temporalRegistry
	tags map[string]string
}

func (h *temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &temporalHandler{reg: h.reg, tags: merged}
}

func (h *temporalHandler) Counter(name string) client.MetricsCounter {
	v, vals := h.reg.vec(promName(name)+"_total", "counter", h.tags)
	if v == nil {
		return nopMetric{}
	}
	return counterFunc(v.counter.WithLabelValues(vals...).Add)
}

func (h *temporalHandler) Gauge(name string) client.MetricsGauge {
	v, vals := h.reg.vec(promName(name), "gauge", h.tags)
	if v == nil {
		return nopMetric{}
	}
	return gaugeFunc(v.gauge.WithLabelValues(vals...).Set)
}

func (h *temporalHandler) Timer(name string) client.MetricsTimer {
	v, vals := h.reg.vec(promName(name)+"_seconds", "timer", h.tags)
	if v == nil {
		return nopMetric{}
	}
	return timerFunc(v.histogram.WithLabelValues(vals...).Observe)
}

// vec returns the metric vector of name (made on first use, with the tag
// keys as its label names) and the label values for tags; nil if the name
// is taken by a metric of another kind.
func (r *temporalRegistry) vec(name, kind string, tags map[string]string) (*temporalVec, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.vecs[name]
	if !ok {
		v = &temporalVec{labels: promLabels(tags)}
		help := "Temporal SDK metric " + name + "."
		var c prometheus.Collector
		switch kind {
		case "counter":
			v.counter = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, v.labels)
			c = v.counter
		case "gauge":
			v.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, v.labels)
			c = v.gauge
		default:
			v.histogram = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help,
				Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, v.labels)
			c = v.histogram
		}
		if err := r.registry.Register(c); err != nil {
			v = nil
		}
		r.vecs[name] = v
	}
	if v == nil || (kind == "counter") != (v.counter != nil) || (kind == "gauge") != (v.gauge != nil) {
		return nil, nil
	}
	vals := make([]string, len(v.labels))
	for i, l := range v.labels {
		for k, val := range tags {
			if promName(k) == l {
				vals[i] = val
			}
		}
	}
	return v, vals
}

// promName makes a Temporal metric or tag name a Prometheus one.
func promName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

func promLabels(tags map[string]string) []string {
	var out []string
	for k := range tags {
		out = append(out, promName(k))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nopMetric is what a name taken by another kind of metric gets.
type nopMetric struct{}

func (nopMetric) Inc(int64)            {}
func (nopMetric) Update(float64)       {}
func (nopMetric) Record(time.Duration) {}

type counterFunc func(float64)

func (f counterFunc) Inc(d int64) { f(float64(d)) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(float64)

func (f timerFunc) Record(d time.Duration) { f(d.Seconds()) }
