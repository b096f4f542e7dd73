package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"adscan"
)

// hostile is crawled text an attacker controls.
const hostile = `暑假奥数班火热报名<script>alert("x")</script><img src=x onerror=alert(1)>`

func TestListAndShowCases(t *testing.T) {
	h := newHarness(t)
	a := h.seedCase("s1", "https://a.example/", "https://a.example/ad", hostile, adscan.CategoryHolidayTraining)
	h.seedCase("s1", "https://a.example/", "https://a.example/rank", "中考状元榜", adscan.CategoryRanking)
	h.seedCase("s2", "https://b.example/", "https://b.example/", "提前学下学期课程", adscan.CategoryAdvanceTeaching)

	all := decode[[]adscan.Case](t, h.do(request{method: "GET", path: "/api/cases", user: "viewer"}))
	if len(all) != 3 {
		t.Fatalf("GET /api/cases: %d cases, want 3", len(all))
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"scan=s1", 2},
		{"scan=s2", 1},
		{"category=ranking", 1},
		{"state=open", 3},
		{"state=dismissed", 0},
		{"target=https://b.example/", 1},
		{"target=https://B.example", 1}, // as the cases record it: canonical
		{"target=b.example", 0},         // http://b.example/ is another target
		{"limit=1", 1},
		{"limit=2&offset=2", 1},
	} {
		got := decode[[]adscan.Case](t, h.do(request{method: "GET", path: "/api/cases?" + tc.query, user: "viewer"}))
		if len(got) != tc.want {
			t.Errorf("?%s: %d cases, want %d", tc.query, len(got), tc.want)
		}
	}
	wantError(t, h.do(request{method: "GET", path: "/api/cases?state=closed", user: "viewer"}), http.StatusBadRequest, `state="closed"`)
	wantError(t, h.do(request{method: "GET", path: "/api/cases?category=ads", user: "viewer"}), http.StatusBadRequest, `category="ads"`)
	wantError(t, h.do(request{method: "GET", path: "/api/cases?target=notaurl", user: "viewer"}), http.StatusBadRequest, `target="notaurl"`)
	wantError(t, h.do(request{method: "GET", path: "/api/cases?target=no%20url", user: "viewer"}), http.StatusBadRequest, `target="no url"`)
	wantError(t, h.do(request{method: "GET", path: "/api/cases?limit=5000", user: "viewer"}), http.StatusBadRequest, "limit")
	wantError(t, h.do(request{method: "GET", path: "/api/cases?offset=-1", user: "viewer"}), http.StatusBadRequest, "offset")

	w := h.do(request{method: "GET", path: "/api/cases/" + a.ID, user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	// Crawled text is escaped in JSON, never raw markup.
	if strings.Contains(w.Body.String(), "<script>") || !strings.Contains(w.Body.String(), `\u003cscript\u003e`) {
		t.Errorf("hostile text not escaped in JSON: %s", w.Body)
	}
	d := decode[caseDetail](t, w)
	if d.ID != a.ID || d.State != adscan.CaseOpen || len(d.Findings) != 1 || len(d.Sightings) != 1 {
		t.Fatalf("case = %+v", d)
	}
	if d.Findings[0].Evidence[0].Text != hostile {
		t.Errorf("evidence text %q, want the crawled text back", d.Findings[0].Evidence[0].Text)
	}
	if len(d.Captures) != 1 {
		t.Fatalf("captures = %+v", d.Captures)
	}
	cp := d.Captures[0]
	sum := sha256.Sum256([]byte(hostile))
	if cp.ID != d.Findings[0].CaptureID || cp.FinalURL != "https://a.example/ad" || cp.TextSHA256 != hex.EncodeToString(sum[:]) ||
		cp.BodySHA256 == "" || cp.FetchedAt.IsZero() || cp.Lexicon.Version != "2026.11" || cp.Status != 200 {
		t.Errorf("capture metadata = %+v", cp)
	}
	if strings.Contains(w.Body.String(), `"text":"`+`<html`) || strings.Contains(w.Body.String(), "warc") {
		t.Errorf("case detail carries capture bodies: %s", w.Body)
	}
	wantError(t, h.do(request{method: "GET", path: "/api/cases/nope", user: "viewer"}), http.StatusNotFound, "nope")
}

func TestDecideCase(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/ad", "暑假奥数集训营", adscan.CategoryHolidayTraining)
	d := h.seedCase("s1", "https://a.example/", "https://a.example/x", "中考状元", adscan.CategoryRanking)
	path := "/api/cases/" + c.ID + "/decision"

	wantError(t, h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"approve"}`}),
		http.StatusBadRequest, `decision "approve" is not one of`)
	wantError(t, h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"confirm","note":"` + strings.Repeat("长", 2000) + `"}`}),
		http.StatusBadRequest, "note is 6000 bytes")
	wantError(t, h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"confirm","by":"admin"}`}),
		http.StatusBadRequest, `unknown field "by"`)
	wantError(t, h.do(request{method: "POST", path: "/api/cases/nope/decision", user: "reviewer", body: `{"decision":"confirm"}`}),
		http.StatusNotFound, "nope")

	w := h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"escalate","note":"需上级确认"}`})
	wantStatus(t, w, http.StatusOK)
	got := decode[adscan.Case](t, w)
	if got.State != adscan.CaseEscalated {
		t.Fatalf("after escalate: state %s", got.State)
	}
	// An escalated case cannot be escalated again.
	wantError(t, h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"escalate"}`}),
		http.StatusConflict, "escalated")
	w = h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"confirm","note":"证据充分"}`})
	wantStatus(t, w, http.StatusOK)
	got = decode[adscan.Case](t, w)
	if got.State != adscan.CaseConfirmed || got.Decision == nil || got.Decision.By != "reviewer" || got.Decision.Note != "证据充分" {
		t.Fatalf("after confirm: %+v (decision %+v)", got, got.Decision)
	}
	// A decided case takes no further decision.
	wantError(t, h.do(request{method: "POST", path: path, user: "reviewer", body: `{"decision":"dismiss","note":"误报"}`}),
		http.StatusConflict, "cannot take the decision dismiss")

	// Dismissed is closed too.
	dpath := "/api/cases/" + d.ID + "/decision"
	// A dismissal says why, as on the console.
	for _, body := range []string{`{"decision":"dismiss"}`, `{"decision":"dismiss","note":"  "}`} {
		wantError(t, h.do(request{method: "POST", path: dpath, user: "reviewer", body: body}), http.StatusBadRequest, "reason")
	}
	wantStatus(t, h.do(request{method: "POST", path: dpath, user: "admin", body: `{"decision":"dismiss","note":"学校官方通知"}`}), http.StatusOK)
	wantError(t, h.do(request{method: "POST", path: dpath, user: "reviewer", body: `{"decision":"confirm"}`}),
		http.StatusConflict, "dismissed")

	// The decision is on the case's audit trail.
	detail := decode[caseDetail](t, h.do(request{method: "GET", path: "/api/cases/" + c.ID, user: "viewer"}))
	var trail []string
	for _, e := range detail.Audit {
		trail = append(trail, e.Actor+":"+string(e.Action))
	}
	if !strings.Contains(strings.Join(trail, " "), "reviewer:") {
		t.Errorf("audit trail %v has no entry by the reviewer", trail)
	}
}

