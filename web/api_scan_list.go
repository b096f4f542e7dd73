package web

import (
	"net/http"

	"adscan"
)

// listScans returns the latest scans, newest first (?limit=, default 50).
func (h *handler) listScans(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r.URL.Query(), "limit", 50, maxListLimit)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = 50
	}
	scans, err := h.store.ListScans(r.Context(), limit)
	if err != nil {
		return err
	}
	if scans == nil {
		scans = []adscan.Scan{}
	}
	h.writeJSON(w, r, http.StatusOK, scans)
	return nil
}
