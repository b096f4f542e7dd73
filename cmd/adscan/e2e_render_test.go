package main

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/evidence"
)

// TestDevEndToEndRendered runs the real program on a JavaScript-built site:
// a scan target with render "browser" makes a case for the page whose
// advert only scripts write, with a screenshot the case page shows and
// the confirmed case's WACZ package holds. (The program allows private
// targets here, so the browser may reach loopback too: the SSRF rules of
// rendering are tested in crawler, where only the site is exempted.)
func TestDevEndToEndRendered(t *testing.T) {
	skipShort(t)
	chromium := chromiumOrSkip(t)
	site := fakesite.NewJSSite()
	defer site.Close()
	dir := t.TempDir()
	prog, a := startDev(t, dir, "--chromium", chromium)

	scanID := a.startScan(adscan.ScanTarget{URL: site.URL + "/", MaxDepth: 1, Render: adscan.RenderBrowser})
	scan := a.waitScan(scanID, 120*time.Second)
	if scan.Status != adscan.ScanCompleted || scan.Pages < 2 || scan.Errors != 0 {
		t.Fatalf("rendered scan: %s, %d pages, %d errors; output:\n%s", scan.Status, scan.Pages, scan.Errors, prog.out.String())
	}
	cases := a.cases("scan=" + scanID)
	if len(cases) != 1 || cases[0].URL != site.URL+"/" {
		t.Fatalf("cases %v, want the script-built advert page only", caseURLs(cases))
	}
	var detail struct {
		Captures []adscan.CaptureMeta `json:"captures"`
	}
	if code := a.do("GET", "/api/cases/"+cases[0].ID, nil, &detail); code != http.StatusOK || len(detail.Captures) != 1 {
		t.Fatalf("GET case: %d, %d captures", code, len(detail.Captures))
	}
	cp := detail.Captures[0]
	if !cp.Rendered || cp.Screenshot == nil || len(cp.Screenshot.SHA256) != 64 {
		t.Fatalf("capture %+v: want rendered with a screenshot", cp)
	}

	src := "/cases/" + cases[0].ID + "/captures/" + cp.ID + "/screenshot.png"
	if page := a.get("/cases/" + cases[0].ID); !bytes.Contains(page, []byte(src)) || !bytes.Contains(page, []byte(cp.Screenshot.SHA256)) {
		t.Errorf("the case page does not show the screenshot %s", src)
	}
	if png := a.get(src); sha256Hex(png) != cp.Screenshot.SHA256 {
		t.Errorf("the screenshot served does not match its SHA-256 %s", cp.Screenshot.SHA256)
	}

	if code := a.do("POST", "/api/cases/"+cases[0].ID+"/decision", map[string]string{"decision": "confirm", "note": "脚本生成的广告"}, nil); code != http.StatusOK {
		t.Fatalf("confirm: status %d", code)
	}
	_, pkg := waitWACZ(t, dir, cases[0].ID)
	rep, err := evidence.Verify(bytes.NewReader(pkg), int64(len(pkg)), nil)
	if err != nil {
		t.Fatalf("the WACZ does not verify: %v", err)
	}
	if rep.Metadata.Screenshot == nil || rep.Metadata.Screenshot.SHA256 != cp.Screenshot.SHA256 {
		t.Errorf("the WACZ's screenshot %+v, want %s", rep.Metadata.Screenshot, cp.Screenshot.SHA256)
	}
	prog.stop(t)
}
