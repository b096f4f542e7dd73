package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"adscan"
)

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestNewChecksConfig(t *testing.T) {
	h := newHarness(t)
	for name, cfg := range map[string]Config{
		"no store":        {Orchestrator: h.orch},
		"no orchestrator": {Store: h.store},
		"short key":       {Store: h.store, Orchestrator: h.orch, SessionKey: []byte("short")},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(Config{Store: h.store, Orchestrator: h.orch}); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
}

func TestHealthz(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.do(request{method: "GET", path: "/healthz"}), http.StatusOK)
	h.ready = false
	wantStatus(t, h.do(request{method: "GET", path: "/healthz"}), http.StatusServiceUnavailable)
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, rq := range []request{
		{method: "GET", path: "/login"},
		{method: "GET", path: "/api/cases", user: "viewer"},
		{method: "GET", path: "/api/cases"},
	} {
		w := h.do(rq)
		hd := w.Header()
		if !strings.Contains(hd.Get("Content-Security-Policy"), "default-src 'self'") ||
			!strings.Contains(hd.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") == "" || hd.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v", rq.method, rq.path, hd)
		}
	}
	w := h.do(request{method: "GET", path: "/static/style.css"})
	wantStatus(t, w, http.StatusOK)
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("style.css Content-Type %q", w.Header().Get("Content-Type"))
	}
}

func TestLoginPageEscapesHostileText(t *testing.T) {
	h := newHarness(t)
	page := h.do(request{method: "GET", path: `/login?next=/cases%3Fq%3D%22%3E%3Cscript%3Ealert(1)%3C/script%3E`})
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	if !containsAll(body, `lang="zh-CN"`, "用户名", "密码", "登录") {
		t.Errorf("login page is not the Chinese form:\n%s", body)
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("next parameter rendered raw:\n%s", body)
	}
	token := csrfFromPage(t, body)
	loginCookie := cookieNamed(page.Result().Cookies(), loginCSRFCookie)

	evil := `"><script>alert(1)</script>`
	form := url.Values{"username": {evil}, "password": {"wrong password"}, "csrf_token": {token}, "next": {"javascript:alert(1)"}}
	w := h.do(request{method: "POST", path: "/login", body: form.Encode(), cookies: []*http.Cookie{loginCookie},
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	wantStatus(t, w, http.StatusUnauthorized)
	body = w.Body.String()
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("user name not escaped:\n%s", body)
	}
	if strings.Contains(body, "javascript:") {
		t.Errorf("unsafe next kept:\n%s", body)
	}
	if !strings.Contains(body, "用户名或密码错误") {
		t.Errorf("no error message:\n%s", body)
	}
}

func TestConsolePageEscapesUserName(t *testing.T) {
	h := newHarness(t)
	// The store accepts any name; the page must escape it.
	evil := `<img src=x onerror=alert(1)>`
	h.addUser(evil, adscan.RoleViewer)
	w := h.do(request{method: "GET", path: "/", header: map[string]string{"Authorization": "Basic " + basic(evil, testPassword)}})
	wantStatus(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), "<img") || !strings.Contains(w.Body.String(), "&lt;img src=x") {
		t.Errorf("user name not escaped:\n%s", w.Body)
	}
	// A viewer's forbidden page is rendered, escaped, with 403.
	w = h.do(request{method: "GET", path: "/api/users", header: map[string]string{"Authorization": "Basic " + basic(evil, testPassword)}})
	wantStatus(t, w, http.StatusForbidden)
	if strings.Contains(w.Body.String(), "<img") {
		t.Errorf("JSON error carries raw markup: %s", w.Body)
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	h.do(request{method: "GET", path: "/api/cases", user: "viewer"})
	h.do(request{method: "GET", path: "/api/cases/nope", user: "viewer"})
	w := h.do(request{method: "GET", path: "/metrics", user: "admin"})
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	for _, want := range []string{
		`adscan_http_requests_total{code="200",method="GET",route="GET /api/cases"} 1`,
		`adscan_http_requests_total{code="404",method="GET",route="GET /api/cases/{id}"} 1`,
		`adscan_http_request_duration_seconds_bucket{method="GET",route="GET /api/cases",le="+Inf"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	wantStatus(t, h.do(request{method: "GET", path: "/metrics", user: "regulator"}), http.StatusForbidden)

	// The separate handler needs no credentials (the operator binds it privately).
	rec := httptest.NewRecorder()
	h.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "adscan_http_requests_total") {
		t.Errorf("MetricsHandler: %d %s", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
}

// TestJSONRoute: which routes answer errors in JSON and which as pages.
func TestJSONRoute(t *testing.T) {
	for pattern, want := range map[string]bool{
		"GET /api/cases": true, "/api/": true, "GET /healthz": true, "GET /metrics": true,
		"GET /{$}": false, "POST /login": false, "GET /cases/{id}": false, "GET /static/": false,
	} {
		if got := jsonRoute(pattern); got != want {
			t.Errorf("jsonRoute(%q) = %v, want %v", pattern, got, want)
		}
	}
}
