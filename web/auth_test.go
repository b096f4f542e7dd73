package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/accounts"
)

// routePath turns a route pattern into a method and a concrete path.
func routePath(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	path = strings.ReplaceAll(path, "{id}", "x1")
	path = strings.ReplaceAll(path, "{$}", "")
	return method, path
}

func TestEveryRouteNeedsCredentials(t *testing.T) {
	h := newHarness(t)
	n := 0
	for _, rt := range h.srv.h.routeTable() {
		if rt.access == public {
			continue
		}
		n++
		method, path := routePath(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			h.now = h.now.Add(loginWindow) // a fresh failed-login window per route
			body := ""
			if method == http.MethodPost {
				body = "{}"
			}
			for _, tc := range []struct {
				name   string
				header map[string]string
			}{
				{"no credentials", nil},
				{"wrong password", map[string]string{"Authorization": "Basic " + basic("admin", "wrong password!")}},
				{"unknown user", map[string]string{"Authorization": "Basic " + basic("nobody", testPassword)}},
				{"not basic", map[string]string{"Authorization": "Bearer abc"}},
				{"forged cookie", map[string]string{"Cookie": sessionCookie + "=eyJ1IjoiYWRtaW4ifQ.AAAA"}},
			} {
				w := h.do(request{method: method, path: path, body: body, header: tc.header})
				switch {
				case rt.access == page && tc.header["Authorization"] == "":
					wantStatus(t, w, http.StatusSeeOther)
					if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
						t.Errorf("%s: redirect to %q, want the login page", tc.name, loc)
					}
				case rt.access == page:
					wantStatus(t, w, http.StatusUnauthorized)
				default:
					wantError(t, w, http.StatusUnauthorized, "")
					challenge := w.Header().Get("WWW-Authenticate")
					if tc.header["Cookie"] == "" && !strings.HasPrefix(challenge, "Basic ") {
						t.Errorf("%s: WWW-Authenticate %q, want Basic", tc.name, challenge)
					}
					if tc.header["Cookie"] != "" && challenge != "" {
						t.Errorf("%s: WWW-Authenticate %q for a session request (a browser would prompt)", tc.name, challenge)
					}
				}
			}
		})
	}
	if n < 20 {
		t.Errorf("only %d protected routes in the table", n)
	}
}

// basicCSRFToken is the CSRF token the console's pages give user signed in
// with Basic credentials.
func (h *harness) basicCSRFToken(user string) string {
	h.t.Helper()
	return csrfFromPage(h.t, h.do(request{method: "GET", path: "/cases", user: user}).Body.String())
}

