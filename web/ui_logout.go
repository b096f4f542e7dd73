package web

import (
	"net/http"

	"adscan"
)

// logout ends the session (in this process, even for a copy of the cookie),
// clears the cookie and redirects to the login page.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if p.Via == viaCookie {
		h.sessions.revoke(p.Session)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   h.secure,
		SameSite: http.SameSiteLaxMode,
	})
	h.audit(r, adscan.AuditEntry{Actor: p.User.Name, Action: adscan.ActionLogout})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
