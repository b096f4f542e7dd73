package web

import (
	"net/http"
	"strings"

	"adscan"
)

// scheduleAdmin is the data of the schedules page.
type scheduleAdmin struct {
	Schedules []adscan.Schedule
	Targets   []adscan.Target // the register, to pick targets from
	CanEdit   bool
	Notice    string
	Error     string
	Form      scheduleRequest // the last form, to fill again after an error
	Picked    map[string]bool // URLs of the register's targets the last form ticked
}

// scheduleNotices are the messages after a change (?done=…).
var scheduleNotices = map[string]string{
	"created":   "已创建计划。",
	"paused":    "已暂停。",
	"unpaused":  "已恢复。",
	"triggered": "已立即运行一次。",
	"deleted":   "已删除。",
}

// showSchedules renders the recurring scans with their next runs and, for
// regulators, the forms to create, pause, resume, run now and delete.
func (h *handler) showSchedules(w http.ResponseWriter, r *http.Request) error {
	return h.renderSchedules(w, r, http.StatusOK, scheduleNotices[r.URL.Query().Get("done")], "", scheduleRequest{TimeZone: "Asia/Shanghai"})
}

func (h *handler) renderSchedules(w http.ResponseWriter, r *http.Request, status int, notice, problem string, form scheduleRequest) error {
	ss, err := h.orch.ListSchedules(r.Context())
	if err != nil {
		return err
	}
	ts, err := h.store.ListTargets(r.Context())
	if err != nil {
		return err
	}
	d := h.newPageData(r, "定期扫描计划")
	picked := map[string]bool{}
	for _, t := range form.Targets {
		picked[t.URL] = true
	}
	d.Page = scheduleAdmin{Schedules: ss, Targets: ts, CanEdit: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleRegulator),
		Notice: notice, Error: problem, Form: form, Picked: picked}
	h.render(w, r, status, "schedules", d)
	return nil
}

// createScheduleForm creates a schedule of the checked targets (and any
// URLs typed one a line), by cron or interval.
func (h *handler) createScheduleForm(w http.ResponseWriter, r *http.Request) error {
	req := scheduleRequest{
		ID: strings.TrimSpace(r.PostFormValue("id")), TimeZone: r.PostFormValue("time_zone"),
		Note: r.PostFormValue("note"), Paused: r.PostFormValue("paused") == "1",
	}
	// Both are passed on: a schedule given both is refused (by
	// CreateSchedule), not run by one with the other silently dropped.
	req.Cron = strings.TrimSpace(r.PostFormValue("cron"))
	req.Interval = strings.TrimSpace(r.PostFormValue("interval"))
	ts, err := h.store.ListTargets(r.Context())
	if err != nil {
		return err
	}
	picked := map[string]bool{}
	for _, id := range r.PostForm["target"] {
		picked[id] = true
	}
	for _, t := range ts {
		if picked[t.ID] {
			req.Targets = append(req.Targets, adscan.ScanTarget{URL: t.URL, MaxPages: t.MaxPages, MaxDepth: t.MaxDepth, Render: t.Render})
		}
	}
	for _, line := range strings.Split(r.PostFormValue("urls"), "\n") {
		if u := strings.TrimSpace(line); u != "" {
			req.Targets = append(req.Targets, adscan.ScanTarget{URL: u})
		}
	}
	user := principalFrom(r.Context()).User.Name
	s, err := h.scheduleOf(req, user)
	if err == nil {
		s, err = h.orch.CreateSchedule(r.Context(), s)
	}
	if code := adscan.ErrorCode(err); code == adscan.EINVALID || code == adscan.ECONFLICT {
		return h.renderSchedules(w, r, errorStatus(code), "", consoleMessage(err), req)
	} else if err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: user, Action: adscan.ActionScheduleCreated, Detail: s.ID})
	http.Redirect(w, r, "/schedules?done=created", http.StatusSeeOther)
	return nil
}

// scheduleActionForm pauses, resumes, runs now or deletes a schedule.
func (h *handler) scheduleActionForm(w http.ResponseWriter, r *http.Request) error {
	id, action := r.PathValue("id"), r.PathValue("action")
	note := r.PostFormValue("note")
	if err := checkNote("note", note); err != nil {
		return err
	}
	ctx := r.Context()
	var err error
	var audit adscan.AuditAction
	done := action + "d" // paused, unpaused, deleted
	switch action {
	case "pause":
		err, audit = h.orch.PauseSchedule(ctx, id, note), adscan.ActionSchedulePaused
	case "unpause":
		err, audit = h.orch.UnpauseSchedule(ctx, id, note), adscan.ActionScheduleUnpaused
	case "trigger":
		err, audit = h.orch.TriggerSchedule(ctx, id), adscan.ActionScheduleTrigger
		done = "triggered"
	case "delete":
		err, audit = h.orch.DeleteSchedule(ctx, id), adscan.ActionScheduleDeleted
	default:
		return adscan.Errorf(adscan.ENOTFOUND, "no schedule action %q", action)
	}
	if err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: principalFrom(ctx).User.Name, Action: audit, Detail: id})
	http.Redirect(w, r, "/schedules?done="+done, http.StatusSeeOther)
	return nil
}
