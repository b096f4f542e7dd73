package workflows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"adscan"
	"adscan/crawler"
)

// Client is the Temporal implementation of adscan.Orchestrator.
type Client struct {
	Temporal client.Client
	Store    adscan.Store
	// AllowPrivate lets scans and schedules target private, loopback and
	// link-local addresses.
	AllowPrivate bool
	// MaxConcurrent bounds each scan's concurrent site scans (default 4).
	MaxConcurrent int
	// ReviewSLA is the SLA of review workflows Decide has to start (default 72h).
	ReviewSLA time.Duration
	// CrawlHeartbeatTimeout is the crawl heartbeat timeout of the scans it
	// starts (see ScanInput; default 30 s).
	CrawlHeartbeatTimeout time.Duration
	// DecideTimeout bounds how long Decide waits for the review workflow to
	// apply a decision (default 30 s; no worker → EUNAVAILABLE).
	DecideTimeout time.Duration
	Now           func() time.Time // default time.Now
	NewID         func() string    // default: "scan-" + time + random
}

var _ adscan.Orchestrator = (*Client)(nil)

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) newScanID() string {
	if c.NewID != nil {
		return c.NewID()
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "scan-" + c.now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// StartScan validates the targets (EINVALID naming the first bad one), starts
// the scan's ScanWorkflow (workflow ID = scan ID) and records the scan as
// running. Nothing is written when Temporal cannot be reached (EUNAVAILABLE).
func (c *Client) StartScan(ctx context.Context, req adscan.ScanRequest) (adscan.Scan, error) {
	req.Targets = trimTargets(req.Targets)
	if err := ValidateTargets(req.Targets, c.AllowPrivate); err != nil {
		return adscan.Scan{}, err
	}
	id := c.newScanID()
	in := ScanInput{ScanID: id, CreatedBy: req.CreatedBy, Targets: req.Targets, MaxConcurrent: c.MaxConcurrent,
		CrawlHeartbeatTimeout: c.CrawlHeartbeatTimeout}
	_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, ScanWorkflowName, in)
	if err != nil {
		return adscan.Scan{}, temporalError("start scan "+id, err)
	}
	scan := adscan.Scan{
		ID: id, Status: adscan.ScanRunning, Targets: req.Targets, CreatedBy: req.CreatedBy, StartedAt: c.now(),
	}
	err = c.Store.CreateScan(ctx, scan)
	if adscan.ErrorCode(err) == adscan.ECONFLICT {
		// The workflow's RecordScanStart got there first.
		return c.Store.GetScan(ctx, id)
	}
	// Any other failure: the workflow records the scan itself, so it is
	// started all the same.
	return scan, nil
}

// trimTargets returns a copy of targets with spaces trimmed off their URLs.
func trimTargets(targets []adscan.ScanTarget) []adscan.ScanTarget {
	out := make([]adscan.ScanTarget, len(targets))
	for i, t := range targets {
		t.URL = strings.TrimSpace(t.URL)
		out[i] = t
	}
	return out
}

// ValidateTargets checks a scan's targets: at least one; each an absolute
// http(s) URL with a host; no private, loopback, link-local or unspecified
// literal address (nor "localhost") unless allowPrivate; no negative limits.
// The error is EINVALID naming the URL.
func ValidateTargets(targets []adscan.ScanTarget, allowPrivate bool) error {
	if len(targets) == 0 {
		return adscan.Errorf(adscan.EINVALID, "a scan needs at least one target")
	}
	for _, t := range targets {
		if err := validateTarget(t, allowPrivate); err != nil {
			return err
		}
	}
	return nil
}

func validateTarget(t adscan.ScanTarget, allowPrivate bool) error {
	u, err := url.Parse(strings.TrimSpace(t.URL))
	if err != nil {
		return adscan.Errorf(adscan.EINVALID, "target %q is not a URL: %v", t.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return adscan.Errorf(adscan.EINVALID, "target %q: the URL must start with http:// or https://", t.URL)
	}
	host := u.Hostname()
	if host == "" {
		return adscan.Errorf(adscan.EINVALID, "target %q has no host", t.URL)
	}
	if t.MaxPages < 0 || t.MaxDepth < 0 {
		return adscan.Errorf(adscan.EINVALID, "target %q: max_pages and max_depth cannot be negative", t.URL)
	}
	if t.MaxPages > MaxTargetPages || t.MaxDepth > MaxTargetDepth {
		return adscan.Errorf(adscan.EINVALID, "target %q: max_pages is at most %d and max_depth at most %d", t.URL, MaxTargetPages, MaxTargetDepth)
	}
	if allowPrivate {
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return adscan.Errorf(adscan.EINVALID, "target %q is a loopback host; private targets are not allowed", t.URL)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := crawler.CheckPublicAddress(ip); err != nil {
			return adscan.Errorf(adscan.EINVALID, "target %q: %v; private targets are not allowed", t.URL, err)
		}
	}
	return nil
}

// Limits of one target of a scan: a crawl's memory and checkpoint grow
// with its pages, and no institution's site needs more.
const (
	MaxTargetPages = 10000
	MaxTargetDepth = 50
)

// Decide hands the decision to the case's review workflow (an Update that
// waits until the decision is applied) and returns the case from the store.
// Errors: EINVALID for an unknown decision or no reviewer name; ECONFLICT for
// a decision the case's state does not allow (also for a closed case, whose
// review has ended); ENOTFOUND for an unknown case; EUNAVAILABLE when Temporal
// or the workers do not answer.
func (c *Client) Decide(ctx context.Context, caseID string, d adscan.CaseDecision) (adscan.Case, error) {
	if !d.Decision.Valid() {
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "unknown decision %q: want confirm, dismiss or escalate", d.Decision)
	}
	if strings.TrimSpace(d.By) == "" {
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "a decision needs the reviewer's name")
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = c.now()
	}
	timeout := c.DecideTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := c.update(ctx, caseID, d)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// No running review: the case is closed, unknown, or lost its
		// workflow (then start it and try again).
		cs, gerr := c.Store.GetCase(ctx, caseID)
		if gerr != nil {
			return adscan.Case{}, gerr
		}
		if cs.State != adscan.CaseOpen && cs.State != adscan.CaseEscalated {
			return adscan.Case{}, adscan.Errorf(adscan.ECONFLICT, "case %s is %s; it cannot take the decision %s", caseID, cs.State, d.Decision)
		}
		a := &Activities{Temporal: c.Temporal, ReviewSLA: c.ReviewSLA}
		if _, serr := a.startReview(ctx, caseID); serr != nil {
			return adscan.Case{}, temporalError("start review of case "+caseID, serr)
		}
		err = c.update(ctx, caseID, d)
	}
	if err != nil {
		return adscan.Case{}, decisionError(caseID, err)
	}
	return c.Store.GetCase(ctx, caseID)
}

