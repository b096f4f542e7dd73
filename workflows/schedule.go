package workflows

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"adscan"
)

// DefaultTimeZone is the time zone of schedules that name none.
const DefaultTimeZone = "Asia/Shanghai"

// MinScheduleInterval is the shortest interval a schedule may have.
const MinScheduleInterval = time.Minute

// Memo keys of a schedule: what was asked for, as the server rewrites cron
// expressions into calendars.
const (
	memoCron      = "adscan_cron"
	memoInterval  = "adscan_interval"
	memoCreatedBy = "adscan_created_by"
)

var scheduleIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// CreateSchedule creates a recurring scan: a Temporal Schedule (overlap
// policy skip: a run due while the previous one is still going is skipped)
// whose runs are ScanWorkflows with the schedule's targets. A target naming
// a platform profile must resolve now, but the schedule keeps only the
// profile and its page limit (adscan.ScanTarget.ProfileOnly): each run
// resolves the profile as registered when it starts. Errors: EINVALID
// for a bad ID, cron, interval, time zone or target (an unregistered
// profile); ECONFLICT if the ID is taken; EUNAVAILABLE when Temporal cannot
// be reached.
func (c *Client) CreateSchedule(ctx context.Context, s adscan.Schedule) (adscan.Schedule, error) {
	if err := CheckSchedule(s, c.AllowPrivate); err != nil {
		return adscan.Schedule{}, err
	}
	spec, err := scheduleSpec(s)
	if err != nil {
		return adscan.Schedule{}, err
	}
	if s.Targets, err = ParseTargets(s.Targets, c.AllowPrivate); err != nil {
		return adscan.Schedule{}, err
	}
	if _, err = c.resolveProfiles(ctx, s.Targets); err != nil {
		return adscan.Schedule{}, err
	}
	for i, t := range s.Targets {
		s.Targets[i] = t.ProfileOnly()
	}
	memo := map[string]any{memoCron: s.Cron, memoCreatedBy: s.CreatedBy}
	if s.Interval > 0 {
		memo[memoInterval] = s.Interval.String()
	}
	_, err = c.Temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   s.ID,
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{
			ID:       "scan-" + s.ID,
			Workflow: ScanWorkflowName,
			Args: []any{ScanInput{ScheduleID: s.ID, CreatedBy: s.CreatedBy, Targets: s.Targets, MaxConcurrent: c.MaxConcurrent,
				CrawlHeartbeatTimeout: c.CrawlHeartbeatTimeout}},
			TaskQueue: TaskQueue,
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:    s.Note,
		Paused:  s.Paused,
		Memo:    memo,
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return adscan.Schedule{}, adscan.Errorf(adscan.ECONFLICT, "schedule %s exists already", s.ID).ZHf("计划名称“%s”已被使用。", s.ID)
	}
	if err != nil {
		return adscan.Schedule{}, scheduleError("create", s.ID, err)
	}
	if c.Store != nil {
		if err := c.Store.AddScheduleID(ctx, s.ID, s.CreatedBy); err != nil {
			return adscan.Schedule{}, fmt.Errorf("workflows: schedule %s was created, but not recorded for listing: %w", s.ID, err)
		}
	}
	return c.GetSchedule(ctx, s.ID)
}

// CheckSchedule is what CreateSchedule checks of s before it asks anyone:
// its ID, its timing (the cron expression's field count, not its values,
// which Temporal parses) and its targets' URLs and limits. Errors are
// EINVALID.
func CheckSchedule(s adscan.Schedule, allowPrivate bool) error {
	if !scheduleIDPattern.MatchString(s.ID) {
		return adscan.Errorf(adscan.EINVALID, "schedule ID %q: use 1-100 letters, digits, '.', '_' or '-'", s.ID).
			ZHf("计划名称“%s”无效：只能用 1–100 个英文字母、数字或“.”“_”“-”（中文说明可写在备注里）。", s.ID)
	}
	if _, err := scheduleSpec(s); err != nil {
		return err
	}
	_, err := ParseTargets(s.Targets, allowPrivate)
	return err
}

