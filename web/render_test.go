package web

import (
	"net/http"
	"strings"
	"testing"

	"adscan"
)

// TestRenderModeThroughAPIAndForms: "render":"browser" is kept on a scan
// target and a register target, shown in the register, and anything else
// is refused naming the value; a scan's no_browser error reads as such.
func TestRenderModeThroughAPIAndForms(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/scans", user: "regulator",
		body: `{"targets":[{"url":"https://pingtai.example.cn/","render":"browser"}]}`})
	wantStatus(t, w, http.StatusAccepted)
	if scan := decode[adscan.Scan](t, w); len(scan.Targets) != 1 || scan.Targets[0].Render != adscan.RenderBrowser {
		t.Errorf("scan targets %+v, want render browser", scan.Targets)
	}
	wantError(t, h.do(request{method: "POST", path: "/api/scans", user: "regulator",
		body: `{"targets":[{"url":"https://pingtai.example.cn/","render":"firefox"}]}`}), http.StatusBadRequest, `"firefox"`)

	w = h.do(request{method: "POST", path: "/api/targets", user: "regulator",
		body: `{"url":"https://pingtai.example.cn/","name":"某平台","kind":"platform","render":"browser"}`})
	wantStatus(t, w, http.StatusCreated)
	if tg := decode[adscan.Target](t, w); tg.Render != adscan.RenderBrowser {
		t.Errorf("register target %+v, want render browser", tg)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/targets", user: "viewer"}), http.StatusOK)
	if !strings.Contains(doc.Find("td.url").Text(), "浏览器渲染") {
		t.Errorf("the register does not mark the rendered target: %q", doc.Find("td.url").Text())
	}

	ctx := t.Context()
	if err := h.store.CreateScan(ctx, adscan.Scan{ID: "scan-r", Status: adscan.ScanRunning, Targets: []adscan.ScanTarget{{URL: "https://pingtai.example.cn/", Render: adscan.RenderBrowser}}}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.AddScanError(ctx, adscan.ScanError{ScanID: "scan-r", Target: "https://pingtai.example.cn/", URL: "https://pingtai.example.cn/",
		Kind: adscan.FetchNoBrowser, Message: "crawler: rendered crawl of https://pingtai.example.cn/: render: no Chromium found on PATH"}); err != nil {
		t.Fatal(err)
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/scans/scan-r", user: "viewer"}), http.StatusOK)
	if errs := doc.Find("#errors tbody tr").Text(); !strings.Contains(errs, "缺少 Chromium 浏览器") || !strings.Contains(errs, "no Chromium found") {
		t.Errorf("scan page errors %q: want the missing browser named", errs)
	}
}
