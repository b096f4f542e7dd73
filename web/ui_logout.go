package web

import (
	"net/http"

	"adscan"
)

// logout ends the session in the store (on every serve process, for any
// copy of the cookie, across restarts), clears the cookie and redirects to
// the login page.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if p.Via == viaCookie {
		if err := h.store.EndSession(r.Context(), p.Session.storeID()); err != nil {
			return err // the session must not outlive a logout that seemed to work
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   h.secureCookie(r),
		SameSite: http.SameSiteLaxMode,
	})
	h.audit(r, adscan.AuditEntry{Actor: p.User.Name, Action: adscan.ActionLogout})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
