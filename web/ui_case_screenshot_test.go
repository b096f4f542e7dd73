package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"adscan"
)

// testPNG returns a small PNG and its hex SHA-256.
func testPNG(t *testing.T) ([]byte, string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	img.Set(3, 3, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	return b.Bytes(), hex.EncodeToString(sum[:])
}

// seedCaptureCase stores capture c (its text the evidence) and a case
// resting on it, and returns the case.
func (h *harness) seedCaptureCase(c adscan.Capture) adscan.Case {
	h.t.Helper()
	ctx := context.Background()
	if err := h.store.CreateScan(ctx, adscan.Scan{ID: c.ScanID, Targets: []adscan.ScanTarget{{URL: c.Target}}}); err != nil {
		h.t.Fatal(err)
	}
	body := "<html><body>" + c.Text + "</body></html>"
	bsum, tsum := sha256.Sum256([]byte(body)), sha256.Sum256([]byte(c.Text))
	c.FinalURL, c.Status, c.FetchedAt = c.RequestedURL, 200, h.now
	c.BodySHA256, c.BodySize, c.TextSHA256 = hex.EncodeToString(bsum[:]), int64(len(body)), hex.EncodeToString(tsum[:])
	c.Lexicon = adscan.LexiconRef{Name: "shuangjian", Version: "2026.11"}
	capID, err := h.store.PutCapture(ctx, c)
	if err != nil {
		h.t.Fatal(err)
	}
	cs, _, err := h.store.RecordFindings(ctx, adscan.FindingsInput{
		ScanID: c.ScanID, Target: c.Target, URL: c.RequestedURL, CaptureID: capID, Lexicon: c.Lexicon,
		Flags: []adscan.Flag{{Category: adscan.CategoryEliteAdmission, Score: 0.9, Basis: "（十七）",
			Evidence: []adscan.Evidence{{Text: c.Text, Start: 0, End: len(c.Text), Rule: "r1"}}}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return cs
}

func TestCasePageShowsScreenshot(t *testing.T) {
	h := newHarness(t)
	pngBytes, sum := testPNG(t)
	c := h.seedCaptureCase(adscan.Capture{ScanID: "s1", Target: "https://a.example/", RequestedURL: "https://a.example/ad",
		Text: "名校录取率高达95%", Rendered: true,
		Screenshot: &adscan.Screenshot{PNG: pngBytes, SHA256: sum, Width: 40, Height: 30, TakenAt: h.now}})
	capID := c.Findings[0].CaptureID
	src := "/cases/" + c.ID + "/captures/" + capID + "/screenshot.png"

	for _, path := range []string{"/cases/" + c.ID, "/cases/" + c.ID + "/dossier"} {
		doc := htmlPage(t, h.do(request{method: "GET", path: path, user: "viewer"}), http.StatusOK)
		img := doc.Find("figure.screenshot img")
		if img.Length() != 1 || img.AttrOr("src", "") != src {
			t.Errorf("%s: screenshot image %d, src %q, want %s", path, img.Length(), img.AttrOr("src", ""), src)
		}
		meta := doc.Find("dl.meta").Text()
		if !strings.Contains(meta, sum) || !strings.Contains(meta, "40×30") || !strings.Contains(meta, "浏览器渲染") {
			t.Errorf("%s: capture metadata lacks the screenshot's digest, size or render mode: %s", path, meta)
		}
	}

	w := h.do(request{method: "GET", path: src, user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	got := sha256.Sum256(w.Body.Bytes())
	if ct := w.Header().Get("Content-Type"); ct != "image/png" || hex.EncodeToString(got[:]) != sum {
		t.Errorf("screenshot route: %s, SHA-256 %x, want image/png %s", ct, got, sum)
	}
	if w := h.do(request{method: "GET", path: src}); w.Code == http.StatusOK {
		t.Errorf("screenshot served without authentication")
	}
	if w := h.do(request{method: "GET", path: "/cases/" + c.ID + "/captures/other/screenshot.png", user: "viewer"}); w.Code != http.StatusNotFound {
		t.Errorf("a capture not of the case: status %d, want 404", w.Code)
	}
}

func TestCasePageSaysWhyNoScreenshot(t *testing.T) {
	h := newHarness(t)
	c := h.seedCaptureCase(adscan.Capture{ScanID: "s2", Target: "https://b.example/", RequestedURL: "https://b.example/ad",
		Text: "名校录取率高达95%", ScreenshotError: "no Chromium on this worker", ScreenshotErrorKind: adscan.ScreenshotNoBrowser})
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, user: "viewer"}), http.StatusOK)
	if doc.Find("figure.screenshot").Length() != 0 {
		t.Errorf("a capture without a screenshot shows an image")
	}
	if got := doc.Find(".screenshot-missing").Text(); !strings.Contains(got, "无截图：抓取节点没有 Chromium 浏览器") || !strings.Contains(got, "no Chromium on this worker") {
		t.Errorf("reason for the missing screenshot: %q", got)
	}
	// A capture from before the kinds were recorded still says why, in the
	// worker's words.
	old := h.seedCaptureCase(adscan.Capture{ScanID: "s3", Target: "https://c.example/", RequestedURL: "https://c.example/ad",
		Text: "名校录取率高达95%", ScreenshotError: "something odd"})
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases/" + old.ID, user: "viewer"}), http.StatusOK)
	if got := doc.Find(".screenshot-missing").Text(); !strings.Contains(got, "无截图：其他原因") || !strings.Contains(got, "something odd") {
		t.Errorf("reason for the missing screenshot of an older capture: %q", got)
	}
	src := "/cases/" + c.ID + "/captures/" + c.Findings[0].CaptureID + "/screenshot.png"
	if w := h.do(request{method: "GET", path: src, user: "viewer"}); w.Code != http.StatusNotFound {
		t.Errorf("screenshot route of a capture without one: %d, want 404", w.Code)
	}
}
