package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"adscan"
)

// TestAdminUsers: an admin creates a user, changes a role, disables and
// re-enables, and resets a password on /admin/users; each change ends the
// user's sessions at once; an admin cannot disable themselves; others
// cannot reach the page.
func TestAdminUsers(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", testPassword)
	token := h.csrfToken(admin)
	post := func(path string, form url.Values) *httptest.ResponseRecorder {
		form.Set("csrf_token", token)
		return h.postForm(admin, path, form)
	}
	meCode := func(c *http.Cookie) int {
		return h.do(request{method: "GET", path: "/api/me", cookies: []*http.Cookie{c}}).Code
	}

	// Create.
	w := post("/admin/users", url.Values{"name": {"zhao.liu"}, "role": {"reviewer"}, "password": {"a long password"}})
	wantStatus(t, w, http.StatusSeeOther)
	doc := htmlPage(t, h.do(request{method: "GET", path: w.Header().Get("Location"), cookies: []*http.Cookie{admin}}), http.StatusOK)
	if doc.Find(`tr[data-user="zhao.liu"]`).Length() != 1 || !strings.Contains(doc.Find(".notice").Text(), "已创建") {
		t.Fatalf("after creating: %q", doc.Find("main").Text())
	}
	// The admin's own row offers no role change and no 停用 (both refused).
	own := doc.Find(`tr[data-user="admin"]`)
	if own.Find(`input[value="role"], input[value="disable"]`).Length() != 0 || own.Find(`input[value="password"]`).Length() != 1 {
		t.Errorf("own row offers %d role/disable forms, %d password forms", own.Find(`input[value="role"], input[value="disable"]`).Length(), own.Find(`input[value="password"]`).Length())
	}
	doc = htmlPage(t, post("/admin/users", url.Values{"name": {"zhao.liu"}, "role": {"viewer"}, "password": {"a long password"}}), http.StatusConflict)
	if !strings.Contains(doc.Find(".error").Text(), "已被使用") {
		t.Errorf("duplicate name: %q", doc.Find(".error").Text())
	}
	// Names are told apart without regard to case; a refused form comes
	// back as it was sent, but for the password.
	doc = htmlPage(t, post("/admin/users", url.Values{"name": {"Zhao.Liu"}, "role": {"regulator"}, "password": {"a long password"}}), http.StatusConflict)
	form := doc.Find(`section.new-user form`)
	if !strings.Contains(doc.Find(".error").Text(), "“zhao.liu”") || form.Find(`input[name="name"]`).AttrOr("value", "") != "Zhao.Liu" ||
		form.Find(`option[selected]`).AttrOr("value", "") != "regulator" || form.Find(`input[name="password"]`).AttrOr("value", "") != "" {
		t.Errorf("refused Zhao.Liu: error %q, form name %q role %q", doc.Find(".error").Text(),
			form.Find(`input[name="name"]`).AttrOr("value", ""), form.Find(`option[selected]`).AttrOr("value", ""))
	}
	if code := h.do(request{method: "GET", path: "/api/me", header: map[string]string{"Authorization": "Basic " + basic("ZHAO.LIU", "a long password")}}).Code; code != http.StatusOK {
		t.Errorf("signing in as ZHAO.LIU: %d", code)
	}

	// A role change ends the reviewer's session at once.
	session := h.login("reviewer", testPassword)
	wantStatus(t, post("/admin/users/reviewer", url.Values{"action": {"role"}, "role": {"viewer"}}), http.StatusSeeOther)
	if code := meCode(session); code != http.StatusUnauthorized {
		t.Errorf("reviewer's session after a role change: %d, want 401", code)
	}
	if me := decode[meResponse](t, h.do(request{method: "GET", path: "/api/me", user: "reviewer"})); me.Role != "viewer" {
		t.Errorf("role after the change: %q", me.Role)
	}

	// Disabling refuses the password and ends sessions; enabling lets them back.
	session = h.login("viewer", testPassword)
	wantStatus(t, post("/admin/users/viewer", url.Values{"action": {"disable"}}), http.StatusSeeOther)
	if code := meCode(session); code != http.StatusUnauthorized {
		t.Errorf("session of a disabled user: %d", code)
	}
	if code := h.do(request{method: "GET", path: "/api/me", user: "viewer"}).Code; code != http.StatusUnauthorized {
		t.Errorf("Basic credentials of a disabled user: %d", code)
	}
	wantStatus(t, post("/admin/users/viewer", url.Values{"action": {"enable"}}), http.StatusSeeOther)
	if code := h.do(request{method: "GET", path: "/api/me", user: "viewer"}).Code; code != http.StatusOK {
		t.Errorf("after enabling: %d", code)
	}

	// A password reset: the old password fails, the new one works.
	wantStatus(t, post("/admin/users/regulator", url.Values{"action": {"password"}, "password": {"brand new secret"}}), http.StatusSeeOther)
	if code := h.do(request{method: "GET", path: "/api/me", user: "regulator"}).Code; code != http.StatusUnauthorized {
		t.Errorf("old password after a reset: %d", code)
	}
	r := request{method: "GET", path: "/api/me", header: map[string]string{"Authorization": "Basic " + basic("regulator", "brand new secret")}}
	if code := h.do(r).Code; code != http.StatusOK {
		t.Errorf("new password: %d", code)
	}
	htmlPage(t, post("/admin/users/regulator", url.Values{"action": {"password"}, "password": {"short"}}), http.StatusBadRequest)

	// An admin cannot lock themselves out; unknown actions and users are refused.
	doc = htmlPage(t, post("/admin/users/admin", url.Values{"action": {"disable"}}), http.StatusConflict)
	if !strings.Contains(doc.Find(".error").Text(), "不能停用自己") {
		t.Errorf("self-disable: %q", doc.Find(".error").Text())
	}
	htmlPage(t, post("/admin/users/admin", url.Values{"action": {"explode"}}), http.StatusBadRequest)
	htmlPage(t, post("/admin/users/nobody", url.Values{"action": {"disable"}}), http.StatusNotFound)

	// Only admins reach the page.
	for _, role := range []string{"reviewer", "viewer"} {
		doc := htmlPage(t, h.do(request{method: "GET", path: "/admin/users", user: role}), http.StatusForbidden)
		if doc.Find("table.user-list").Length() != 0 {
			t.Errorf("%s sees the user list", role)
		}
	}
	// The API does the same.
	wantError(t, h.do(request{method: "PATCH", path: "/api/users/zhao.liu", user: "admin", body: `{"role":"boss"}`}), http.StatusBadRequest, `role "boss"`)
	w = h.do(request{method: "PATCH", path: "/api/users/zhao.liu", user: "admin", body: `{"disabled":true}`})
	wantStatus(t, w, http.StatusOK)
	if u := decode[adscan.User](t, w); !u.Disabled {
		t.Errorf("PATCH disabled: %+v", u)
	}
}
