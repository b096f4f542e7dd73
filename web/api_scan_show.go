package web

import "net/http"

// showScan returns one scan: status, pages, errors, cases. 404 if unknown.
func (h *handler) showScan(w http.ResponseWriter, r *http.Request) {
	scan, err := h.store.GetScan(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, scan)
}
