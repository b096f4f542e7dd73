package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"adscan"
)

// TestCaseAttributedToProfile checks that a case a profile's scan found
// shows its profile and advertiser on the case page, in the dossier and
// in the API, and that other cases show neither.
func TestCaseAttributedToProfile(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const target, page, text = "https://jiajiao.example.cn/", "https://jiajiao.example.cn/post/1", "小学数学暑假班火热报名中"
	if err := h.store.CreateScan(ctx, adscan.Scan{ID: "s1", Targets: []adscan.ScanTarget{{URL: target, Profile: "jiajiao"}}}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(text))
	capID, err := h.store.PutCapture(ctx, adscan.Capture{ScanID: "s1", Target: target, RequestedURL: page, FinalURL: page, Status: 200,
		FetchedAt: h.now, BodySHA256: hex.EncodeToString(sum[:]), Text: text, TextSHA256: hex.EncodeToString(sum[:]),
		Profile: "jiajiao", Advertiser: "学霸堂<培训>学校"})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := h.store.RecordFindings(ctx, adscan.FindingsInput{ScanID: "s1", Target: target, URL: page, CaptureID: capID,
		Flags: []adscan.Flag{{Category: adscan.CategoryHolidayTraining, Score: 0.9, Evidence: []adscan.Evidence{{Text: "暑假班", Start: 12, End: 21}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/cases/" + c.ID, "/cases/" + c.ID + "/dossier"} {
		doc := htmlPage(t, h.do(request{method: "GET", path: path, user: "viewer"}), http.StatusOK)
		if got := strings.TrimSpace(doc.Find("dd.profile").Text()); got != "jiajiao" {
			t.Errorf("%s: profile %q", path, got)
		}
		if got := strings.TrimSpace(doc.Find("dd.advertiser").Text()); got != "学霸堂<培训>学校" {
			t.Errorf("%s: advertiser %q", path, got)
		}
		if !strings.Contains(doc.Text(), "平台方案") || !strings.Contains(doc.Text(), "发布者（页面所署）") {
			t.Errorf("%s: no labels", path)
		}
	}
	got := decode[adscan.Case](t, h.do(request{method: "GET", path: "/api/cases/" + c.ID, user: "viewer"}))
	if got.Profile != "jiajiao" || got.Advertiser != "学霸堂<培训>学校" {
		t.Errorf("API case: profile %q, advertiser %q", got.Profile, got.Advertiser)
	}

	other := h.seedCase("s2", "https://jigou.example.cn/", "https://jigou.example.cn/a", "名校录取", adscan.CategoryEliteAdmission)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + other.ID, user: "viewer"}), http.StatusOK)
	if doc.Find("dd.profile").Length() != 0 || doc.Find("dd.advertiser").Length() != 0 {
		t.Errorf("a case of a plain target shows a profile or advertiser")
	}
}
