package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
)

// BenchmarkScanTemporalVsDirect crawls the same 300-page site through
// `adscan dev` (a scan over the API: Temporal workflows, a heartbeating
// activity, every capture and case written to the store) and through
// `adscan crawl` (direct, printing JSON lines), with politeness delays off,
// and reports both rates and their ratio (goals: ≥ 0.5× direct on instant
// pages, ≥ 0.95× on 20 ms pages). The first run in a test process also
// reports how long `adscan dev` took to be ready; later runs (-count, the
// second sub-benchmark) start dev with gse's dictionary already loaded and
// the process warm, which says nothing about a start, so they do not.
//
// "loopback" serves pages instantly, which no real site does: it measures
// the durable path's fixed and per-page costs. "site-20ms" adds 20 ms of
// server time per page, a fast real site.
//
//	go test ./cmd/adscan -run '^$' -bench ScanTemporalVsDirect -benchtime 5x
func BenchmarkScanTemporalVsDirect(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		name := "loopback"
		if latency > 0 {
			name = "site-" + latency.String()
		}
		b.Run(name, func(b *testing.B) { benchmarkScanTemporalVsDirect(b, latency) })
	}
}

// devStartedBefore is set once a benchmark of this process has started dev.
var devStartedBefore atomic.Bool

func benchmarkScanTemporalVsDirect(b *testing.B, latency time.Duration) {
	const pages = 300
	site := fakesite.NewGenerated(pages)
	defer site.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		site.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	seed := srv.URL + "/p/0.html"

	out := &syncBuffer{}
	p := &devProgram{
		opts: devOptions{data: b.TempDir(), http: "127.0.0.1:0", temporalAddress: "127.0.0.1:0",
			crawlHeartbeat: 30 * time.Second,
			worker: workerOptions{allowPrivate: true, crawlDelay: 0, maxPages: pages, reviewSLA: 72 * time.Hour,
				queues: "all", maxCrawls: 4, plainScreenshots: false}}, // orchestration, not browsers
		s: streams{in: nil, out: out, err: io.Discard, getenv: func(k string) string {
			if k == "ADSCAN_ADMIN_PASSWORD" {
				return e2ePassword
			}
			if k == envLogLevel {
				return "error"
			}
			return ""
		}},
	}
	start := time.Now()
	if err := p.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	ready := time.Since(start)
	defer p.Close()
	a := api{t: &testing.T{}, base: p.http.URL(), user: "admin", pass: e2ePassword}

	var direct, temporal time.Duration
	for b.Loop() {
		t0 := time.Now()
		code := run(context.Background(), []string{"crawl", "--json", "--allow-private-targets", "--crawl-delay", "0",
			"--max-pages", "300", "--max-depth", "50", seed},
			streams{out: io.Discard, err: io.Discard, getenv: func(string) string { return "" }})
		if code != exitOK {
			b.Fatalf("adscan crawl: exit %d", code)
		}
		direct += time.Since(t0)

		t1 := time.Now()
		id := a.startScanB(b, adscan.ScanTarget{URL: seed, MaxPages: pages, MaxDepth: 50})
		s := waitScanWorkflow(b, p, a, id)
		temporal += time.Since(t1)
		if s.Pages != pages {
			b.Fatalf("scan %s: %d pages, want %d", id, s.Pages, pages)
		}
	}
	n := float64(b.N * pages)
	b.ReportMetric(n/direct.Seconds(), "direct-pages/s")
	b.ReportMetric(n/temporal.Seconds(), "temporal-pages/s")
	b.ReportMetric(direct.Seconds()/temporal.Seconds(), "temporal/direct")
	if !devStartedBefore.Swap(true) {
		b.ReportMetric(ready.Seconds(), "dev-ready-s")
	}
}

func (a api) startScanB(b *testing.B, target adscan.ScanTarget) string {
	var got struct{ ID string }
	if code := a.do("POST", "/api/scans", map[string]any{"targets": []adscan.ScanTarget{target}}, &got); code != http.StatusAccepted {
		b.Fatalf("POST /api/scans: status %d", code)
	}
	return got.ID
}

// waitScanWorkflow waits for a scan's workflow to end (a long poll of
// Temporal, which costs nothing while it waits), then reads the scan once.
// Polling the API instead, every 10 ms with Basic credentials, took a sixth
// of the two cores from the scan it was timing.
func waitScanWorkflow(b *testing.B, p *devProgram, a api, id string) adscan.Scan {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := p.client.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		b.Fatalf("scan %s: %v", id, err)
	}
	var s adscan.Scan
	if code := a.do("GET", "/api/scans/"+id, nil, &s); code != http.StatusOK || s.Status == adscan.ScanRunning {
		b.Fatalf("scan %s after its workflow ended: status %d, %+v", id, code, s)
	}
	return s
}
