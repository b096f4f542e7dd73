package web

import (
	"net/http"
	"strings"
	"testing"

	"adscan"
)

func TestScansPages(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	if err := h.store.CreateScan(ctx, adscan.Scan{ID: "scan-1", Status: adscan.ScanRunning, Targets: []adscan.ScanTarget{{URL: "https://a.example/"}}, CreatedBy: "regulator"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.AddScanProgress(ctx, "scan-1", 12, 2); err != nil {
		t.Fatal(err)
	}
	for _, e := range []adscan.ScanError{
		{ScanID: "scan-1", Target: "https://a.example/", URL: "https://a.example/loop", Kind: adscan.FetchRedirectLoop, Message: "redirect loop: <b>x</b>"},
		{ScanID: "scan-1", Target: "https://a.example/", URL: "http://10.0.0.1/admin", Kind: adscan.FetchRefusedAddress, Message: "10.0.0.1 is a private address"},
	} {
		if err := h.store.AddScanError(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	w := h.do(request{method: "GET", path: "/scans", user: "viewer"})
	doc := htmlPage(t, w, http.StatusOK)
	row := doc.Find(`tr[data-scan="scan-1"]`)
	if !strings.Contains(row.Text(), "进行中") || !strings.Contains(row.Text(), "12") || doc.Find(`meta[http-equiv=refresh]`).Length() != 1 {
		t.Errorf("scans page: %q", row.Text())
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/scans/scan-1", user: "viewer"}), http.StatusOK)
	errs := doc.Find("#errors tbody tr")
	if errs.Length() != 2 || !strings.Contains(errs.Text(), "重定向循环") || !strings.Contains(errs.Text(), "拒绝访问内网地址") ||
		!strings.Contains(errs.Text(), "<b>x</b>") || errs.Find("b").Length() != 0 {
		t.Errorf("scan page errors: %q", errs.Text())
	}
	list := decode[[]adscan.ScanError](t, h.do(request{method: "GET", path: "/api/scans/scan-1/errors", user: "viewer"}))
	if len(list) != 2 || list[0].Kind == "" {
		t.Errorf("api scan errors %+v", list)
	}
	wantError(t, h.do(request{method: "GET", path: "/api/scans/nope/errors", user: "viewer"}), http.StatusNotFound, "nope")
	htmlPage(t, h.do(request{method: "GET", path: "/scans/nope", user: "viewer"}), http.StatusNotFound)

	if err := h.store.FinishScan(ctx, "scan-1", adscan.ScanCompleted, ""); err != nil {
		t.Fatal(err)
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/scans", user: "viewer"}), http.StatusOK)
	if doc.Find(`meta[http-equiv=refresh]`).Length() != 0 {
		t.Errorf("a finished scan's list still refreshes itself")
	}
}
