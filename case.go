package adscan

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Target is a website in the regulator's register.
type Target struct {
	ID        string     `json:"id"`
	URL       string     `json:"url"` // the seed URL; its host is the target's site
	Name      string     `json:"name,omitempty"`
	Region    string     `json:"region,omitempty"`
	Kind      TargetKind `json:"kind"`
	Licence   Licence    `json:"licence"`
	MaxPages  int        `json:"max_pages,omitempty"`
	MaxDepth  int        `json:"max_depth,omitempty"`
	Render    RenderMode `json:"render,omitempty"` // "" (plain fetch) or "browser"
	CreatedAt time.Time  `json:"created_at"`
}

// ScanStatus is the state of a scan.
type ScanStatus string

const (
	ScanRunning   ScanStatus = "running"
	ScanCompleted ScanStatus = "completed"
	ScanFailed    ScanStatus = "failed"
)

// Scan is one run over a list of targets.
type Scan struct {
	ID         string       `json:"id"`
	Status     ScanStatus   `json:"status"`
	Targets    []ScanTarget `json:"targets"`
	Pages      int          `json:"pages"`
	Errors     int          `json:"errors"`
	Cases      int          `json:"cases"` // cases created or sighted by this scan
	Schedule   string       `json:"schedule,omitempty"`
	CreatedBy  string       `json:"created_by,omitempty"`
	StartedAt  time.Time    `json:"started_at"`
	FinishedAt *time.Time   `json:"finished_at,omitempty"`
	Error      string       `json:"error,omitempty"`
	// Sites is how each target's crawl went, once it has run (GetScan only).
	Sites []ScanSite `json:"sites,omitempty"`
}

// ScanSite is the pace of one target's crawl in a scan, as of its last
// attempt: with Seconds and PolitenessWaitSeconds an operator tells a slow
// site (the time went to waiting for the host's turn or to slow answers)
// from a slow worker.
type ScanSite struct {
	Target  string `json:"target"`
	Pages   int    `json:"pages"`
	Errors  int    `json:"errors"`
	Retried int    `json:"retried"` // fetches put back to retry later
	// Seconds is the crawl's duration, summed over resumptions;
	// PolitenessWaitSeconds the part of its fetches' time spent waiting
	// for the host's turn (its crawl delay, other crawls of the host).
	Seconds               float64   `json:"seconds"`
	PolitenessWaitSeconds float64   `json:"politeness_wait_seconds"`
	PagesPerSecond        float64   `json:"pages_per_second"` // Pages / Seconds (0 before it took any time)
	Done                  bool      `json:"done"`             // false: the crawl failed or is being retried
	UpdatedAt             time.Time `json:"updated_at"`
}

// Pace returns pages / seconds, 0 before the crawl took any time.
func Pace(pages int, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(pages) / seconds
}

// ScanTarget is one target of a scan with its limits: a site (URL), or a
// platform profile (Profile; the orchestrator sets URL to the profile's
// site and Render to its render mode when the scan starts).
type ScanTarget struct {
	URL      string `json:"url,omitempty"`
	Profile  string `json:"profile,omitempty"`
	MaxPages int    `json:"max_pages,omitempty"`
	MaxDepth int    `json:"max_depth,omitempty"`
	// Render is how its pages are fetched: "" plainly, "browser" rendered
	// in headless Chromium (see RenderMode).
	Render RenderMode `json:"render,omitempty"`
}