// scheduleSpec checks s's timing and turns it into a Temporal spec.
func scheduleSpec(s adscan.Schedule) (client.ScheduleSpec, error) {
	tz := s.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return client.ScheduleSpec{}, adscan.Errorf(adscan.EINVALID, "schedule %s: unknown time zone %q", s.ID, tz).
			ZHf("未知的时区“%s”（如 Asia/Shanghai）。", tz)
	}
	spec := client.ScheduleSpec{TimeZoneName: tz}
	cron := strings.TrimSpace(s.Cron)
	switch {
	case cron != "" && s.Interval != 0:
		return spec, adscan.Errorf(adscan.EINVALID, "schedule %s: give a cron expression or an interval, not both", s.ID).
			ZHf("请只填写 cron 表达式或间隔中的一项。")
	case cron != "":
		if err := checkCronFields(s.ID, cron); err != nil {
			return spec, err
		}
		spec.CronExpressions = []string{cron}
	case s.Interval >= MinScheduleInterval:
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: s.Interval}}
	case s.Interval != 0:
		return spec, adscan.Errorf(adscan.EINVALID, "schedule %s: interval %s is shorter than %s", s.ID, s.Interval, MinScheduleInterval).
			ZHf("间隔 %s 太短，至少为 %s。", s.Interval, MinScheduleInterval)
	default:
		return spec, adscan.Errorf(adscan.EINVALID, "schedule %s: give a cron expression or an interval", s.ID).
			ZHf("请填写 cron 表达式或间隔。")
	}
	return spec, nil
}

// cronFields are the five fields of a cron expression with the range of
// their numbers (a weekday's 7 is Sunday, as 0).
var cronFields = []struct {
	name, zh string
	lo, hi   int
}{{"minute", "分", 0, 59}, {"hour", "时", 0, 23}, {"day of month", "日", 1, 31}, {"month", "月", 1, 12}, {"weekday", "周", 0, 7}}

// checkCronFields refuses a cron expression that is not five fields (six
// or seven, which Temporal would read with seconds first — "0 3 * * * * *"
// runs every hour — are refused too), or has a number out of its field's
// range, naming the field in English and 简体中文. Names (mon, jan), steps
// and the @daily forms are left to Temporal's parser.
func checkCronFields(id, cron string) error {
	if strings.HasPrefix(cron, "@every") { // it would bypass MinScheduleInterval
		return adscan.Errorf(adscan.EINVALID, "schedule %s: cron %q: give an interval instead of @every", id, cron).
			ZHf("cron 表达式“%s”：请改用间隔，而不是 @every。", cron)
	}
	if strings.HasPrefix(cron, "@") {
		return nil
	}
	fields := strings.Fields(cron)
	if len(fields) != len(cronFields) {
		return adscan.Errorf(adscan.EINVALID, "schedule %s: cron %q has %d fields; want 5 (minute hour day month weekday)", id, cron, len(fields)).
			ZHf("cron 表达式“%s”有 %d 段，应为 5 段：分 时 日 月 周（如 0 3 * * * 为每天 3 点）。", cron, len(fields))
	}
	for i, f := range fields {
		cf := cronFields[i]
		for _, part := range strings.FieldsFunc(f, func(r rune) bool { return r == ',' || r == '-' }) {
			part, _, _ = strings.Cut(part, "/")
			n, err := strconv.Atoi(part)
			if err != nil {
				continue // *, ?, a name: Temporal's parser judges it
			}
			if n < cf.lo || n > cf.hi {
				return adscan.Errorf(adscan.EINVALID, "schedule %s: cron %q: %s %d is not in %d-%d", id, cron, cf.name, n, cf.lo, cf.hi).
					ZHf("cron 表达式“%s”中“%s”段的 %d 超出范围，应在 %d–%d 之间。", cron, cf.zh, n, cf.lo, cf.hi)
			}
		}
	}
	return nil
}

