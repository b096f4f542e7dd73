package web

import "net/http"

// listSchedules returns every schedule.
func (h *handler) listSchedules(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.orch.ListSchedules(r.Context())
	if err != nil {
		return err
	}
	out := make([]scheduleResponse, 0, len(ss))
	for _, s := range ss {
		out = append(out, newScheduleResponse(s))
	}
	h.writeJSON(w, r, http.StatusOK, out)
	return nil
}
