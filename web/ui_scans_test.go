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
	if err := h.store.RecordScanSite(ctx, "scan-1", adscan.ScanSite{Target: "https://a.example/", Pages: 12, Errors: 2, Retried: 3,
		Seconds: 24, PolitenessWaitSeconds: 18, Done: true}); err != nil {
		t.Fatal(err)
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
	site := doc.Find("#sites tbody tr")
	if site.Length() != 1 || !strings.Contains(site.Text(), "0.50") || !strings.Contains(site.Text(), "18.0") || !strings.Contains(site.Text(), "完成，2 页失败") {
		t.Errorf("scan page sites: %q; want 0.50 pages/s, 18.0 s waiting, done with 2 failed pages", site.Text())
	}

	if sc := decode[adscan.Scan](t, h.do(request{method: "GET", path: "/api/scans/scan-1", user: "viewer"})); len(sc.Sites) != 1 || sc.Sites[0].PagesPerSecond != 0.5 {
		t.Errorf("api scan sites %+v; want 0.5 pages/s", sc.Sites)
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

// A site none of whose pages could be fetched is not shown as done.
func TestScanPageSiteWithNoPages(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	if err := h.store.CreateScan(ctx, adscan.Scan{ID: "scan-2", Status: adscan.ScanRunning, Targets: []adscan.ScanTarget{{URL: "http://down.example/"}}, CreatedBy: "regulator"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.RecordScanSite(ctx, "scan-2", adscan.ScanSite{Target: "http://down.example/", Pages: 1, Errors: 1, Seconds: 0.1, Done: true}); err != nil {
		t.Fatal(err)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/scans/scan-2", user: "viewer"}), http.StatusOK)
	if !strings.Contains(doc.Find("#sites tbody").Text(), "未抓到任何页面") {
		t.Errorf("a site whose only page failed: %q", doc.Find("#sites tbody").Text())
	}
}
