package web

import "net/http"

// showSchedule returns one schedule; 404 if unknown.
func (h *handler) showSchedule(w http.ResponseWriter, r *http.Request) error {
	s, err := h.orch.GetSchedule(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, newScheduleResponse(s))
	return nil
}