// Capture is the evidence of one fetched page: what was asked for, what was
// served and when. Captures are immutable once stored.
type Capture struct {
	ID           string      `json:"id"`
	ScanID       string      `json:"scan_id,omitempty"`
	Target       string      `json:"target"` // the target's seed URL
	RequestedURL string      `json:"requested_url"`
	FinalURL     string      `json:"final_url"`
	Redirects    []string    `json:"redirects,omitempty"`
	Status       int         `json:"status"`
	Header       http.Header `json:"header,omitempty"`
	FetchedAt    time.Time   `json:"fetched_at"`
	BodySHA256   string      `json:"body_sha256"` // hex SHA-256 of the raw body as served
	BodySize     int64       `json:"body_size"`
	// Truncated says the body was cut at the crawler's size cap: BodySize
	// and BodySHA256 are of the kept bytes only.
	Truncated  bool   `json:"truncated,omitempty"`
	Text       string `json:"text"`        // extracted text; evidence offsets index into it
	TextSHA256 string `json:"text_sha256"` // hex SHA-256 of Text
	// WARC is a WARC/1.1 response record of the raw response; kept for
	// flagged pages only. For a page rendered in a browser a resource
	// record of the rendered DOM follows it.
	WARC    []byte     `json:"-"`
	Lexicon LexiconRef `json:"lexicon"`
	// Rendered says the page was rendered in a browser: Text is the
	// rendered DOM's visible text, BodySHA256 still of the body as served.
	Rendered bool `json:"rendered,omitempty"`
	// Screenshot is the picture of a flagged page, taken in the browser
	// when it was flagged; nil when there is none, and then
	// ScreenshotError says why (no browser on the worker, a failure), in
	// the worker's words, and ScreenshotErrorKind as a code.
	Screenshot          *Screenshot         `json:"screenshot,omitempty"`
	ScreenshotError     string              `json:"screenshot_error,omitempty"`
	ScreenshotErrorKind ScreenshotErrorKind `json:"screenshot_error_kind,omitempty"`
	// Profile is the platform profile whose scan fetched the page;
	// Advertiser who its detail page names as the advertiser, where the
	// profile says how to find it ("" when it does not, or found nobody).
	Profile    string `json:"profile,omitempty"`
	Advertiser string `json:"advertiser,omitempty"`
}

// Screenshot is a full-page PNG of a flagged page as the browser showed it.
type Screenshot struct {
	PNG    []byte `json:"-"`
	SHA256 string `json:"sha256"` // hex SHA-256 of PNG
	// Width and Height are the image's size in pixels; Truncated says the
	// page was taller than the height cap and the image stops there.
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	Truncated bool      `json:"truncated,omitempty"`
	TakenAt   time.Time `json:"taken_at"`
}

// CaptureMeta is a capture without its text, headers and WARC record: what
// was asked for and served, when, with which digests and lexicon. It is
// what a reviewer or a referral shows of the evidence behind a finding.
type CaptureMeta struct {
	ID           string     `json:"id"`
	ScanID       string     `json:"scan_id,omitempty"`
	Target       string     `json:"target"`
	RequestedURL string     `json:"requested_url"`
	FinalURL     string     `json:"final_url"`
	Redirects    []string   `json:"redirects,omitempty"`
	Status       int        `json:"status"`
	FetchedAt    time.Time  `json:"fetched_at"`
	BodySHA256   string     `json:"body_sha256"`
	BodySize     int64      `json:"body_size"`
	Truncated    bool       `json:"truncated,omitempty"` // cut at the size cap after BodySize bytes
	TextSHA256   string     `json:"text_sha256"`
	WARCSHA256   string     `json:"warc_sha256,omitempty"` // of the WARC record, when one was kept
	Lexicon      LexiconRef `json:"lexicon"`
	Rendered     bool       `json:"rendered,omitempty"`
	// Screenshot is the screenshot's digest, size and time (not the
	// image); ScreenshotError and ScreenshotErrorKind why there is none.
	Screenshot          *Screenshot         `json:"screenshot,omitempty"`
	ScreenshotError     string              `json:"screenshot_error,omitempty"`
	ScreenshotErrorKind ScreenshotErrorKind `json:"screenshot_error_kind,omitempty"`
	Profile             string              `json:"profile,omitempty"`
	Advertiser          string              `json:"advertiser,omitempty"`
}

// Meta returns the capture's metadata, with the SHA-256 of its WARC record.
func (c Capture) Meta() CaptureMeta {
	m := CaptureMeta{
		ID: c.ID, ScanID: c.ScanID, Target: c.Target,
		RequestedURL: c.RequestedURL, FinalURL: c.FinalURL, Redirects: c.Redirects,
		Status: c.Status, FetchedAt: c.FetchedAt,
		BodySHA256: c.BodySHA256, BodySize: c.BodySize, Truncated: c.Truncated, TextSHA256: c.TextSHA256,
		Lexicon: c.Lexicon, Rendered: c.Rendered, ScreenshotError: c.ScreenshotError, ScreenshotErrorKind: c.ScreenshotErrorKind,
		Profile: c.Profile, Advertiser: c.Advertiser,
	}
	if c.Screenshot != nil {
		shot := *c.Screenshot
		shot.PNG = nil
		m.Screenshot = &shot
	}
	if len(c.WARC) > 0 {
		sum := sha256.Sum256(c.WARC)
		m.WARCSHA256 = hex.EncodeToString(sum[:])
	}
	return m
}