func TestReferral(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/ad", "名校录取率98%", adscan.CategoryEliteAdmission)
	path := "/api/cases/" + c.ID + "/referral"

	wantError(t, h.do(request{method: "GET", path: path, user: "viewer"}), http.StatusNotFound, "only after a reviewer confirms")
	wantError(t, h.do(request{method: "GET", path: "/api/cases/nope/referral", user: "viewer"}), http.StatusNotFound, "nope")

	wantStatus(t, h.do(request{method: "POST", path: "/api/cases/" + c.ID + "/decision", user: "reviewer",
		body: `{"decision":"confirm"}`}), http.StatusOK)
	pkg := []byte(`{"case_id":"` + c.ID + `","findings":[{"category":"elite_admission"}],"note":"<b>x</b>"}`)
	if err := h.store.SaveReferral(context.Background(), adscan.Referral{CaseID: c.ID, Package: pkg, Destination: "outbox"}); err != nil {
		t.Fatal(err)
	}
	w := h.do(request{method: "GET", path: path, user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	if w.Body.String() != string(pkg) {
		t.Errorf("referral body %s, want the package as stored", w.Body)
	}
	sum := sha256.Sum256(pkg)
	if got := w.Header().Get("X-Referral-SHA256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("X-Referral-SHA256 %q", got)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestListCasesPages: a scan with 103 cases lists as 100 and a next link,
// then 3 and none; the total is on every page; a bad cursor is a 400.
func TestListCasesPages(t *testing.T) {
	h := newHarness(t)
	for i := range 103 {
		h.seedCase("s1", "https://a.example/", fmt.Sprintf("https://a.example/p%d", i), "暑假班", adscan.CategoryHolidayTraining)
	}
	w := h.do(request{method: "GET", path: "/api/cases?scan=s1", user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	first := decode[[]adscan.Case](t, w)
	link := w.Header().Get("Link")
	if len(first) != 100 || w.Header().Get("X-Total-Count") != "103" || !strings.Contains(link, `rel="next"`) || w.Header().Get("X-Next-Cursor") == "" {
		t.Fatalf("first page: %d cases, total %q, Link %q", len(first), w.Header().Get("X-Total-Count"), link)
	}
	next := link[strings.Index(link, "<")+1 : strings.Index(link, ">")]
	if !strings.HasPrefix(next, "/api/cases?") || !strings.Contains(next, "scan=s1") {
		t.Fatalf("next link %q", next)
	}
	w = h.do(request{method: "GET", path: next, user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	second := decode[[]adscan.Case](t, w)
	if len(second) != 3 || w.Header().Get("Link") != "" || w.Header().Get("X-Total-Count") != "103" {
		t.Fatalf("second page: %d cases, Link %q, total %q", len(second), w.Header().Get("Link"), w.Header().Get("X-Total-Count"))
	}
	seen := map[string]bool{}
	for _, c := range append(first, second...) {
		if seen[c.ID] {
			t.Errorf("case %s listed twice", c.ID)
		}
		seen[c.ID] = true
	}
	wantError(t, h.do(request{method: "GET", path: "/api/cases?after=nonsense", user: "viewer"}), http.StatusBadRequest, "cursor")
}
