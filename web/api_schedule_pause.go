package web

import (
	"context"
	"net/http"

	"adscan"
)

// pauseRequest is the optional body of the pause and unpause routes.
type pauseRequest struct {
	Note string `json:"note"`
}

// pauseSchedule pauses a schedule and returns it; 404 if unknown.
func (h *handler) pauseSchedule(w http.ResponseWriter, r *http.Request) error {
	return h.setSchedulePaused(w, r, adscan.ActionSchedulePaused, h.orch.PauseSchedule)
}

// unpauseSchedule resumes a paused schedule and returns it; 404 if unknown.
func (h *handler) unpauseSchedule(w http.ResponseWriter, r *http.Request) error {
	return h.setSchedulePaused(w, r, adscan.ActionScheduleUnpaused, h.orch.UnpauseSchedule)
}

func (h *handler) setSchedulePaused(w http.ResponseWriter, r *http.Request, action adscan.AuditAction,
	set func(ctx context.Context, id, note string) error) error {
	var req pauseRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
	}
	if err := checkNote("note", req.Note); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := set(r.Context(), id, req.Note); err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: principalFrom(r.Context()).User.Name, Action: action, Detail: id})
	s, err := h.orch.GetSchedule(r.Context(), id)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, newScheduleResponse(s))
	return nil
}
