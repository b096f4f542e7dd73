package web

import (
	"net/http"

	"adscan"
)

// targetRequest is the body of POST /api/targets.
type targetRequest struct {
	URL      string `json:"url"`
	Name     string `json:"name"`
	Region   string `json:"region"`
	MaxPages int    `json:"max_pages"`
	MaxDepth int    `json:"max_depth"`
}

// createTarget adds a target to the register, or updates the one with the
// same URL, and returns it.
func (h *handler) createTarget(w http.ResponseWriter, r *http.Request) {
	var req targetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		h.error(w, r, err)
		return
	}
	if err := checkTargetURL("url", req.URL); err != nil {
		h.error(w, r, err)
		return
	}
	if req.MaxPages < 0 || req.MaxDepth < 0 {
		h.error(w, r, adscan.Errorf(adscan.EINVALID, "max_pages and max_depth must be 0 (default) or more"))
		return
	}
	for field, v := range map[string]string{"name": req.Name, "region": req.Region} {
		if err := checkNote(field, v); err != nil {
			h.error(w, r, err)
			return
		}
	}
	t, err := h.store.UpsertTarget(r.Context(), adscan.Target{
		URL: req.URL, Name: req.Name, Region: req.Region, MaxPages: req.MaxPages, MaxDepth: req.MaxDepth,
		CreatedAt: h.now(),
	})
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.audit(r, adscan.AuditEntry{Actor: principalFrom(r.Context()).User.Name, Action: "target_saved", Detail: t.URL})
	h.writeJSON(w, r, http.StatusOK, t)
}