// CaseState is where a case is in review.
type CaseState string

const (
	CaseOpen      CaseState = "open"      // flagged, waiting for a reviewer
	CaseEscalated CaseState = "escalated" // sent up by a reviewer or by the SLA timer
	CaseConfirmed CaseState = "confirmed" // a reviewer confirmed it; referral pending
	CaseReferred  CaseState = "referred"  // the referral package was delivered
	CaseDismissed CaseState = "dismissed" // closed as not a violation
)

// CaseStates lists every case state in review order.
var CaseStates = []CaseState{CaseOpen, CaseEscalated, CaseConfirmed, CaseReferred, CaseDismissed}

// Valid reports whether s is one of CaseStates.
func (s CaseState) Valid() bool {
	for _, k := range CaseStates {
		if s == k {
			return true
		}
	}
	return false
}

// JoinCaseStates names the states for messages: "open, escalated, …".
func JoinCaseStates() string {
	names := make([]string, len(CaseStates))
	for i, s := range CaseStates {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Decision is what a reviewer decides about a case.
type Decision string

const (
	DecisionConfirm  Decision = "confirm"
	DecisionDismiss  Decision = "dismiss"
	DecisionEscalate Decision = "escalate"
)

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool {
	return d == DecisionConfirm || d == DecisionDismiss || d == DecisionEscalate
}

// Undecided reports whether a case in state s still awaits a reviewer's
// decision: open, or escalated for a second look.
func (s CaseState) Undecided() bool { return s == CaseOpen || s == CaseEscalated }

// Allows reports whether a case in state s can take decision d:
// open and escalated cases can be confirmed or dismissed; only open ones escalated.
func (s CaseState) Allows(d Decision) bool {
	switch d {
	case DecisionConfirm, DecisionDismiss:
		return s.Undecided()
	case DecisionEscalate:
		return s == CaseOpen
	}
	return false
}

// Case is one page (URL) of one target with its findings. Later scans that
// see the page again add sightings to the same case.
type Case struct {
	ID       string    `json:"id"`
	Target   string    `json:"target"`
	URL      string    `json:"url"`
	State    CaseState `json:"state"`
	Assignee string    `json:"assignee,omitempty"` // who is working on it
	// Profile is the platform profile whose scan found the page, and
	// Advertiser who the page names as the advertiser (the latest capture
	// that named one); "" for pages of other targets.
	Profile    string        `json:"profile,omitempty"`
	Advertiser string        `json:"advertiser,omitempty"`
	Categories []Category    `json:"categories"`
	Findings   []Finding     `json:"findings,omitempty"`
	Sightings  []Sighting    `json:"sightings,omitempty"`
	Audit      []AuditEntry  `json:"audit,omitempty"`
	Decision   *CaseDecision `json:"decision,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

// Finding is one flagged category of a case, from the capture that showed it.
type Finding struct {
	Category  Category   `json:"category"`
	Score     float64    `json:"score"`
	Basis     string     `json:"basis"`
	Evidence  []Evidence `json:"evidence"`
	CaptureID string     `json:"capture_id"`
	Lexicon   LexiconRef `json:"lexicon"`
}

// Sighting records that a scan saw the case's page (again).
type Sighting struct {
	ScanID     string    `json:"scan_id"`
	CaptureID  string    `json:"capture_id"`
	BodySHA256 string    `json:"body_sha256"`
	SeenAt     time.Time `json:"seen_at"`
}

// CaseDecision is the reviewer's decision on a case.
type CaseDecision struct {
	Decision  Decision  `json:"decision"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	DecidedAt time.Time `json:"decided_at"`
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	ID     int64       `json:"id"`
	CaseID string      `json:"case_id,omitempty"`
	Actor  string      `json:"actor"` // a user name, or "system"
	Action AuditAction `json:"action"`
	Detail string      `json:"detail,omitempty"`
	At     time.Time   `json:"at"`
}

// Referral is the package handed to market supervision for a confirmed case.
type Referral struct {
	CaseID      string     `json:"case_id"`
	SHA256      string     `json:"sha256"` // of Package
	Package     []byte     `json:"-"`      // the JSON package as delivered
	Destination string     `json:"destination"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Role is what a user may do. Each role includes those below it:
// admin > regulator > reviewer > viewer.
type Role string

const (
	RoleAdmin     Role = "admin"
	RoleRegulator Role = "regulator"
	RoleReviewer  Role = "reviewer"
	RoleViewer    Role = "viewer"
)

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 4
	case RoleRegulator:
		return 3
	case RoleReviewer:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r includes the rights of min.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// User is a person who signs in to the console or the API.
type User struct {
	Name         string `json:"name"`
	Role         Role   `json:"role"`
	PasswordHash string `json:"-"`
	// Disabled users cannot sign in; disabling ends their sessions.
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// UserChange is what an admin changes of a user; nil fields stay.
type UserChange struct {
	Role         *Role
	Disabled     *bool
	PasswordHash *string // a new password's hash (see accounts.HashPassword)
}

// ReferralDelivery is where the referral of a confirmed case stands.
type ReferralDelivery string

const (
	ReferralPending   ReferralDelivery = "pending"   // confirmed; delivery under way (or not yet tried)
	ReferralDelivered ReferralDelivery = "delivered" // the package reached its destination
	ReferralFailed    ReferralDelivery = "failed"    // delivery gave up; a regulator may retry
)

// ReferralStatus is a confirmed or referred case with its referral's
// delivery: what /referrals lists.
type ReferralStatus struct {
	CaseID     string           `json:"case_id"`
	Target     string           `json:"target"`
	URL        string           `json:"url"`
	State      CaseState        `json:"state"`
	Delivery   ReferralDelivery `json:"delivery"`
	Categories []Category       `json:"categories"`
	// Destination, SHA256 and DeliveredAt are set once delivered.
	Destination string     `json:"destination,omitempty"`
	SHA256      string     `json:"sha256,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	// Failures counts the deliveries that gave up; FailedAttempts the
	// attempts that failed and are being retried since the last give-up
	// (a pending referral with some is waiting on its endpoint). LastError
	// is the reason of the last failure of either kind, at LastFailedAt.
	Failures       int        `json:"failures"`
	FailedAttempts int        `json:"failed_attempts"`
	LastError      string     `json:"last_error,omitempty"`
	LastFailedAt   *time.Time `json:"last_failed_at,omitempty"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Dashboard is the review's state at a glance: what is open, by category
// and by region; cases created and decided per week; how long decisions
// take; what is past the review SLA; who offends again.
type Dashboard struct {
	OpenByCategory []Count `json:"open_by_category"` // open cases (not escalated), by category
	OpenByRegion   []Count `json:"open_by_region"`   // open and escalated; "" for targets without a region
	Open           int     `json:"open"`             // open and escalated
	Escalated      int     `json:"escalated"`        // of Open, the escalated
	// Overdue counts open cases older than the review SLA.
	Overdue int          `json:"overdue"`
	Weeks   []WeekCounts `json:"weeks"` // oldest first
	// MedianDecision is the median time from a case's creation to its
	// decision, over the decisions of the weeks shown (Decided of them).
	MedianDecision time.Duration `json:"median_decision"`
	Decided        int           `json:"decided"`
	// RepeatOffenders are the targets with the most confirmed (or
	// referred) cases; Name is the target's register name.
	RepeatOffenders []Count `json:"repeat_offenders"`
	// Reappeared are decided cases whose page a later scan saw again.
	Reappeared []Reappearance `json:"reappeared"`
}

// Count is how many of something there are; Name is an optional label.
type Count struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	N    int    `json:"n"`
}

// WeekCounts are the cases created, confirmed and dismissed in one week
// (Monday to Sunday, China Standard Time) starting at Start.
type WeekCounts struct {
	Start     time.Time `json:"start"`
	Created   int       `json:"created"`
	Confirmed int       `json:"confirmed"`
	Dismissed int       `json:"dismissed"`
}

// Reappearance is a decided case whose page was seen again after the decision.
type Reappearance struct {
	CaseID   string    `json:"case_id"`
	URL      string    `json:"url"`
	State    CaseState `json:"state"`
	LastSeen time.Time `json:"last_seen"`
}

// TargetSummary is a target of the register with what the console shows
// beside it.
type TargetSummary struct {
	Target
	OpenCases   int        `json:"open_cases"`             // open and escalated
	LastFetched *time.Time `json:"last_fetched,omitempty"` // the last capture of any of its pages
}

// FetchErrorKind names why a page's fetch failed.
type FetchErrorKind string

const (
	FetchRefusedAddress   FetchErrorKind = "refused_address" // a private or loopback address
	FetchRobots           FetchErrorKind = "robots"          // robots.txt disallows it
	FetchRedirectLoop     FetchErrorKind = "redirect_loop"
	FetchTooManyRedirects FetchErrorKind = "too_many_redirects"
	FetchTimeout          FetchErrorKind = "timeout"
	FetchHTTPStatus       FetchErrorKind = "http_status" // a 4xx or 5xx answer
	FetchDecode           FetchErrorKind = "decode"      // the body could not be decoded
	FetchNetwork          FetchErrorKind = "network"
	FetchInvalid          FetchErrorKind = "invalid"    // the store refused what the page gave
	FetchNoBrowser        FetchErrorKind = "no_browser" // a rendered target, and no Chromium on the worker
	FetchBrowser          FetchErrorKind = "browser"    // the browser crashed, hung or was kept busy by the page
	FetchOther            FetchErrorKind = "other"
)

// ScreenshotErrorKind names why a flagged page has no screenshot.
type ScreenshotErrorKind string

const (
	ScreenshotNoBrowser     ScreenshotErrorKind = "no_browser"     // no Chromium on the worker
	ScreenshotOff           ScreenshotErrorKind = "off"            // the worker takes none of plainly crawled pages
	ScreenshotRobots        ScreenshotErrorKind = "robots"         // robots.txt disallows rendering the page again
	ScreenshotBadURL        ScreenshotErrorKind = "bad_url"        // the page's URL does not parse
	ScreenshotStopped       ScreenshotErrorKind = "stopped"        // the crawl was stopped first
	ScreenshotRenderFailed  ScreenshotErrorKind = "render_failed"  // rendering the page for its screenshot failed
	ScreenshotCaptureFailed ScreenshotErrorKind = "capture_failed" // the page rendered, the picture failed
)

// ScanError is a page of a scan that could not be fetched or recorded.
type ScanError struct {
	ScanID  string         `json:"scan_id"`
	Target  string         `json:"target"`
	URL     string         `json:"url"`
	Kind    FetchErrorKind `json:"kind"`
	Message string         `json:"message"`
	At      time.Time      `json:"at"`
}

// LexiconVersion is a lexicon kept in the store: the newest one is what
// workers classify with, from their next crawl on.
type LexiconVersion struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Digest    string    `json:"digest"` // hex SHA-256 of YAML
	YAML      []byte    `json:"-"`
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ProposalState is where an allow-list proposal stands.
type ProposalState string

const (
	ProposalPending  ProposalState = "pending"
	ProposalApproved ProposalState = "approved"
	ProposalRejected ProposalState = "rejected"
)

// AllowProposal is a reviewer's proposal, made when dismissing a false
// flag, to stop Phrase flagging on Site (for Categories; none: all).
type AllowProposal struct {
	ID         int64         `json:"id"`
	CaseID     string        `json:"case_id"`
	Phrase     string        `json:"phrase"`
	Site       string        `json:"site,omitempty"`
	Categories []Category    `json:"categories,omitempty"`
	Note       string        `json:"note,omitempty"`
	ProposedBy string        `json:"proposed_by"`
	ProposedAt time.Time     `json:"proposed_at"`
	State      ProposalState `json:"state"`
	DecidedBy  string        `json:"decided_by,omitempty"`
	DecidedAt  *time.Time    `json:"decided_at,omitempty"`
	// LexiconDigest names the lexicon version an approval made.
	LexiconDigest string `json:"lexicon_digest,omitempty"`
}