// A browser that once answered the API's Basic challenge sends those
// credentials with any request to the site, a form another site posts
// included: console forms need the page's CSRF token with Basic too.
func TestBasicCredentialsFormsNeedCSRFToken(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"url": {"https://peixun.example/"}, "name": {"某培训"}}
	post := func(user, token string) *httptest.ResponseRecorder {
		vals := url.Values{}
		for k, v := range form {
			vals[k] = v
		}
		if token != "" {
			vals.Set("csrf_token", token)
		}
		return h.do(request{method: "POST", path: "/targets", body: vals.Encode(), user: user,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	}
	if w := post("regulator", ""); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "CSRF") {
		t.Errorf("form post with Basic and no token: status %d, want 403 naming the CSRF token", w.Code)
	}
	if w := post("regulator", h.basicCSRFToken("admin")); w.Code != http.StatusForbidden {
		t.Errorf("form post with another user's token: status %d, want 403", w.Code)
	}
	token := h.basicCSRFToken("regulator")
	if w := post("regulator", token); w.Code == http.StatusForbidden || w.Code >= 500 {
		t.Errorf("form post with the page's token: status %d, want it to run; body %s", w.Code, w.Body)
	}
	// A password reset (here to the same password: a new salt, a new
	// hash) retires the token.
	hash, err := accounts.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.UpdateUser(context.Background(), "regulator", adscan.UserChange{PasswordHash: &hash}, "admin"); err != nil {
		t.Fatal(err)
	}
	if w := post("regulator", token); w.Code != http.StatusForbidden {
		t.Errorf("form post with the token of the old password: status %d, want 403", w.Code)
	}
	// The JSON API with Basic needs no token: scripts use it.
	w := h.do(request{method: "POST", path: "/api/targets", body: `{"url":"https://b.example/"}`, user: "regulator"})
	if w.Code == http.StatusForbidden {
		t.Errorf("API post with Basic: status %d, want no CSRF check", w.Code)
	}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestRolesOnEveryRoute(t *testing.T) {
	h := newHarness(t)
	roles := []adscan.Role{adscan.RoleViewer, adscan.RoleReviewer, adscan.RoleRegulator, adscan.RoleAdmin}
	for _, rt := range h.srv.h.routeTable() {
		if rt.access == public || rt.pattern == "POST /logout" {
			continue
		}
		method, path := routePath(rt.pattern)
		for _, role := range roles {
			body := ""
			if method == http.MethodPost {
				body = "{}"
			}
			var header map[string]string
			if method == http.MethodPost && rt.access == page {
				// Console forms need the page's CSRF token, Basic or not.
				header = map[string]string{"X-CSRF-Token": h.basicCSRFToken(string(role))}
			}
			w := h.do(request{method: method, path: path, body: body, user: string(role), header: header})
			allowed := role.AtLeast(rt.role)
			if !allowed && w.Code != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", rt.pattern, role, w.Code)
			}
			if allowed && (w.Code == http.StatusForbidden || w.Code == http.StatusUnauthorized) {
				t.Errorf("%s as %s: status %d, want the route to run; body %s", rt.pattern, role, w.Code, w.Body)
			}
			if !allowed && rt.access == apiUser && !strings.Contains(w.Body.String(), "needs role "+string(rt.role)) {
				t.Errorf("%s as %s: body %s does not name the role needed", rt.pattern, role, w.Body)
			}
		}
	}
}

// login signs in through the form and returns the session cookie.
func (h *harness) login(user, password string) *http.Cookie {
	h.t.Helper()
	page := h.do(request{method: "GET", path: "/login"})
	wantStatus(h.t, page, http.StatusOK)
	token := csrfFromPage(h.t, page.Body.String())
	loginCookie := cookieNamed(page.Result().Cookies(), loginCSRFCookie)
	if loginCookie == nil {
		h.t.Fatal("login page set no login cookie")
	}
	form := url.Values{"username": {user}, "password": {password}, "csrf_token": {token}, "next": {"/api/me"}}
	w := h.do(request{method: "POST", path: "/login", body: form.Encode(),
		header:  map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		cookies: []*http.Cookie{loginCookie}})
	wantStatus(h.t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/api/me" {
		h.t.Fatalf("login redirected to %q, want /api/me", loc)
	}
	c := cookieNamed(w.Result().Cookies(), sessionCookie)
	if c == nil {
		h.t.Fatal("login set no session cookie")
	}
	return c
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfFromPage(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token field in page:\n%s", body)
	}
	return m[1]
}

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginSessionAndCSRF(t *testing.T) {
	h := newHarness(t)
	session := h.login("regulator", testPassword)
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge <= 0 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax and an expiry", session)
	}

	me := decode[meResponse](t, h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{session}}))
	if me.Name != "regulator" || me.Role != adscan.RoleRegulator || me.CSRFToken == "" {
		t.Fatalf("GET /api/me = %+v", me)
	}
	scan := `{"targets":[{"url":"https://jigou.example.cn/"}]}`
	// A cookie-authenticated POST needs the CSRF header.
	wantError(t, h.do(request{method: "POST", path: "/api/scans", body: scan, cookies: []*http.Cookie{session}}),
		http.StatusForbidden, "CSRF")
	wantError(t, h.do(request{method: "POST", path: "/api/scans", body: scan, cookies: []*http.Cookie{session},
		header: map[string]string{"X-CSRF-Token": "forged"}}), http.StatusForbidden, "CSRF")
	wantStatus(t, h.do(request{method: "POST", path: "/api/scans", body: scan, cookies: []*http.Cookie{session},
		header: map[string]string{"X-CSRF-Token": me.CSRFToken}}), http.StatusAccepted)
	// Basic-authenticated requests need none.
	wantStatus(t, h.do(request{method: "POST", path: "/api/scans", body: scan, user: "regulator"}), http.StatusAccepted)

	// The console home page carries the token in its logout form.
	home := h.do(request{method: "GET", path: "/", cookies: []*http.Cookie{session}})
	wantStatus(t, home, http.StatusOK)
	token := csrfFromPage(t, home.Body.String())
	if token != me.CSRFToken {
		t.Errorf("page token %q differs from /api/me's %q", token, me.CSRFToken)
	}

	// Logout without the form token is refused; with it, the session ends.
	wantStatus(t, h.do(request{method: "POST", path: "/logout", cookies: []*http.Cookie{session},
		body: "csrf_token=wrong", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}), http.StatusForbidden)
	w := h.do(request{method: "POST", path: "/logout", cookies: []*http.Cookie{session},
		body: "csrf_token=" + url.QueryEscape(token), header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	wantStatus(t, w, http.StatusSeeOther)
	if c := cookieNamed(w.Result().Cookies(), sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %+v", c)
	}
	wantError(t, h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{session}}), http.StatusUnauthorized, "session")

	// Logins and logouts are audited.
	audit := auditActions(t, h)
	for _, want := range []string{"user.login:regulator", "user.logout:regulator", "scan.started:regulator"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log %q lacks %s", audit, want)
		}
	}
}

