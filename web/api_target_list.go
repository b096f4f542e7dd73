package web

import (
	"net/http"

	"adscan"
)

// listTargets returns the register of targets.
func (h *handler) listTargets(w http.ResponseWriter, r *http.Request) {
	ts, err := h.store.ListTargets(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	if ts == nil {
		ts = []adscan.Target{}
	}
	h.writeJSON(w, r, http.StatusOK, ts)
}
