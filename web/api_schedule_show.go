package web

import "net/http"

// showSchedule returns one schedule; 404 if unknown.
func (h *handler) showSchedule(w http.ResponseWriter, r *http.Request) {
	s, err := h.orch.GetSchedule(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, newScheduleResponse(s))
}
