package web

import (
	"net/http"

	"adscan"
)

// deleteSchedule deletes a schedule and answers 204; 404 if unknown.
func (h *handler) deleteSchedule(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.orch.DeleteSchedule(r.Context(), id); err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: principalFrom(r.Context()).User.Name, Action: adscan.ActionScheduleDeleted, Detail: id})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
