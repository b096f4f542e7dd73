package workflows

import (
	"context"
	"fmt"
	"sync"
	"time"

	"adscan"
)

// memStore is an in-memory adscan.Store for the activity tests: just enough
// of the contract (idempotent captures and findings, state checks on
// decisions) to tell a right activity from a wrong one.
type memStore struct {
	mu        sync.Mutex
	scans     map[string]*adscan.Scan
	captures  map[string]adscan.Capture
	cases     map[string]*adscan.Case
	caseOrder []string
	referrals map[string]adscan.Referral
	audit     []adscan.AuditEntry
	nextID    int
	// calls counts method calls by name.
	calls map[string]int
}

var _ adscan.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{
		scans: map[string]*adscan.Scan{}, captures: map[string]adscan.Capture{},
		cases: map[string]*adscan.Case{}, referrals: map[string]adscan.Referral{}, calls: map[string]int{},
	}
}

func (m *memStore) call(name string) {
	m.mu.Lock()
	m.calls[name]++
	m.mu.Unlock()
}

func (m *memStore) id(prefix string) string {
	m.nextID++
	return fmt.Sprintf("%s%d", prefix, m.nextID)
}

func (m *memStore) UpsertTarget(ctx context.Context, t adscan.Target) (adscan.Target, error) {
	return t, nil
}
func (m *memStore) ListTargets(ctx context.Context) ([]adscan.Target, error) { return nil, nil }

func (m *memStore) CreateScan(ctx context.Context, s adscan.Scan) error {
	m.call("CreateScan")
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.scans[s.ID]; ok {
		return adscan.Errorf(adscan.ECONFLICT, "scan %s exists", s.ID)
	}
	m.scans[s.ID] = &s
	return nil
}

func (m *memStore) GetScan(ctx context.Context, id string) (adscan.Scan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.scans[id]
	if !ok {
		return adscan.Scan{}, adscan.Errorf(adscan.ENOTFOUND, "scan %s not found", id)
	}
	return *s, nil
}

func (m *memStore) ListScans(ctx context.Context, limit int) ([]adscan.Scan, error) { return nil, nil }

func (m *memStore) AddScanProgress(ctx context.Context, id string, pages, errors int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.scans[id]
	if !ok {
		return adscan.Errorf(adscan.ENOTFOUND, "scan %s not found", id)
	}
	s.Pages += pages
	s.Errors += errors
	return nil
}

func (m *memStore) FinishScan(ctx context.Context, id string, status adscan.ScanStatus, errText string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.scans[id]
	if !ok {
		return adscan.Errorf(adscan.ENOTFOUND, "scan %s not found", id)
	}
	now := time.Now()
	s.Status, s.Error, s.FinishedAt = status, errText, &now
	return nil
}

func (m *memStore) PutCapture(ctx context.Context, c adscan.Capture) (string, error) {
	m.call("PutCapture")
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, x := range m.captures {
		if x.ScanID == c.ScanID && x.RequestedURL == c.RequestedURL && x.BodySHA256 == c.BodySHA256 {
			return id, nil
		}
	}
	c.ID = m.id("cap")
	m.captures[c.ID] = c
	return c.ID, nil
}

func (m *memStore) GetCapture(ctx context.Context, id string) (adscan.Capture, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.captures[id]
	if !ok {
		return adscan.Capture{}, adscan.Errorf(adscan.ENOTFOUND, "capture %s not found", id)
	}
	return c, nil
}

func (m *memStore) RecordFindings(ctx context.Context, in adscan.FindingsInput) (adscan.Case, bool, error) {
	m.call("RecordFindings")
	m.mu.Lock()
	defer m.mu.Unlock()
	cap, ok := m.captures[in.CaptureID]
	if !ok {
		return adscan.Case{}, false, adscan.Errorf(adscan.EINVALID, "capture %s not found", in.CaptureID)
	}
	var c *adscan.Case
	for _, id := range m.caseOrder {
		if x := m.cases[id]; x.Target == in.Target && x.URL == in.URL {
			c = x
		}
	}
	created := c == nil
	if created {
		c = &adscan.Case{ID: m.id("case"), Target: in.Target, URL: in.URL, State: adscan.CaseOpen, CreatedAt: time.Now()}
		m.cases[c.ID] = c
		m.caseOrder = append(m.caseOrder, c.ID)
	}
	for _, s := range c.Sightings {
		if s.CaptureID == in.CaptureID {
			return *c, false, nil
		}
	}
	c.Sightings = append(c.Sightings, adscan.Sighting{ScanID: in.ScanID, CaptureID: in.CaptureID, BodySHA256: cap.BodySHA256, SeenAt: time.Now()})
	for _, f := range in.Flags {
		if !hasCategory(c.Categories, f.Category) {
			c.Categories = append(c.Categories, f.Category)
			c.Findings = append(c.Findings, adscan.Finding{Category: f.Category, Score: f.Score, Basis: f.Basis,
				Evidence: f.Evidence, CaptureID: in.CaptureID, Lexicon: in.Lexicon})
		}
	}
	return *c, created, nil
}

