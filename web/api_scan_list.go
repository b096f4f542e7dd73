package web

import (
	"net/http"

	"adscan"
)

// listScans returns the scans, newest first, at most ?limit= (default 50,
// at most 1000). When more follow, a Link header with rel="next" (and
// X-Next-Cursor) gives the URL of the next page (?after=CURSOR);
// X-Total-Count says how many scans there are. A bad cursor is a 400.
func (h *handler) listScans(w http.ResponseWriter, r *http.Request) error {
	scans, next, err := readAPIPage(r, adscan.ScanList, 50, h.store.ListScansPage, adscan.Scan.Cursor)
	if err != nil {
		return err
	}
	total, err := h.store.CountScans(r.Context())
	if err != nil {
		return err
	}
	writePageHeaders(w, r, next, total)
	h.writeJSON(w, r, http.StatusOK, scans)
	return nil
}
