package web

import (
	"log/slog"
	"net/http"

	"adscan"
)

// caseDetail is a case with the metadata of the captures behind its
// findings and sightings.
type caseDetail struct {
	adscan.Case
	Captures []adscan.CaptureMeta `json:"captures"`
}

// showCase returns the case with findings, sightings, decision, audit trail
// and the metadata of each capture they refer to. 404 if unknown.
func (h *handler) showCase(w http.ResponseWriter, r *http.Request) error {
	c, err := h.store.GetCase(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	d := caseDetail{Case: c, Captures: []adscan.CaptureMeta{}}
	seen := map[string]bool{}
	ids := make([]string, 0, len(c.Findings)+len(c.Sightings))
	for _, f := range c.Findings {
		ids = append(ids, f.CaptureID)
	}
	for _, s := range c.Sightings {
		ids = append(ids, s.CaptureID)
	}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		cp, err := h.store.GetCapture(r.Context(), id)
		if adscan.ErrorCode(err) == adscan.ENOTFOUND {
			// The case itself exists; say so, and log the dangling reference.
			h.log.Error("case refers to a missing capture", slog.String("case", c.ID), slog.String("capture", id))
			continue
		} else if err != nil {
			return err
		}
		d.Captures = append(d.Captures, cp.Meta())
	}
	h.writeJSON(w, r, http.StatusOK, d)
	return nil
}
