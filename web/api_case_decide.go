package web

import (
	"log/slog"
	"net/http"
	"strings"

	"adscan"
)

// decisionRequest is the body of POST /api/cases/{id}/decision.
type decisionRequest struct {
	Decision adscan.Decision `json:"decision"`
	Note     string          `json:"note"`
}

// decideCase hands the signed-in reviewer's decision to the case's review
// and returns the case after it. 400 for an unknown decision, a dismissal
// without a reason (note) or an oversize note, 404 for an unknown case, 409 when the case's state does
// not allow the decision (for example a dismissed case).
func (h *handler) decideCase(w http.ResponseWriter, r *http.Request) error {
	var req decisionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if !req.Decision.Valid() {
		return adscan.Errorf(adscan.EINVALID, "decision %q is not one of confirm, dismiss, escalate", req.Decision)
	}
	if err := checkNote("note", req.Note); err != nil {
		return err
	}
	id := r.PathValue("id")
	// The orchestrator checks again; checking here first gives a clear
	// answer without a round trip to the review workflow.
	c, err := h.store.GetCase(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.State.Allows(req.Decision) {
		return adscan.Errorf(adscan.ECONFLICT, "case %s is %s; it cannot take the decision %s", id, c.State, req.Decision)
	}
	// As on the console: a dismissal says why, for whoever reviews the
	// decision and for the lexicon's analysts. (After the state: a closed
	// case is a 409 whatever the note.)
	if req.Decision == adscan.DecisionDismiss && strings.TrimSpace(req.Note) == "" {
		return adscan.Errorf(adscan.EINVALID, "a dismissal needs a reason in note")
	}
	user := principalFrom(r.Context()).User.Name
	c, err = h.orch.Decide(r.Context(), id, adscan.CaseDecision{
		Decision: req.Decision, Note: req.Note, By: user, DecidedAt: h.now(),
	})
	if err != nil {
		return err
	}
	h.log.Info("case decided", slog.String("case", id), slog.String("decision", string(req.Decision)), slog.String("user", user))
	h.writeJSON(w, r, http.StatusOK, c)
	return nil
}
