package web

import "net/http"

// healthz answers 200 when the server's dependencies are ready, else 503.
// It needs no credentials and says nothing more.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) error {
	if !h.ready() {
		h.writeJSON(w, r, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	h.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
