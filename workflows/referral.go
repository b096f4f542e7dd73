package workflows

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"adscan"
)

// ReferralFormat names the version of the referral package's JSON shape.
const ReferralFormat = "adscan-referral/1"

// ReferralPackage is the evidence bundle handed to market supervision for a
// confirmed case.
type ReferralPackage struct {
	Format      string            `json:"format"`
	GeneratedAt time.Time         `json:"generated_at"`
	Case        ReferralCase      `json:"case"`
	Findings    []adscan.Finding  `json:"findings"`
	Captures    []ReferralCapture `json:"captures"`
}

// ReferralCase is the case part of a referral package.
type ReferralCase struct {
	ID         string               `json:"id"`
	Target     string               `json:"target"`
	URL        string               `json:"url"`
	State      adscan.CaseState     `json:"state"`
	Categories []adscan.Category    `json:"categories"`
	Decision   *adscan.CaseDecision `json:"decision,omitempty"`
	Sightings  []adscan.Sighting    `json:"sightings,omitempty"`
	Audit      []adscan.AuditEntry  `json:"audit,omitempty"`
	CreatedAt  time.Time            `json:"created_at"`
	// Profile and Advertiser attribute a page a platform profile's scan
	// found: the profile, and who the page names as the advertiser.
	Profile    string `json:"profile,omitempty"`
	Advertiser string `json:"advertiser,omitempty"`
}

// ReferralCapture is the metadata of one capture a finding rests on, with
// the digests that tie it to the stored evidence. Text is the extracted text
// the findings' evidence offsets index into.
type ReferralCapture struct {
	adscan.CaptureMeta
	WARCFile string `json:"warc_file,omitempty"` // in an outbox delivery
	Text     string `json:"text"`
}

// ReferralResult is where a referral went.
type ReferralResult struct {
	SHA256      string `json:"sha256"` // of the package as delivered
	Destination string `json:"destination"`
	Bytes       int    `json:"bytes"`
}

// DeliverReferral builds the referral package of a confirmed case, delivers it (an
// HTTP POST to Referral.Endpoint, else files in Referral.OutboxDir: the
// package as <caseID>.json, each capture's WARC record as
// <caseID>-<captureID>.warc and, given a Referral.Signer, the signed WACZ
// package as <caseID>.wacz, all written atomically, the JSON last) and
// saves the referral with the package's SHA-256. A referral already delivered is returned as it
// is, so a retry never delivers twice after success. A case that is not
// confirmed, evidence whose text fails its digest, a 4xx answer or no
// destination configured are non-retryable errors; other failures retry.
func (a *Activities) DeliverReferral(ctx context.Context, caseID string) (ReferralResult, error) {
	c, err := a.Store.GetCase(ctx, caseID)
	if err != nil {
		return ReferralResult{}, activityError("workflows: get case "+caseID, err)
	}
	if c.State != adscan.CaseConfirmed && c.State != adscan.CaseReferred {
		return ReferralResult{}, invalidInput("workflows: refer case %s: it is %s, not confirmed", caseID, c.State)
	}
	if r, err := a.Store.GetReferral(ctx, caseID); err == nil && r.DeliveredAt != nil {
		return ReferralResult{SHA256: r.SHA256, Destination: r.Destination, Bytes: len(r.Package)}, nil
	} else if err != nil && adscan.ErrorCode(err) != adscan.ENOTFOUND {
		return ReferralResult{}, activityError("workflows: get referral of case "+caseID, err)
	}

	outbox := a.Referral.Endpoint == ""
	if outbox && a.Referral.OutboxDir == "" {
		return ReferralResult{}, invalidInput("workflows: refer case %s: no referral endpoint or outbox directory configured", caseID)
	}
	pkg, warcs, captures, err := a.buildReferral(ctx, c, outbox)
	if err != nil {
		return ReferralResult{}, err
	}
	if outbox && a.Referral.Signer.Key != nil {
		wacz, err := a.buildWACZ(ctx, c, captures)
		if err != nil {
			return ReferralResult{}, err
		}
		warcs = append(warcs, namedFile{name: caseID + ".wacz", data: wacz})
	}
	body, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return ReferralResult{}, fmt.Errorf("workflows: encode referral of case %s: %w", caseID, err)
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])

	var dest string
	if outbox {
		dest, err = writeOutbox(a.Referral.OutboxDir, caseID, body, warcs)
	} else {
		dest, err = a.postReferral(ctx, caseID, digest, body)
	}
	if err != nil {
		a.noteFailedAttempt(ctx, caseID, err)
		return ReferralResult{}, err
	}
	now := a.now()
	err = a.Store.SaveReferral(ctx, adscan.Referral{
		CaseID: caseID, SHA256: digest, Package: body, Destination: dest, DeliveredAt: &now, CreatedAt: now,
	})
	if err != nil {
		return ReferralResult{}, activityError("workflows: save referral of case "+caseID, err)
	}
	a.observer().ReferralDelivered()
	return ReferralResult{SHA256: digest, Destination: dest, Bytes: len(body)}, nil
}

