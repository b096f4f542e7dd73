package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/evidence"
	"adscan/evidence/evidencetest"
)

// TestDevEndToEndProfile is issue 10's acceptance test of platform
// profiles, through the real program: a JavaScript-rendered platform
// whose plain scan finds nothing; a profile registered through the API
// (its cities the regions of the register) whose scan makes a case of
// every violating detail page and of no other page, each attributed to
// the profile and to the advertiser the page names; one case confirmed,
// and its referral a WACZ that adscan evidence verify, npm warcio and
// ReplayWeb.page accept, that holds the page's screenshot, the rendered DOM
// with the advert and the advert's JSON its script fetched, and that
// ReplayWeb.page replays showing the advert's text.
func TestDevEndToEndProfile(t *testing.T) {
	skipShort(t)
	chromium := chromiumOrSkip(t)
	site := fakesite.NewPlatform()
	defer site.Close()
	dir := t.TempDir()
	prog, a := startDev(t, dir, "--chromium", chromium)

	// The register's regions are the profile's cities.
	for _, tg := range []map[string]string{
		{"url": "https://haidian.example.cn/", "name": "某培训学校", "region": "海淀区"},
		{"url": "https://chaoyang.example.cn/", "name": "某教育公司", "region": "朝阳区"},
	} {
		if code := a.do("POST", "/api/targets", tg, nil); code != http.StatusCreated {
			t.Fatalf("POST /api/targets %v: %d", tg, code)
		}
	}
	yaml := fakesite.PlatformProfileYAML("fake-platform", site.URL, "register", 3, 0)
	var saved adscan.PlatformProfile
	if code := a.do("POST", "/api/profiles", map[string]string{"yaml": yaml}, &saved); code != http.StatusCreated {
		t.Fatalf("POST /api/profiles: %d", code)
	}
	if saved.Site != site.URL+"/" || saved.Render != adscan.RenderBrowser {
		t.Fatalf("registered %+v", saved)
	}

	// A plain scan of the platform: shells, no case.
	plainID := a.startScan(adscan.ScanTarget{URL: site.URL + "/", MaxDepth: 2})
	if plain := a.waitScan(plainID, 120*time.Second); plain.Status != adscan.ScanCompleted || plain.Pages < 3 {
		t.Fatalf("plain scan: %s, %d pages", plain.Status, plain.Pages)
	}
	if cs := a.cases("scan=" + plainID); len(cs) != 0 {
		t.Fatalf("the plain scan made cases %v", caseURLs(cs))
	}

	scanID := a.startScan(adscan.ScanTarget{Profile: "fake-platform"})
	scan := a.waitScan(scanID, 240*time.Second)
	// 2 keywords × 2 regions, 2 second pages, 8 detail pages.
	if scan.Status != adscan.ScanCompleted || scan.Pages != 14 || scan.Errors != 0 {
		t.Fatalf("profile scan: %s, %d pages, %d errors (%s); output:\n%s", scan.Status, scan.Pages, scan.Errors, scan.Error, prog.out.String())
	}
	if len(scan.Targets) != 1 || scan.Targets[0].Profile != "fake-platform" || scan.Targets[0].URL != site.URL+"/" {
		t.Errorf("scan targets %+v", scan.Targets)
	}
	cases := a.cases("scan=" + scanID)
	var want []string
	publisher := map[string]string{}
	for _, ad := range fakesite.PlatformAds {
		if ad.Violates {
			want = append(want, site.PostURL(ad.ID))
			publisher[site.PostURL(ad.ID)] = ad.Publisher
		}
	}
	got := caseURLs(cases)
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("cases %v\nwant  %v", got, want)
	}
	for _, c := range cases {
		if c.Profile != "fake-platform" || c.Advertiser != publisher[c.URL] || c.Target != site.URL+"/" {
			t.Errorf("case %s: profile %q, advertiser %q (want %q), target %s", c.URL, c.Profile, c.Advertiser, publisher[c.URL], c.Target)
		}
	}

	// Confirm the case of ad 1 (its advertiser found by the selector).
	var c adscan.Case
	for _, x := range cases {
		if x.URL == site.PostURL(1) {
			c = x
		}
	}
	var detail struct {
		adscan.Case
		Captures []adscan.CaptureMeta `json:"captures"`
	}
	if code := a.do("GET", "/api/cases/"+c.ID, nil, &detail); code != http.StatusOK || len(detail.Captures) != 1 {
		t.Fatalf("GET case: %d, %d captures", code, len(detail.Captures))
	}
	cp := detail.Captures[0]
	if !cp.Rendered || cp.Screenshot == nil || cp.Profile != "fake-platform" || cp.Advertiser != "学霸堂培训学校" {
		t.Fatalf("capture %+v: want rendered, with a screenshot, attributed", cp)
	}
	page := a.get("/cases/" + c.ID)
	for _, s := range []string{"平台方案", "fake-platform", "学霸堂培训学校"} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("the case page does not show %q", s)
		}
	}
	if code := a.do("POST", "/api/cases/"+c.ID+"/decision", map[string]string{"decision": "confirm", "note": "平台上的暑假学科班广告"}, nil); code != http.StatusOK {
		t.Fatalf("confirm: status %d", code)
	}
	wacz, pkg := waitWACZ(t, dir, c.ID)

	// adscan evidence verify, with the deployment's key.
	var key struct {
		PublicKey string `json:"public_key"`
	}
	if code := a.do("GET", "/api/evidence/key", nil, &key); code != http.StatusOK || key.PublicKey == "" {
		t.Fatalf("GET /api/evidence/key: %d", code)
	}
	if code, out, errOut := runAdmin(t, nil, "", "evidence", "verify", wacz, "--key", key.PublicKey); code != exitOK {
		t.Fatalf("adscan evidence verify: exit %d\n%s%s", code, out, errOut)
	}
	rep, err := evidence.Verify(bytes.NewReader(pkg), int64(len(pkg)), nil)
	if err != nil {
		t.Fatalf("the WACZ does not verify: %v", err)
	}
	if rep.Metadata.Screenshot == nil || rep.Metadata.Screenshot.SHA256 != cp.Screenshot.SHA256 {
		t.Errorf("the WACZ's screenshot %+v, want %s", rep.Metadata.Screenshot, cp.Screenshot.SHA256)
	}
	warcBytes := evidencetest.PackageFile(t, pkg, "archive/data.warc.gz")
	if dom := gunzipAll(t, warcBytes); !bytes.Contains(dom, []byte("urn:dom:"+c.URL)) || !bytes.Contains(dom, []byte("提前学习下学期课程")) {
		t.Errorf("the WACZ's WARC holds no rendered DOM of %s with the advert", c.URL)
	}
	if rep.Metadata.Case.Profile != "fake-platform" || rep.Metadata.Case.Advertiser != "学霸堂培训学校" {
		t.Errorf("the WACZ's case: profile %q, advertiser %q", rep.Metadata.Case.Profile, rep.Metadata.Case.Advertiser)
	}
	prog.stop(t)

	t.Run("warcio", func(t *testing.T) {
		node, prefix := evidencetest.Warcio(t)
		warc := filepath.Join(t.TempDir(), "data.warc.gz")
		if err := os.WriteFile(warc, warcBytes, 0o644); err != nil {
			t.Fatal(err)
		}
		recs := evidencetest.WarcioRead(t, node, prefix, warc)
		var screenshot, api bool
		for _, r := range recs {
			if !r.BlockDigestOK || (r.PayloadDigestOK != nil && !*r.PayloadDigestOK) {
				t.Errorf("warcio: record %s %s %s: digests do not hold", r.Type, r.ID, r.URI)
			}
			screenshot = screenshot || (r.Type == "resource" && rep.Metadata.Screenshot != nil && r.ID == rep.Metadata.Screenshot.Record)
			api = api || (r.Type == "response" && r.URI == site.URL+"/api/post/1")
		}
		if len(recs) < 5 || !screenshot || !api {
			t.Errorf("warcio read %d records, a screenshot among them: %v, the advert's JSON: %v: %+v", len(recs), screenshot, api, recs)
		}
	})
	// ReplayWeb.page opens the package and replays the detail page: its
	// served shell (the platform's header) runs its script, which fetches
	// the advert from /api/post/ID — served from the package's record of
	// that response, so the replayed page shows the advert's text.
	t.Run("replaywebpage", func(t *testing.T) {
		rwp, chromium := evidencetest.ReplayWebPage(t)
		evidencetest.ReplayShows(t, rwp, chromium, pkg, c.URL, func(text string) bool {
			return strings.Contains(text, "假家教平台") && strings.Contains(text, "提前学习下学期课程")
		})
	})
}

// gunzipAll decompresses every gzip member of b (a WARC of one member per record).
func gunzipAll(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr) // multistream: every member
	if err != nil {
		t.Fatal(err)
	}
	return out
}
