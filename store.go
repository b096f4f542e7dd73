package adscan

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
)

// CaseFilter selects cases for listing. Zero fields match everything.
type CaseFilter struct {
	ScanID   string
	State    CaseState
	Category Category
	Target   string
	// Search keeps cases whose URL, target URL, target name or evidence
	// text contains it (case-insensitive for ASCII).
	Search string
	// Region keeps cases of targets registered in that region.
	Region string
	// Assignee keeps the cases assigned to that user.
	Assignee string
	// CreatedFrom and CreatedBefore keep cases created in [From, Before);
	// zero times do not limit.
	CreatedFrom, CreatedBefore time.Time
	// Oldest lists oldest first (After then means newer than the cursor).
	Oldest bool
	// After, when set, keeps the cases that come after this one in the
	// list's order (newest first): keyset pagination, stable while new
	// cases arrive. Use it rather than Offset.
	After *CaseCursor
	Limit int // 0 means the store's default (100)
	// Offset skips cases; kept for old clients of the API.
	Offset int
}

// CaseCursor is a case's place in a case list: its creation time and ID.
type CaseCursor struct {
	CreatedAt time.Time
	ID        string
}

// Cursor returns the case's place in a case list, to ask for the cases
// after it (CaseFilter.After).
func (c Case) Cursor() *CaseCursor { return &CaseCursor{CreatedAt: c.CreatedAt, ID: c.ID} }

// FindingsInput is what a site scan records for one flagged page: the capture
// that showed it and the flags the classifier raised.
type FindingsInput struct {
	ScanID    string
	Target    string // the target's seed URL
	URL       string // the page's final URL, normalised; with Target it keys the case
	CaptureID string
	Flags     []Flag
	Lexicon   LexiconRef
}

// PageBatch is a run of a crawl's pages to store at once (see
// Store.RecordPages), with the scan progress they make.
type PageBatch struct {
	ScanID string
	Target string // the target's seed URL
	Pages  []BatchPage
	// Pages and Errors are added to the scan's counters (AddScanProgress).
	AddPages, AddErrors int
}

// BatchPage is one page of a PageBatch: a fetched page's capture (with
// Flags, its findings), or a failed page's Error.
type BatchPage struct {
	Capture Capture
	URL     string // the page's final URL, normalised: the case key with the target
	Flags   []Flag
	Lexicon LexiconRef
	Error   *ScanError
}

// PageRecorded is what Store.RecordPages did with one page.
type PageRecorded struct {
	CaptureID string
	// Case is the case of a flagged page (ID and state), Created whether
	// this batch made it.
	Case    *Case
	Created bool
	// Refused is why the store refused the page as invalid (EINVALID); the
	// page was recorded as a scan error instead.
	Refused error
}

