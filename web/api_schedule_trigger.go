package web

import (
	"net/http"

	"adscan"
)

// triggerSchedule starts a schedule's scan now and answers 202; 404 if unknown.
func (h *handler) triggerSchedule(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.orch.TriggerSchedule(r.Context(), id); err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: principalFrom(r.Context()).User.Name, Action: adscan.ActionScheduleTrigger, Detail: id})
	h.writeJSON(w, r, http.StatusAccepted, map[string]string{"id": id, "status": "triggered"})
	return nil
}