// auditActions lists the audit entries the server wrote as "action:actor" words.
func auditActions(t *testing.T, h *harness) string {
	t.Helper()
	var b strings.Builder
	log, err := h.store.ListAudit(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log {
		b.WriteString(string(e.Action) + ":" + e.Actor + " ")
	}
	return b.String()
}

func TestSessionIsSignedAndExpires(t *testing.T) {
	h := newHarness(t)
	session := h.login("viewer", testPassword)
	wantStatus(t, h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{session}}), http.StatusOK)

	// A tampered payload fails the signature.
	p, sig, _ := strings.Cut(session.Value, ".")
	forged := &http.Cookie{Name: sessionCookie, Value: p + "x." + sig}
	wantStatus(t, h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{forged}}), http.StatusUnauthorized)

	h.now = h.now.Add(sessionTTL + time.Second)
	wantError(t, h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{session}}), http.StatusUnauthorized, "expired")
	// An expired session on a console page goes back to the login page.
	w := h.do(request{method: "GET", path: "/", cookies: []*http.Cookie{session}})
	wantStatus(t, w, http.StatusSeeOther)
}

func TestLoginFormRefusesBadCSRF(t *testing.T) {
	h := newHarness(t)
	page := h.do(request{method: "GET", path: "/login"})
	token := csrfFromPage(t, page.Body.String())
	loginCookie := cookieNamed(page.Result().Cookies(), loginCSRFCookie)
	form := func(tok string) string {
		return url.Values{"username": {"admin"}, "password": {testPassword}, "csrf_token": {tok}}.Encode()
	}
	ct := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for name, rq := range map[string]request{
		"no cookie":    {body: form(token)},
		"no token":     {body: form(""), cookies: []*http.Cookie{loginCookie}},
		"other cookie": {body: form(token), cookies: []*http.Cookie{{Name: loginCSRFCookie, Value: "someone-elses-cookie-value"}}},
		"forged token": {body: form("AAAA"), cookies: []*http.Cookie{loginCookie}},
	} {
		rq.method, rq.path, rq.header = "POST", "/login", ct
		w := h.do(rq)
		if w.Code != http.StatusForbidden || cookieNamed(w.Result().Cookies(), sessionCookie) != nil {
			t.Errorf("%s: status %d, cookies %v; want 403 and no session", name, w.Code, w.Result().Cookies())
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	h := newHarness(t)
	page := h.do(request{method: "GET", path: "/login"})
	token := csrfFromPage(t, page.Body.String())
	loginCookie := cookieNamed(page.Result().Cookies(), loginCSRFCookie)
	post := func(password string) int {
		form := url.Values{"username": {"reviewer"}, "password": {password}, "csrf_token": {token}}.Encode()
		return h.do(request{method: "POST", path: "/login", body: form, cookies: []*http.Cookie{loginCookie},
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).Code
	}
	for i := range maxUserFailures {
		if got := post("wrong password"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, got)
		}
	}
	// Past the limit even the right password is refused, by form and by Basic.
	if got := post(testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: status %d, want 429", maxUserFailures, got)
	}
	w := h.do(request{method: "GET", path: "/api/me", user: "reviewer"})
	wantError(t, w, http.StatusTooManyRequests, "too many failed logins")
	if w.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Other users from the same address are not locked out yet.
	wantStatus(t, h.do(request{method: "GET", path: "/api/me", user: "viewer"}), http.StatusOK)
	// The window passes.
	h.now = h.now.Add(loginWindow)
	if got := post(testPassword); got != http.StatusSeeOther {
		t.Fatalf("after the window: status %d, want 303", got)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/cases?state=open":    "/cases?state=open",
		"":                     "/",
		"//evil.example/":      "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"cases":                "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: `{"targets":[{"url":"https://a.example/"}]}`,
		header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}})
	wantStatus(t, w, http.StatusForbidden)
}

