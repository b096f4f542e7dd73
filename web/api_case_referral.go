package web

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"adscan"
)

// showReferral returns the referral package of a confirmed case exactly as
// it was delivered to market supervision, with its SHA-256 in the
// X-Referral-SHA256 header. 404 for an unknown case, and 404 with a message
// saying why for a case that has no referral yet.
func (h *handler) showReferral(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := h.store.GetCase(r.Context(), id)
	if err != nil {
		return err
	}
	ref, err := h.store.GetReferral(r.Context(), id)
	if adscan.ErrorCode(err) == adscan.ENOTFOUND {
		return adscan.Errorf(adscan.ENOTFOUND, "case %s has no referral: it is %s, and a referral is made only after a reviewer confirms the case", id, c.State)
	} else if err != nil {
		return err
	}
	if !json.Valid(ref.Package) {
		h.log.Error("stored referral package is not JSON", slog.String("case", id))
		return adscan.Errorf(adscan.EINTERNAL, "the referral package of case %s is damaged", id)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Referral-SHA256", ref.SHA256)
	w.WriteHeader(http.StatusOK)
	w.Write(ref.Package)
	return nil
}