// GetSchedule describes a schedule with its next runs. ENOTFOUND if there
// is no such schedule.
func (c *Client) GetSchedule(ctx context.Context, id string) (adscan.Schedule, error) {
	if id == "" {
		return adscan.Schedule{}, adscan.Errorf(adscan.EINVALID, "empty schedule ID")
	}
	d, err := c.Temporal.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return adscan.Schedule{}, scheduleError("describe", id, err)
	}
	return scheduleFromDescription(id, d)
}

// scheduleFromDescription turns Temporal's description into an
// adscan.Schedule. A paused schedule has no next runs (Temporal lists the
// times it would run at, but it runs at none of them until resumed).
func scheduleFromDescription(id string, d *client.ScheduleDescription) (adscan.Schedule, error) {
	s := adscan.Schedule{ID: id, NextRuns: d.Info.NextActionTimes}
	if st := d.Schedule.State; st != nil {
		s.Paused, s.Note = st.Paused, st.Note
	}
	if s.Paused {
		s.NextRuns = nil
	}
	if sp := d.Schedule.Spec; sp != nil {
		s.TimeZone = sp.TimeZoneName
		if len(sp.CronExpressions) > 0 {
			s.Cron = sp.CronExpressions[0]
		}
		if len(sp.Intervals) > 0 {
			s.Interval = sp.Intervals[0].Every
		}
	}
	dc := converter.GetDefaultDataConverter()
	fields := d.Memo.GetFields()
	var text string
	if p := fields[memoCron]; p != nil && dc.FromPayload(p, &text) == nil && text != "" {
		s.Cron, s.Interval = text, 0
	}
	if p := fields[memoInterval]; p != nil && dc.FromPayload(p, &text) == nil && text != "" {
		if iv, err := time.ParseDuration(text); err == nil {
			s.Interval, s.Cron = iv, ""
		}
	}
	if p := fields[memoCreatedBy]; p != nil && dc.FromPayload(p, &text) == nil {
		s.CreatedBy = text
	}
	if a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok && len(a.Args) > 0 {
		var in ScanInput
		switch arg := a.Args[0].(type) {
		case *commonpb.Payload:
			if err := dc.FromPayload(arg, &in); err != nil {
				return s, fmt.Errorf("workflows: schedule %s: decode its scan input: %w", id, err)
			}
		case ScanInput:
			in = arg
		}
		s.Targets = in.Targets
	}
	return s, nil
}

// ListSchedules returns every schedule, described, in ID order: those
// Temporal's list knows (it lags a little behind changes) and, when Store
// is set, those recorded there as they were made, so a schedule created a
// moment ago is listed. Each is described afresh (Describe does not lag).
func (c *Client) ListSchedules(ctx context.Context) ([]adscan.Schedule, error) {
	return c.ListSchedulesPage(ctx, adscan.ListPage{})
}

