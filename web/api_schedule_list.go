package web

import (
	"net/http"

	"adscan"
)

// listSchedules returns the schedules in ID order, at most ?limit=
// (default 100, at most 1000). When more follow, a Link header with
// rel="next" (and X-Next-Cursor) gives the URL of the next page
// (?after=CURSOR). There is no X-Total-Count: Temporal's schedule list
// lags behind changes, so only the schedules of a page, each described
// afresh, are known for sure. A bad cursor is a 400.
func (h *handler) listSchedules(w http.ResponseWriter, r *http.Request) error {
	ss, next, err := readAPIPage(r, adscan.ScheduleList, 100, h.orch.ListSchedulesPage, adscan.Schedule.Cursor)
	if err != nil {
		return err
	}
	out := make([]scheduleResponse, 0, len(ss))
	for _, s := range ss {
		out = append(out, newScheduleResponse(s))
	}
	writePageHeaders(w, r, next, -1)
	h.writeJSON(w, r, http.StatusOK, out)
	return nil
}
