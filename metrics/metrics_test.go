package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/workflows"
)

func TestWorkerMetrics(t *testing.T) {
	m := NewWorker()
	m.PageFetched(2048)
	m.PageFetched(0)
	m.PageFailed(adscan.FetchTimeout)
	m.PageFlagged([]adscan.Category{adscan.CategoryRanking, adscan.CategoryTutoringAd})
	m.CaseCreated()
	m.CrawlFinished("https://a.example/", 3*time.Second, workflows.CrawlStats{Pages: 3, Skipped: 4}, nil)
	m.CrawlFinished("https://b.example/", time.Second, workflows.CrawlStats{}, errors.New("lost"))
	m.ReferralDelivered()
	m.ReferralFailed()

	ready := errors.New("database: connection refused")
	srv := httptest.NewServer(m.Handler(func(context.Context) error { return ready }))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/metrics")
	for _, want := range []string{
		"adscan_pages_fetched_total 2", "adscan_fetched_bytes_total 2048", `adscan_fetch_errors_total{kind="timeout"} 1`,
		`adscan_flags_total{category="ranking"} 1`, "adscan_cases_created_total 1", "adscan_robots_refusals_total 4",
		`adscan_crawls_total{outcome="error"} 1`, `adscan_crawls_total{outcome="ok"} 1`, "adscan_crawl_duration_seconds_count 2",
		`adscan_referrals_total{outcome="delivered"} 1`, `adscan_referrals_total{outcome="failed"} 1`, "go_goroutines",
	} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "connection refused") {
		t.Errorf("/readyz while the database is down: %d %q", code, body)
	}
	ready = nil
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz: %d", code)
	}
}

func TestTemporalHandler(t *testing.T) {
	m := NewWorker()
	h := m.TemporalHandler().WithTags(map[string]string{"namespace": "default"})
	h.WithTags(map[string]string{"task_queue": "adscan"}).Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"task_queue": "adscan", "extra-tag": "x"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_worker_task_slots_available").Update(5)
	h.Timer("temporal_request_latency").Record(30 * time.Millisecond)
	h.Gauge("temporal_request_total").Update(1) // a name a counter took: ignored, not a panic
	srv := httptest.NewServer(m.Handler(nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`temporal_request_total{namespace="default",task_queue="adscan"} 3`,
		`temporal_worker_task_slots_available{namespace="default"} 5`,
		`temporal_request_latency_seconds_count{namespace="default"} 1`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
