package adscan

import (
	"context"
	"time"
)

// ScanRequest asks for a scan of some targets.
type ScanRequest struct {
	Targets   []ScanTarget `json:"targets"`
	CreatedBy string       `json:"created_by,omitempty"`
}

// Schedule is a regulator's recurring scan.
type Schedule struct {
	ID string `json:"id"`
	// Cron is a cron expression ("0 3 * * *"); or Interval is set instead.
	Cron     string        `json:"cron,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	// TimeZone is an IANA name; default Asia/Shanghai.
	TimeZone  string       `json:"time_zone,omitempty"`
	Targets   []ScanTarget `json:"targets"`
	Paused    bool         `json:"paused"`
	Note      string       `json:"note,omitempty"`
	NextRuns  []time.Time  `json:"next_runs,omitempty"`
	CreatedBy string       `json:"created_by,omitempty"`
}

// Orchestrator runs scans, case reviews and schedules durably. The Temporal
// implementation lives in workflows/.
//
// Errors are *Error: EINVALID for a bad request (a target URL that is not
// http(s), a private address when those are not allowed, a bad cron),
// ENOTFOUND for an unknown scan, case or schedule, ECONFLICT for a decision
// the case's state does not allow, EUNAVAILABLE when Temporal cannot be reached.
type Orchestrator interface {
	// StartScan records a new scan and starts it; it returns at once.
	StartScan(ctx context.Context, req ScanRequest) (Scan, error)
	// Decide hands a reviewer's decision to the case's review workflow and
	// returns the case as it is after the decision.
	Decide(ctx context.Context, caseID string, d CaseDecision) (Case, error)
	// RetryReferral delivers again the referral of a confirmed case whose
	// delivery failed, and returns at once. ECONFLICT if the case is not
	// confirmed, its referral was delivered, or a retry is running.
	RetryReferral(ctx context.Context, caseID, by string) error

	CreateSchedule(ctx context.Context, s Schedule) (Schedule, error)
	ListSchedules(ctx context.Context) ([]Schedule, error)
	// ListSchedulesPage returns the schedules after p.After in ID order,
	// at most p.Limit (0: all); only those are described.
	ListSchedulesPage(ctx context.Context, p ListPage) ([]Schedule, error)
	GetSchedule(ctx context.Context, id string) (Schedule, error)
	PauseSchedule(ctx context.Context, id, note string) error
	UnpauseSchedule(ctx context.Context, id, note string) error
	TriggerSchedule(ctx context.Context, id string) error
	DeleteSchedule(ctx context.Context, id string) error
}