// TestOversizedFormIs413: a login form, or a console form behind a session,
// over the body limit gets 413 with a message in 简体中文, not a 400 or a
// misleading CSRF refusal.
func TestOversizedFormIs413(t *testing.T) {
	h := newHarness(t)
	ct := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	big := url.Values{"username": {"admin"}, "password": {strings.Repeat("x", maxBodyBytes)}}.Encode()
	w := h.do(request{method: "POST", path: "/login", header: ct, body: big})
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "提交的内容过大") {
		t.Errorf("login: status %d, want 413 with a Chinese heading:\n%.300s", w.Code, w.Body.String())
	}
}

// TestLogoutHoldsAcrossServers: a session works on every serve process of
// a cluster and after a restart (same store, same key); once logged out on
// one, its cookie works on none, a restarted one included.
func TestLogoutHoldsAcrossServers(t *testing.T) {
	h := newHarness(t)
	other := func() *Server {
		srv, err := New(Config{Store: h.store, Orchestrator: h.orch, SessionKey: bytes.Repeat([]byte("k"), 32),
			Now: func() time.Time { return h.now }})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	me := func(srv *Server, c *http.Cookie) int {
		r := httptest.NewRequest("GET", "/api/me", nil)
		r.AddCookie(c)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		return w.Code
	}
	session := h.login("reviewer", testPassword)
	second := other()
	if code := me(second, session); code != http.StatusOK {
		t.Fatalf("the session on a second server: %d", code)
	}
	token := decode[meResponse](t, h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{session}})).CSRFToken
	w := h.do(request{method: "POST", path: "/logout", body: url.Values{"csrf_token": {token}}.Encode(), cookies: []*http.Cookie{session},
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	wantStatus(t, w, http.StatusSeeOther)
	for name, srv := range map[string]*Server{"the first": h.srv, "the second": second, "a restarted": other()} {
		if code := me(srv, session); code != http.StatusUnauthorized {
			t.Errorf("logged-out cookie on %s server: %d, want 401", name, code)
		}
	}
	// Another session of the same user is not ended by this logout.
	if code := me(other(), h.login("reviewer", testPassword)); code != http.StatusOK {
		t.Errorf("a new session after the logout: %d", code)
	}
}

// TestLockoutBehindProxy: behind a trusted reverse proxy, twenty failed
// logins from one client under made-up names lock out that client only:
// another user through the same proxy signs in, by form and by Basic
// credentials. X-Forwarded-For from an untrusted sender is ignored, so the
// attacker cannot dodge its limit by inventing addresses.
func TestLockoutBehindProxy(t *testing.T) {
	h := newHarness(t)
	srv, err := New(Config{Store: h.store, Orchestrator: h.orch, SessionKey: bytes.Repeat([]byte("k"), 32),
		Now: func() time.Time { return h.now }, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(remote, xff, user, password string) int {
		r := httptest.NewRequest("GET", "/api/me", nil)
		r.RemoteAddr = remote + ":40000"
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		r.SetBasicAuth(user, password)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		return w.Code
	}
	const proxy, attacker, colleague = "10.0.0.2", "198.51.100.66", "203.0.113.9"
	for i := range maxIPFailures {
		if code := get(proxy, "192.0.2.1, "+attacker, fmt.Sprintf("nobody%d", i), "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if code := get(proxy, attacker, "reviewer", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("the attacker's client after %d failures: %d, want 429", maxIPFailures, code)
	}
	if code := get(proxy, colleague, "reviewer", testPassword); code != http.StatusOK {
		t.Errorf("another client through the same proxy: %d, want 200", code)
	}
	if code := get(proxy, colleague+", 10.0.0.7", "viewer", testPassword); code != http.StatusOK {
		t.Errorf("through two trusted proxies: %d, want 200", code)
	}
	// Not from a trusted proxy: X-Forwarded-For is the sender's own claim.
	const direct = "198.51.100.77"
	for i := range maxIPFailures {
		get(direct, fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("made-up%d", i), "wrong password")
	}
	if code := get(direct, "203.0.113.200", "viewer", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("a direct client inventing X-Forwarded-For: %d, want 429", code)
	}

	// Cookies are Secure when a trusted proxy says the request came over HTTPS.
	r := httptest.NewRequest("GET", "/login", nil)
	r.RemoteAddr = proxy + ":40000"
	r.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, r)
	if c := cookieNamed(w.Result().Cookies(), loginCSRFCookie); c == nil || !c.Secure {
		t.Errorf("login cookie behind an HTTPS proxy: %+v", c)
	}
	r.RemoteAddr = attacker + ":40000"
	w = httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, r)
	if c := cookieNamed(w.Result().Cookies(), loginCSRFCookie); c == nil || c.Secure {
		t.Errorf("login cookie when an untrusted client claims HTTPS: %+v", c)
	}
}

// A form posted on a session that has since ended (a role change, a
// logout elsewhere) goes to the login page, which says the session ended
// and then returns to the page the form was on, not to the form's
// POST-only address; unknown addresses and a form's address opened in the
// browser get console pages in 简体中文, not the mux's plain text.
func TestEndedSessionAndUnknownPages(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/p", "暑假班火热报名", adscan.CategoryHolidayTraining)
	session := h.login("reviewer", testPassword)
	token := h.csrfToken(session)
	if _, err := h.store.EndUserSessions(t.Context(), "reviewer"); err != nil {
		t.Fatal(err)
	}
	w := h.do(request{method: "POST", path: "/cases/" + c.ID + "/decision", cookies: []*http.Cookie{session},
		body:   url.Values{"csrf_token": {token}, "decision": {"confirm"}}.Encode(),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://example.com/cases/" + c.ID}})
	wantStatus(t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if loc != "/login?next="+url.QueryEscape("/cases/"+c.ID)+"&ended=1" {
		t.Errorf("after a post on an ended session: Location %q", loc)
	}
	login := htmlPage(t, h.do(request{method: "GET", path: loc}), http.StatusOK)
	if !strings.Contains(login.Find(".error").Text(), "登录已失效") || login.Find("input[name=next]").AttrOr("value", "") != "/cases/"+c.ID {
		t.Errorf("login page: %q, next %q", login.Find(".error").Text(), login.Find("input[name=next]").AttrOr("value", ""))
	}
	if got, _ := h.store.GetCase(t.Context(), c.ID); got.State != adscan.CaseOpen {
		t.Errorf("the ended session's post changed the case: %s", got.State)
	}

	for _, tc := range []struct {
		path   string
		status int
		want   string
		allow  string
	}{
		{"/nope", http.StatusNotFound, "没有这个页面", ""},
		{"/cases/" + c.ID + "/decision", http.StatusMethodNotAllowed, "不能直接打开", "POST"},
	} {
		w := h.do(request{method: "GET", path: tc.path, user: "reviewer"})
		doc := htmlPage(t, w, tc.status)
		if !strings.Contains(doc.Text(), tc.want) || w.Header().Get("Allow") != tc.allow || doc.Find("nav").Length() == 0 {
			t.Errorf("GET %s: %q, Allow %q; want %q with the navigation", tc.path, doc.Find(".error").Text(), w.Header().Get("Allow"), tc.want)
		}
	}
	wantStatus(t, h.do(request{method: "GET", path: "/favicon.ico"}), http.StatusNoContent)
}
