package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"adscan"
)

// checkLogin handles the login form: it checks the CSRF token, then the
// user name and password (rate-limited per user and address), sets the
// session cookie and redirects to the form's "next" page. A failure
// renders the form again with a message and the status (403, 401, 429).
func (h *handler) checkLogin(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := parseForm(r); err != nil {
		return err
	}
	name := r.PostFormValue("username")
	d := pageData{Title: "登录", Username: name, Next: localPath(r.PostFormValue("next"))}

	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !h.sessions.checkCSRF("login:"+c.Value, r.PostFormValue("csrf_token")) {
		h.log.Warn("login form CSRF check failed", slog.String("ip", h.clientIP(r)))
		d.CSRFToken = h.loginCSRFToken(w, r)
		d.Error = "表单已过期或来源无效，请重新登录。"
		h.render(w, r, http.StatusForbidden, "login", d)
		return nil
	}
	d.CSRFToken = h.sessions.csrfToken("login:" + c.Value)
	if name == "" || r.PostFormValue("password") == "" {
		d.Error = "请输入用户名和密码。"
		h.render(w, r, http.StatusBadRequest, "login", d)
		return nil
	}

	u, err := h.checkPassword(r, name, r.PostFormValue("password"), "form")
	var tm *tooManyAttempts
	switch {
	case errors.As(err, &tm):
		w.Header().Set("Retry-After", fmt.Sprint(int(tm.retryAfter.Seconds())+1))
		d.Error = fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试。", tm.minutes())
		h.render(w, r, http.StatusTooManyRequests, "login", d)
		return nil
	case adscan.ErrorCode(err) == adscan.EUNAUTHORIZED:
		h.audit(r, adscan.AuditEntry{Actor: name, Action: adscan.ActionLoginFailed, Detail: "from " + h.clientIP(r)})
		d.Error = "用户名或密码错误。"
		h.render(w, r, http.StatusUnauthorized, "login", d)
		return nil
	case err != nil:
		return err
	}

	sess, value := h.sessions.issue(u.Name, u.PasswordHash)
	if err := h.store.CreateSession(r.Context(), sess.storeID(), u.Name, h.now(), time.Unix(sess.Expires, 0)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   int(sessionTTL.Seconds()),
		HttpOnly: true,
		Secure:   h.secureCookie(r),
		SameSite: http.SameSiteLaxMode,
	})
	h.audit(r, adscan.AuditEntry{Actor: u.Name, Action: adscan.ActionLogin, Detail: "from " + h.clientIP(r)})
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
	return nil
}
