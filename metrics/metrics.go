// Package metrics is a worker's Prometheus metrics and its operator's
// endpoints: /metrics, /healthz (the process serves) and /readyz (its
// dependencies answer).
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"adscan"
	"adscan/workflows"
)

// Worker is the metrics of an adscan worker, in a registry of its own. It
// implements workflows.Observer.
type Worker struct {
	Registry *prometheus.Registry

	pages, bytes prometheus.Counter
	fetchErrors  *prometheus.CounterVec
	robots       prometheus.Counter
	flags        *prometheus.CounterVec
	cases        prometheus.Counter
	crawls       *prometheus.CounterVec
	crawlSeconds prometheus.Histogram
	referrals    *prometheus.CounterVec
}

var _ workflows.Observer = (*Worker)(nil)

// NewWorker returns a worker's metrics with the Go runtime and process
// collectors registered.
func NewWorker() *Worker {
	m := &Worker{
		Registry: prometheus.NewRegistry(),
		pages: prometheus.NewCounter(prometheus.CounterOpts{Name: "adscan_pages_fetched_total",
			Help: "Pages fetched and recorded by crawls."}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "adscan_fetched_bytes_total",
			Help: "Body bytes of the pages fetched."}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "adscan_fetch_errors_total",
			Help: "Pages that could not be fetched or recorded, by kind (refused_address, robots, timeout, redirect_loop, …)."}, []string{"kind"}),
		robots: prometheus.NewCounter(prometheus.CounterOpts{Name: "adscan_robots_refusals_total",
			Help: "Links not followed because robots.txt disallows them."}),
		flags: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "adscan_flags_total",
			Help: "Flagged pages, by category."}, []string{"category"}),
		cases: prometheus.NewCounter(prometheus.CounterOpts{Name: "adscan_cases_created_total",
			Help: "Cases created."}),
		crawls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "adscan_crawls_total",
			Help: "Crawl attempts of a target, by outcome (ok, error)."}, []string{"outcome"}),
		crawlSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "adscan_crawl_duration_seconds",
			Help: "How long one crawl attempt of a target took.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}),
		referrals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "adscan_referrals_total",
			Help: "Referral deliveries, by outcome (delivered, failed)."}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.pages, m.bytes, m.fetchErrors, m.robots, m.flags, m.cases, m.crawls, m.crawlSeconds, m.referrals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Worker) PageFetched(n int64) {
	m.pages.Inc()
	if n > 0 {
		m.bytes.Add(float64(n))
	}
}

func (m *Worker) PageFailed(kind adscan.FetchErrorKind) {
	m.fetchErrors.WithLabelValues(string(kind)).Inc()
}

func (m *Worker) PageFlagged(cats []adscan.Category) {
	for _, c := range cats {
		m.flags.WithLabelValues(string(c)).Inc()
	}
}

func (m *Worker) CaseCreated() { m.cases.Inc() }

func (m *Worker) CrawlFinished(_ string, d time.Duration, stats workflows.CrawlStats, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.crawls.WithLabelValues(outcome).Inc()
	m.crawlSeconds.Observe(d.Seconds())
	m.robots.Add(float64(stats.Skipped))
}

func (m *Worker) ReferralDelivered() { m.referrals.WithLabelValues("delivered").Inc() }
func (m *Worker) ReferralFailed()    { m.referrals.WithLabelValues("failed").Inc() }

// Handler serves /metrics, /healthz and /readyz; ready reports whether
// the worker's dependencies answer (nil: always).
func (m *Worker) Handler(ready func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			if err := ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// ServeOn serves h on ln, a listener opened earlier (so that a busy address
// is found before anything else starts), until ctx ends. It returns the
// address ln listens on.
func ServeOn(ctx context.Context, ln net.Listener, h http.Handler) string {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; /healthz stops answering, which is the signal
		}
	}()
	return ln.Addr().String()
}