// Store keeps targets, scans, captures, cases, users, referrals and the audit
// log. Implementations: store.Open for SQLite and PostgreSQL.
//
// Errors are *Error with ENOTFOUND for a missing thing, ECONFLICT for a state
// that does not allow the change and EINVALID for bad input.
type Store interface {
	PageStore

	// UpsertTarget adds a target or updates the one with the same URL.
	UpsertTarget(ctx context.Context, t Target) (Target, error)
	// SaveTarget adds a target or updates the one with its URL (only
	// row.Columns), audited as by; it returns the target as saved and
	// whether it was added.
	SaveTarget(ctx context.Context, row TargetRow, by string) (Target, bool, error)
	// UpsertTargets saves many targets in one transaction (all or
	// nothing), audited as by; it returns how many were added and updated.
	// A row updating a registered target changes only its Columns.
	UpsertTargets(ctx context.Context, rows []TargetRow, by string) (added, updated int, err error)
	ListTargets(ctx context.Context) ([]Target, error)
	// ListTargetSummaries is every target with its open cases and last fetch.
	ListTargetSummaries(ctx context.Context) ([]TargetSummary, error)

	// CreateScan stores a new scan; its ID must be set and unique.
	CreateScan(ctx context.Context, s Scan) error
	// GetScan returns ENOTFOUND if there is no scan with that ID.
	GetScan(ctx context.Context, id string) (Scan, error)
	ListScans(ctx context.Context, limit int) ([]Scan, error)
	// AddScanProgress adds pages and errors to a scan's counters.
	AddScanProgress(ctx context.Context, id string, pages, errors int) error
	// AddScanError records why a page of a scan failed (once per page).
	AddScanError(ctx context.Context, e ScanError) error
	// ListScanErrors returns up to limit of a scan's failed pages.
	ListScanErrors(ctx context.Context, scanID string, limit int) ([]ScanError, error)
	// RecordScanSite saves (or replaces) how one target's crawl in a scan
	// went; GetScan returns them as Scan.Sites.
	RecordScanSite(ctx context.Context, scanID string, site ScanSite) error
	// FinishScan sets a scan's final status (and error text for a failure).
	FinishScan(ctx context.Context, id string, status ScanStatus, errText string) error

	// PutCapture stores a capture and returns its ID. It is idempotent: the
	// same (scan, requested URL, body digest) returns the existing ID.
	PutCapture(ctx context.Context, c Capture) (string, error)
	// GetCapture returns ENOTFOUND if there is no such capture. WARC is included.
	GetCapture(ctx context.Context, id string) (Capture, error)

	// RecordPages stores a batch of a crawl's pages in one transaction:
	// each capture (PutCapture), the findings of each flagged page
	// (RecordFindings), each failed page's scan error (AddScanError) and
	// the batch's progress (AddScanProgress) — all or nothing, and, like
	// each of those, idempotent when the batch is stored again. A page the
	// store refuses as invalid is recorded as a scan error of kind invalid
	// and the rest go on. It returns one PageRecorded per page, in order.
	RecordPages(ctx context.Context, b PageBatch) ([]PageRecorded, error)
	// RecordFindings creates the case for (Target, URL) or adds a sighting and
	// new findings to the existing one. Idempotent: recording the same
	// capture twice changes nothing. Reports whether the case is new.
	RecordFindings(ctx context.Context, in FindingsInput) (c Case, created bool, err error)
	// GetCase returns the case with findings, sightings, decision and audit trail.
	GetCase(ctx context.Context, id string) (Case, error)
	// CaseState returns the state of a case alone (one query where GetCase
	// makes six): what a review workflow reads when it starts.
	CaseState(ctx context.Context, id string) (CaseState, error)
	// ListCases returns the cases f keeps, newest first (oldest first with Oldest; without findings,
	// sightings or audit; with categories).
	ListCases(ctx context.Context, f CaseFilter) ([]Case, error)
	// CountCases returns how many cases f keeps, ignoring its After,
	// Limit and Offset.
	CountCases(ctx context.Context, f CaseFilter) (int, error)
	// CountCasesByState returns how many cases f keeps in each state,
	// ignoring its State, After, Limit and Offset.
	CountCasesByState(ctx context.Context, f CaseFilter) (map[CaseState]int, error)
	// AssignCases makes assignee ("" for nobody) the one working on the
	// cases, audited as by, in one transaction.
	AssignCases(ctx context.Context, ids []string, assignee, by string) (int, error)
	// DecideCase applies a reviewer's decision. ECONFLICT if the case's state
	// does not allow it (see CaseState.Allows); EINVALID for an unknown decision.
	DecideCase(ctx context.Context, id string, d CaseDecision) (Case, error)
	// SetCaseState moves a case (used by workflows: SLA escalation, referred).
	SetCaseState(ctx context.Context, id string, state CaseState, actor, detail string) error

	// SaveReferral stores (or replaces, by case) the referral of a case.
	SaveReferral(ctx context.Context, r Referral) error
	// Dashboard sums up the review at now: the last weeks weeks, open
	// cases older than sla overdue.
	Dashboard(ctx context.Context, now time.Time, sla time.Duration, weeks int) (Dashboard, error)
	// NoteReferralAttempt records a delivery attempt that failed and will
	// be retried; ClearReferralAttempts forgets them (at a give-up).
	NoteReferralAttempt(ctx context.Context, caseID, errText string, at time.Time) error
	ClearReferralAttempts(ctx context.Context, caseID string) error
	// GetReferral returns ENOTFOUND if the case has no referral yet.
	GetReferral(ctx context.Context, caseID string) (Referral, error)
	// ListReferrals returns the confirmed and referred cases with their
	// referral's delivery, most recently changed first, up to limit (1 to
	// 1000); failed ones only if onlyFailed.
	ListReferrals(ctx context.Context, limit int, onlyFailed bool) ([]ReferralStatus, error)

	// ActiveLexicon returns the newest stored lexicon version (ENOTFOUND:
	// none); ListLexiconVersions all, newest first, without YAML;
	// GetLexiconVersion one with its YAML.
	ActiveLexicon(ctx context.Context) (LexiconVersion, error)
	ListLexiconVersions(ctx context.Context) ([]LexiconVersion, error)
	GetLexiconVersion(ctx context.Context, id int64) (LexiconVersion, error)
	// AddAllowProposal records a reviewer's allow-list proposal.
	AddAllowProposal(ctx context.Context, p AllowProposal) (int64, error)
	// ListAllowProposals returns proposals in a state ("" for all).
	ListAllowProposals(ctx context.Context, state ProposalState) ([]AllowProposal, error)
	// DecideAllowProposal approves (storing next as the newest lexicon
	// version) or rejects a pending proposal, in one transaction.
	DecideAllowProposal(ctx context.Context, id int64, approve bool, by string, next *LexiconVersion) (AllowProposal, error)

	// PutProfile registers a platform profile or replaces the one with its
	// name (audited as p.CreatedBy), reporting whether it is new;
	// GetProfile returns one with its YAML (ENOTFOUND: none of that
	// name); ListProfiles all by name.
	PutProfile(ctx context.Context, p PlatformProfile) (PlatformProfile, bool, error)
	GetProfile(ctx context.Context, name string) (PlatformProfile, error)
	ListProfiles(ctx context.Context) ([]PlatformProfile, error)
	// ListRegions returns the distinct non-empty regions (区) of the
	// register's targets, sorted.
	ListRegions(ctx context.Context) ([]string, error)

	// AddScheduleID, RemoveScheduleID and ListScheduleIDs keep the IDs of
	// the schedules made through adscan, for a list that does not lag.
	AddScheduleID(ctx context.Context, id, by string) error
	RemoveScheduleID(ctx context.Context, id string) error
	ListScheduleIDs(ctx context.Context) ([]string, error)

	// Audit appends to the audit log.
	Audit(ctx context.Context, e AuditEntry) error

	// CreateUser adds a user and the audit entry saying who (by) created
	// it, in one transaction. ECONFLICT if the name is taken.
	CreateUser(ctx context.Context, u User, by string) error
	// CreateSession records a console session (id: a digest of its
	// secret) of a user, made at now, lasting until expires.
	CreateSession(ctx context.Context, id, user string, now, expires time.Time) error
	// SessionActive reports whether the session exists for that user, is
	// not expired at now and was not ended.
	SessionActive(ctx context.Context, id, user string, now time.Time) (bool, error)
	// EndSession ends one session; EndUserSessions every session of a user.
	EndSession(ctx context.Context, id string) error
	EndUserSessions(ctx context.Context, user string) (int, error)
	// UpdateUser applies an admin's change (by) to a user, audits it and
	// ends the user's sessions; ENOTFOUND for an unknown user.
	UpdateUser(ctx context.Context, name string, c UserChange, by string) (User, error)
	// GetUser returns ENOTFOUND if there is no such user.
	GetUser(ctx context.Context, name string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)

	Close() error
}

// String encodes the cursor for a URL: opaque, URL-safe, and read back by
// ParseCaseCursor.
func (c CaseCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + " " + c.ID))
}

// ParseCaseCursor reads a cursor made by CaseCursor.String. EINVALID,
// naming s, for anything else.
func ParseCaseCursor(s string) (*CaseCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		at, id, ok := strings.Cut(string(b), " ")
		if t, terr := time.Parse(time.RFC3339Nano, at); ok && terr == nil && id != "" {
			return &CaseCursor{CreatedAt: t, ID: id}, nil
		}
	}
	return nil, Errorf(EINVALID, "%q is not a case list cursor (use the one a list gave as next)", s)
}