func (m *memStore) GetCase(ctx context.Context, id string) (adscan.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cases[id]
	if !ok {
		return adscan.Case{}, adscan.Errorf(adscan.ENOTFOUND, "case %s not found", id)
	}
	out := *c
	for _, e := range m.audit {
		if e.CaseID == id {
			out.Audit = append(out.Audit, e)
		}
	}
	return out, nil
}

func (m *memStore) ListCases(ctx context.Context, f adscan.CaseFilter) ([]adscan.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []adscan.Case
	for _, id := range m.caseOrder {
		c := m.cases[id]
		if (f.Target != "" && c.Target != f.Target) || (f.State != "" && c.State != f.State) {
			continue
		}
		if f.ScanID != "" {
			seen := false
			for _, s := range c.Sightings {
				seen = seen || s.ScanID == f.ScanID
			}
			if !seen {
				continue
			}
		}
		out = append(out, *c)
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if f.Offset >= len(out) {
		return nil, nil
	}
	out = out[f.Offset:]
	return out[:min(limit, len(out))], nil
}

func (m *memStore) DecideCase(ctx context.Context, id string, d adscan.CaseDecision) (adscan.Case, error) {
	m.call("DecideCase")
	m.mu.Lock()
	c, ok := m.cases[id]
	switch {
	case !ok:
		m.mu.Unlock()
		return adscan.Case{}, adscan.Errorf(adscan.ENOTFOUND, "case %s not found", id)
	case !d.Decision.Valid():
		m.mu.Unlock()
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "unknown decision %q", d.Decision)
	case !c.State.Allows(d.Decision):
		m.mu.Unlock()
		return adscan.Case{}, adscan.Errorf(adscan.ECONFLICT, "case %s is %s", id, c.State)
	}
	c.State = map[adscan.Decision]adscan.CaseState{
		adscan.DecisionConfirm: adscan.CaseConfirmed, adscan.DecisionDismiss: adscan.CaseDismissed,
		adscan.DecisionEscalate: adscan.CaseEscalated}[d.Decision]
	c.Decision = &d
	m.audit = append(m.audit, adscan.AuditEntry{CaseID: id, Actor: d.By, Action: string(d.Decision), Detail: d.Note, At: d.DecidedAt})
	m.mu.Unlock()
	return m.GetCase(ctx, id)
}

func (m *memStore) SetCaseState(ctx context.Context, id string, state adscan.CaseState, actor, detail string) error {
	m.call("SetCaseState")
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cases[id]
	if !ok {
		return adscan.Errorf(adscan.ENOTFOUND, "case %s not found", id)
	}
	c.State = state
	m.audit = append(m.audit, adscan.AuditEntry{CaseID: id, Actor: actor, Action: "state " + string(state), Detail: detail})
	return nil
}

func (m *memStore) SaveReferral(ctx context.Context, r adscan.Referral) error {
	m.call("SaveReferral")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.referrals[r.CaseID] = r
	return nil
}

func (m *memStore) GetReferral(ctx context.Context, caseID string) (adscan.Referral, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.referrals[caseID]
	if !ok {
		return adscan.Referral{}, adscan.Errorf(adscan.ENOTFOUND, "no referral of case %s", caseID)
	}
	return r, nil
}

func (m *memStore) Audit(ctx context.Context, e adscan.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audit = append(m.audit, e)
	return nil
}

func (m *memStore) CreateUser(ctx context.Context, u adscan.User) error { return nil }
func (m *memStore) GetUser(ctx context.Context, n string) (adscan.User, error) {
	return adscan.User{}, nil
}
func (m *memStore) ListUsers(ctx context.Context) ([]adscan.User, error) { return nil, nil }
func (m *memStore) Close() error                                         { return nil }
