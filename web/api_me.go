package web

import (
	"net/http"

	"adscan"
)

// meResponse is the signed-in user as GET /api/me shows it.
type meResponse struct {
	Name string      `json:"name"`
	Role adscan.Role `json:"role"`
	// CSRFToken is set for session-cookie requests: send it as the
	// X-CSRF-Token header on POST and DELETE requests.
	CSRFToken string `json:"csrf_token,omitempty"`
}

// showMe returns the signed-in user and, for a session, its CSRF token.
func (h *handler) showMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	resp := meResponse{Name: p.User.Name, Role: p.User.Role}
	if p.Via == viaCookie {
		resp.CSRFToken = h.sessions.csrfToken(p.Session.Nonce)
	}
	h.writeJSON(w, r, http.StatusOK, resp)
	return nil
}
