package web

import (
	"net/http"

	"adscan"
)

// targetRequest is the body of POST /api/targets.
type targetRequest struct {
	URL      string            `json:"url"`
	Name     string            `json:"name"`
	Region   string            `json:"region"`
	Kind     adscan.TargetKind `json:"kind"`
	Licence  adscan.Licence    `json:"licence"`
	MaxPages int               `json:"max_pages"`
	MaxDepth int               `json:"max_depth"`
	Render   adscan.RenderMode `json:"render"`
}

// createTarget adds a target to the register, or updates the one with the
// same URL (in canonical form: see adscan.ParseTargetURL), and returns it.
func (h *handler) createTarget(w http.ResponseWriter, r *http.Request) error {
	var req targetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	t, err := adscan.ParseTarget(adscan.Target{
		URL: req.URL, Name: req.Name, Region: req.Region, Kind: req.Kind, Licence: req.Licence, MaxPages: req.MaxPages, MaxDepth: req.MaxDepth,
		Render: req.Render, CreatedAt: h.now(),
	}, h.private)
	if err != nil {
		return err
	}
	if t, err = h.store.UpsertTarget(r.Context(), t); err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: principalFrom(r.Context()).User.Name, Action: adscan.ActionTargetSaved, Detail: t.URL})
	h.writeJSON(w, r, http.StatusOK, t)
	return nil
}
