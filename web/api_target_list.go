package web

import (
	"net/http"

	"adscan"
)

// listTargets returns the register of targets, oldest first, at most
// ?limit= (default 100, at most 1000). When more follow, a Link header
// with rel="next" (and X-Next-Cursor) gives the URL of the next page
// (?after=CURSOR); X-Total-Count says how many targets there are. A bad
// cursor is a 400.
func (h *handler) listTargets(w http.ResponseWriter, r *http.Request) error {
	ts, next, err := readAPIPage(r, adscan.TargetList, 100, h.store.ListTargetsPage, adscan.Target.Cursor)
	if err != nil {
		return err
	}
	total, err := h.store.CountTargets(r.Context())
	if err != nil {
		return err
	}
	writePageHeaders(w, r, next, total)
	h.writeJSON(w, r, http.StatusOK, ts)
	return nil
}