// noteFailedAttempt records a delivery attempt that failed and will be
// retried (Store.NoteReferralAttempt), so /referrals shows a referral
// waiting on its endpoint, how often it failed and why, while Temporal
// retries it (for as long as it takes). A failure that will not be retried
// is written to the audit trail by referCase when the activity gives up.
// Best effort: the attempt's own error is what matters to Temporal.
func (a *Activities) noteFailedAttempt(ctx context.Context, caseID string, err error) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		return
	}
	attempt := int32(1)
	if activity.IsActivity(ctx) {
		attempt = activity.GetInfo(ctx).Attempt
	}
	if nerr := a.Store.NoteReferralAttempt(ctx, caseID, fmt.Sprintf("attempt %d: %v", attempt, err), a.now()); nerr != nil {
		a.logger().Warn("referral attempt not recorded", "case", caseID, "err", nerr)
	}
}

// buildReferral assembles the package and the WARC records to go with it
// (file name → record), and returns the captures it rests on.
func (a *Activities) buildReferral(ctx context.Context, c adscan.Case, outbox bool) (ReferralPackage, []namedFile, []adscan.Capture, error) {
	pkg := ReferralPackage{
		Format:      ReferralFormat,
		GeneratedAt: a.now().UTC(),
		Case: ReferralCase{
			ID: c.ID, Target: c.Target, URL: c.URL, State: c.State, Categories: c.Categories,
			Decision: c.Decision, Sightings: c.Sightings, Audit: c.Audit, CreatedAt: c.CreatedAt,
			Profile: c.Profile, Advertiser: c.Advertiser,
		},
		Findings: c.Findings,
	}
	var warcs []namedFile
	var captures []adscan.Capture
	seen := map[string]bool{}
	for _, f := range c.Findings {
		if f.CaptureID == "" || seen[f.CaptureID] {
			continue
		}
		seen[f.CaptureID] = true
		cp, err := a.Store.GetCapture(ctx, f.CaptureID)
		if err != nil {
			return pkg, nil, nil, activityError("workflows: get capture "+f.CaptureID, err)
		}
		textSum := sha256.Sum256([]byte(cp.Text))
		textDigest := hex.EncodeToString(textSum[:])
		if cp.TextSHA256 != "" && !strings.EqualFold(cp.TextSHA256, textDigest) {
			return pkg, nil, nil, invalidInput("workflows: refer case %s: capture %s text does not match its SHA-256 %s", c.ID, cp.ID, cp.TextSHA256)
		}
		rc := ReferralCapture{CaptureMeta: cp.Meta(), Text: cp.Text}
		rc.TextSHA256 = textDigest
		if len(cp.WARC) > 0 {
			if outbox {
				rc.WARCFile = fmt.Sprintf("%s-%s.warc", c.ID, cp.ID)
				warcs = append(warcs, namedFile{name: rc.WARCFile, data: cp.WARC})
			}
		}
		pkg.Captures = append(pkg.Captures, rc)
		captures = append(captures, cp)
	}
	return pkg, warcs, captures, nil
}

type namedFile struct {
	name string
	data []byte
}

// writeOutbox writes the WARC records (and WACZ), then the package, each atomically
// (a temporary file renamed into place), and returns the package's path.
func writeOutbox(dir, caseID string, pkg []byte, warcs []namedFile) (string, error) {
	if strings.ContainsAny(caseID, `/\`) || caseID == "" || caseID == "." || caseID == ".." {
		return "", invalidInput("workflows: refer case %q: the ID cannot name a file", caseID)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("workflows: create outbox %s: %w", dir, err)
	}
	for _, w := range warcs {
		if err := writeFileAtomic(filepath.Join(dir, w.name), w.data); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, caseID+".json")
	if err := writeFileAtomic(path, pkg); err != nil {
		return "", err
	}
	return path, nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("workflows: write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("workflows: write %s: %w", path, err)
	}
	return nil
}

// postReferral POSTs the package to the endpoint. A 4xx answer (but 408, 425
// and 429) is non-retryable; any other non-2xx answer or a transport error
// is retried.
func (a *Activities) postReferral(ctx context.Context, caseID, digest string, body []byte) (string, error) {
	endpoint := a.Referral.Endpoint
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", invalidInput("workflows: referral endpoint %q: %v", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "adscan-referral-"+caseID)
	req.Header.Set("X-Adscan-Package-SHA256", digest)
	hc := http.Client{Timeout: 30 * time.Second}
	if a.Referral.HTTPClient != nil {
		hc = *a.Referral.HTTPClient
	}
	// Never follow a redirect: 301-303 turn the POST into a GET whose 2xx
	// would count as delivered, and 307/308 would send the evidence
	// wherever the endpoint points.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("workflows: deliver referral of case %s to %s: %w", caseID, endpoint, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return endpoint, nil
	}
	text := fmt.Sprintf("workflows: deliver referral of case %s to %s: %s: %s", caseID, endpoint, resp.Status, bytes.TrimSpace(msg))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		text = fmt.Sprintf("workflows: deliver referral of case %s: endpoint %s answered %s (to %q); referrals are not redirected, configure the final URL",
			caseID, endpoint, resp.Status, resp.Header.Get("Location"))
		return "", temporal.NewNonRetryableApplicationError(text, "adscan.referral_redirect", nil)
	}
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return "", temporal.NewApplicationError(text, "adscan.referral_http")
	}
	if resp.StatusCode >= 400 && resp.StatusCode < 500 {
		return "", temporal.NewNonRetryableApplicationError(text, "adscan.referral_rejected", nil)
	}
	return "", temporal.NewApplicationError(text, "adscan.referral_http")
}