func (c *Client) update(ctx context.Context, caseID string, d adscan.CaseDecision) error {
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   ReviewWorkflowID(caseID),
		UpdateName:   DecisionUpdate,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var r DecisionResult
	return h.Get(ctx, &r)
}

// decisionError maps a failed decision Update to an *adscan.Error.
func decisionError(caseID string, err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case errTypeInvalid:
			return adscan.Errorf(adscan.EINVALID, "%s", appErr.Message())
		case errTypeConflict:
			return adscan.Errorf(adscan.ECONFLICT, "%s", appErr.Message())
		case errTypeNotFound:
			return adscan.Errorf(adscan.ENOTFOUND, "%s", appErr.Message())
		}
	}
	return temporalError("decide case "+caseID, err)
}

// temporalError maps an error of a Temporal call: unreachable or timed out →
// EUNAVAILABLE, unknown → ENOTFOUND, rejected argument → EINVALID; anything
// else is wrapped as is.
func temporalError(action string, err error) error {
	if err == nil {
		return nil
	}
	var (
		unavail  *serviceerror.Unavailable
		deadline *serviceerror.DeadlineExceeded
		notFound *serviceerror.NotFound
		badArg   *serviceerror.InvalidArgument
	)
	switch {
	case errors.As(err, &unavail), errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		return adscan.Errorf(adscan.EUNAVAILABLE, "%s: Temporal did not answer: %v", action, err)
	case errors.As(err, &notFound):
		return adscan.Errorf(adscan.ENOTFOUND, "%s: not found", action)
	case errors.As(err, &badArg):
		return adscan.Errorf(adscan.EINVALID, "%s: %s", action, badArg.Message)
	}
	var ae *adscan.Error
	if errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("workflows: %s: %w", action, err)
}
