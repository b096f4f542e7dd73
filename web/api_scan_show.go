package web

import "net/http"

// showScan returns one scan: status, pages, errors, cases. 404 if unknown.
func (h *handler) showScan(w http.ResponseWriter, r *http.Request) error {
	scan, err := h.store.GetScan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, scan)
	return nil
}
