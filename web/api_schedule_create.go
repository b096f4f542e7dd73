package web

import (
	"log/slog"
	"net/http"
	"time"

	"adscan"
)

// scheduleRequest is the body of POST /api/schedules. Exactly one of Cron
// ("0 3 * * *") and Interval (a Go duration such as "24h") is set.
type scheduleRequest struct {
	ID       string              `json:"id"`
	Cron     string              `json:"cron"`
	Interval string              `json:"interval"`
	TimeZone string              `json:"time_zone"`
	Targets  []adscan.ScanTarget `json:"targets"`
	Paused   bool                `json:"paused"`
	Note     string              `json:"note"`
}

// scheduleResponse is a schedule as the API shows it: the interval as a
// duration string rather than nanoseconds.
type scheduleResponse struct {
	ID        string              `json:"id"`
	Cron      string              `json:"cron,omitempty"`
	Interval  string              `json:"interval,omitempty"`
	TimeZone  string              `json:"time_zone,omitempty"`
	Targets   []adscan.ScanTarget `json:"targets"`
	Paused    bool                `json:"paused"`
	Note      string              `json:"note,omitempty"`
	NextRuns  []time.Time         `json:"next_runs,omitempty"`
	CreatedBy string              `json:"created_by,omitempty"`
}

func newScheduleResponse(s adscan.Schedule) scheduleResponse {
	resp := scheduleResponse{
		ID: s.ID, Cron: s.Cron, TimeZone: s.TimeZone, Targets: s.Targets,
		Paused: s.Paused, Note: s.Note, NextRuns: s.NextRuns, CreatedBy: s.CreatedBy,
	}
	if s.Interval > 0 {
		resp.Interval = s.Interval.String()
	}
	if resp.Targets == nil {
		resp.Targets = []adscan.ScanTarget{}
	}
	return resp
}

// minScheduleInterval is the shortest interval a schedule may have.
const minScheduleInterval = time.Minute

// scheduleOf checks the request and returns the schedule it asks for. Bad
// cron expressions and time zones are left to the orchestrator, which
// knows Temporal's syntax.
func (h *handler) scheduleOf(req scheduleRequest, user string) (adscan.Schedule, error) {
	s := adscan.Schedule{
		ID: req.ID, Cron: req.Cron, TimeZone: req.TimeZone, Targets: req.Targets,
		Paused: req.Paused, Note: req.Note, CreatedBy: user,
	}
	switch {
	case req.Cron == "" && req.Interval == "":
		return s, adscan.Errorf(adscan.EINVALID, "schedule needs a cron expression (\"cron\") or an interval (\"interval\", such as \"24h\")").
			ZHf("请填写 cron 表达式（如 0 3 * * *，每天 3 点）或间隔（如 24h）。")
	case req.Cron != "" && req.Interval != "":
		return s, adscan.Errorf(adscan.EINVALID, "schedule has both cron and interval; give one").
			ZHf("cron 表达式和间隔只能填写一个。")
	case req.Interval != "":
		d, err := time.ParseDuration(req.Interval)
		if err != nil {
			return s, adscan.Errorf(adscan.EINVALID, "interval %q is not a duration such as \"6h\" or \"24h\"", req.Interval).
				ZHf("间隔“%s”无效，应如 6h 或 24h（h 为小时，m 为分钟）。", req.Interval)
		}
		if d < minScheduleInterval {
			return s, adscan.Errorf(adscan.EINVALID, "interval %s is shorter than %s", d, minScheduleInterval).
				ZHf("间隔 %s 太短，至少为 %s。", d, minScheduleInterval)
		}
		s.Interval = d
	}
	if len(req.ID) > 200 {
		return s, adscan.Errorf(adscan.EINVALID, "id is %d bytes; at most 200 are allowed", len(req.ID))
	}
	targets, err := h.parseScanTargets(req.Targets)
	if err != nil {
		return s, err
	}
	s.Targets = targets
	if err := checkNote("note", req.Note); err != nil {
		return s, err
	}
	return s, nil
}

// createSchedule creates a recurring scan and answers 201 with it.
func (h *handler) createSchedule(w http.ResponseWriter, r *http.Request) error {
	var req scheduleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	user := principalFrom(r.Context()).User.Name
	s, err := h.scheduleOf(req, user)
	if err != nil {
		return err
	}
	s, err = h.orch.CreateSchedule(r.Context(), s)
	if err != nil {
		return err
	}
	h.log.Info("schedule created", slog.String("schedule", s.ID), slog.String("user", user))
	h.audit(r, adscan.AuditEntry{Actor: user, Action: adscan.ActionScheduleCreated, Detail: s.ID})
	w.Header().Set("Location", "/api/schedules/"+s.ID)
	h.writeJSON(w, r, http.StatusCreated, newScheduleResponse(s))
	return nil
}