// ListSchedulesPage is ListSchedules from after p.After (a schedule
// cursor), at most p.Limit schedules (0: all). Listing the IDs is one
// Temporal list and one store query; only the schedules of the page are
// described (one call each). EINVALID for a negative limit or another
// list's cursor.
func (c *Client) ListSchedulesPage(ctx context.Context, p adscan.ListPage) ([]adscan.Schedule, error) {
	switch {
	case p.Limit < 0:
		return nil, adscan.Errorf(adscan.EINVALID, "schedule list: limit %d is negative", p.Limit)
	case p.After != nil && p.After.List != adscan.ScheduleList:
		return nil, adscan.Errorf(adscan.EINVALID, "schedule list: the cursor is one of the %s list", p.After.List)
	}
	ids, err := c.scheduleIDs(ctx)
	if err != nil {
		return nil, err
	}
	if p.After != nil {
		i, _ := slices.BinarySearch(ids, p.After.ID)
		for i < len(ids) && ids[i] <= p.After.ID {
			i++
		}
		ids = ids[i:]
	}
	out := []adscan.Schedule{}
	for _, id := range ids {
		if p.Limit > 0 && len(out) == p.Limit {
			break
		}
		s, err := c.GetSchedule(ctx, id)
		if adscan.ErrorCode(err) == adscan.ENOTFOUND {
			if c.Store != nil {
				_ = c.Store.RemoveScheduleID(ctx, id) // deleted elsewhere
			}
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// scheduleIDs returns the IDs of every schedule Temporal's list or the
// store knows, sorted, without duplicates.
func (c *Client) scheduleIDs(ctx context.Context) ([]string, error) {
	it, err := c.Temporal.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, scheduleError("list", "", err)
	}
	seen := map[string]bool{}
	var ids []string
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, scheduleError("list", "", err)
		}
		if !seen[e.ID] {
			seen[e.ID] = true
			ids = append(ids, e.ID)
		}
	}
	if c.Store != nil {
		known, err := c.Store.ListScheduleIDs(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range known {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// PauseSchedule pauses a schedule; a note replaces the schedule's note
// (say why), no note keeps it. ENOTFOUND if there is none.
func (c *Client) PauseSchedule(ctx context.Context, id, note string) error {
	return c.onSchedule(ctx, "pause", id, func(h client.ScheduleHandle) error {
		return setPaused(ctx, h, true, note)
	})
}

// UnpauseSchedule resumes a schedule; a note replaces the schedule's note,
// no note keeps it. ENOTFOUND if there is none.
func (c *Client) UnpauseSchedule(ctx context.Context, id, note string) error {
	return c.onSchedule(ctx, "unpause", id, func(h client.ScheduleHandle) error {
		return setPaused(ctx, h, false, note)
	})
}

// setPaused pauses or resumes a schedule by an update of its state rather
// than the SDK's Pause and Unpause, which, given no note, write "Paused via
// Go SDK" over the one the schedule was created with.
func setPaused(ctx context.Context, h client.ScheduleHandle, paused bool, note string) error {
	return h.Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			sc := in.Description.Schedule
			if sc.State == nil {
				sc.State = &client.ScheduleState{}
			}
			sc.State.Paused = paused
			if note != "" {
				sc.State.Note = note
			}
			return &client.ScheduleUpdate{Schedule: &sc}, nil
		},
	})
}

// TriggerSchedule starts a run of the schedule now (skipped, by the overlap
// policy, if a run is going). ENOTFOUND if there is no such schedule.
func (c *Client) TriggerSchedule(ctx context.Context, id string) error {
	return c.onSchedule(ctx, "trigger", id, func(h client.ScheduleHandle) error {
		return h.Trigger(ctx, client.ScheduleTriggerOptions{})
	})
}

// DeleteSchedule deletes a schedule; runs already started go on. ENOTFOUND
// if there is no such schedule.
func (c *Client) DeleteSchedule(ctx context.Context, id string) error {
	err := c.onSchedule(ctx, "delete", id, func(h client.ScheduleHandle) error {
		return h.Delete(ctx)
	})
	if c.Store != nil && (err == nil || adscan.ErrorCode(err) == adscan.ENOTFOUND) {
		if rerr := c.Store.RemoveScheduleID(ctx, id); rerr != nil && err == nil {
			return rerr
		}
	}
	return err
}

func (c *Client) onSchedule(ctx context.Context, action, id string, do func(client.ScheduleHandle) error) error {
	if id == "" {
		return adscan.Errorf(adscan.EINVALID, "empty schedule ID")
	}
	if err := do(c.Temporal.ScheduleClient().GetHandle(ctx, id)); err != nil {
		return scheduleError(action, id, err)
	}
	return nil
}

// scheduleError maps a schedule call's error; a missing schedule is
// ENOTFOUND naming it.
func scheduleError(action, id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return adscan.Errorf(adscan.ENOTFOUND, "schedule %s not found", id)
	}
	what := action + " schedules"
	if id != "" {
		what = action + " schedule " + id
	}
	return temporalError(what, err)
}
