package web

import (
	"net/http"

	"adscan"
)

// listTargets returns the register of targets.
func (h *handler) listTargets(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.store.ListTargets(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []adscan.Target{}
	}
	h.writeJSON(w, r, http.StatusOK, ts)
	return nil
}
