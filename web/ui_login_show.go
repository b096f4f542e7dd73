package web

import (
	"net/http"
)

// showLoginPage renders the login form. It sets the login cookie that the
// form's CSRF token is bound to, so a login form posted from another site
// fails.
func (h *handler) showLoginPage(w http.ResponseWriter, r *http.Request) error {
	d := pageData{Title: "登录", Next: localPath(r.URL.Query().Get("next"))}
	if r.URL.Query().Get("ended") == "1" {
		d.Error = "登录已失效（已退出、角色或密码被修改，或超时），请重新登录；未提交成功的操作需要重新进行。"
	}
	d.CSRFToken = h.loginCSRFToken(w, r)
	h.render(w, r, http.StatusOK, "login", d)
	return nil
}

// loginCSRFToken returns the login form's CSRF token, bound to the login
// cookie; it sets that cookie if the request has none.
func (h *handler) loginCSRFToken(w http.ResponseWriter, r *http.Request) string {
	binding := ""
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		binding = c.Value
	} else {
		binding = randomToken(18)
		http.SetCookie(w, &http.Cookie{
			Name:     loginCSRFCookie,
			Value:    binding,
			Path:     "/login",
			MaxAge:   int(sessionTTL.Seconds()),
			HttpOnly: true,
			Secure:   h.secureCookie(r),
			SameSite: http.SameSiteStrictMode,
		})
	}
	return h.sessions.csrfToken("login:" + binding)
}
