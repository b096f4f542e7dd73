package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"adscan"
	"adscan/store"
	"adscan/workflows"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// harness is a Server over the real SQLite store and a fake orchestrator,
// with one user per role (named after the role).
type harness struct {
	t     testing.TB
	srv   *Server
	store *store.Store
	orch  *fakeOrchestrator
	logs  *bytes.Buffer
	now   time.Time
	ready bool
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, store: st, logs: &bytes.Buffer{}, now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), ready: true}
	h.orch = newFakeOrchestrator(st)
	srv, err := New(Config{
		Store:        st,
		Orchestrator: h.orch,
		Logger:       slog.New(slog.NewTextHandler(syncWriter{mu: &sync.Mutex{}, w: h.logs}, nil)),
		SessionKey:   bytes.Repeat([]byte("k"), 32),
		Ready:        func() bool { return h.ready },
		Now:          func() time.Time { return h.now },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.srv = srv
	for _, r := range []adscan.Role{adscan.RoleAdmin, adscan.RoleRegulator, adscan.RoleReviewer, adscan.RoleViewer} {
		h.addUser(string(r), r)
	}
	return h
}

// syncWriter serialises writes to a buffer shared by request goroutines.
type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// addUser stores a user with testPassword, hashed at bcrypt's lowest cost
// so tests stay fast.
func (h *harness) addUser(name string, role adscan.Role) {
	h.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.CreateUser(context.Background(), adscan.User{Name: name, Role: role, PasswordHash: string(hash)}, "test"); err != nil {
		h.t.Fatalf("create user %s: %v", name, err)
	}
}

// request is one test request.
type request struct {
	method, path string
	body         string
	user         string // Basic credentials with testPassword; "" for none
	header       map[string]string
	cookies      []*http.Cookie
}

// do serves the request and returns the recorded response.
func (h *harness) do(rq request) *httptest.ResponseRecorder {
	h.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	if rq.body != "" && !strings.HasPrefix(rq.body, "username=") && !strings.HasPrefix(rq.body, "csrf_token=") {
		r.Header.Set("Content-Type", "application/json")
	}
	if rq.user != "" {
		r.SetBasicAuth(rq.user, testPassword)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	for _, c := range rq.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(w, r)
	return w
}

// wantStatus fails the test if the response status is not want.
func wantStatus(t testing.TB, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body: %s", w.Code, want, w.Body.String())
	}
}

// wantError checks a JSON error response's status and that its message
// contains substr.
func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, substr string) {
	t.Helper()
	wantStatus(t, w, status)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	var e struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", w.Body.String(), err)
	}
	if !strings.Contains(e.Error, substr) {
		t.Fatalf("error %q does not contain %q", e.Error, substr)
	}
}

// decode unmarshals a JSON response body.
func decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("response %q is not the JSON wanted: %v", w.Body.String(), err)
	}
	return v
}

// seedCase stores a capture of url (whose text is text) and a flagged case
// for it, and returns the case.
func (h *harness) seedCase(scanID, target, url, text string, cat adscan.Category) adscan.Case {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.store.GetScan(ctx, scanID); err != nil {
		if err := h.store.CreateScan(ctx, adscan.Scan{ID: scanID, Targets: []adscan.ScanTarget{{URL: target}}}); err != nil {
			h.t.Fatal(err)
		}
	}
	body := "<html><body>" + text + "</body></html>"
	bsum, tsum := sha256.Sum256([]byte(body)), sha256.Sum256([]byte(text))
	lex := adscan.LexiconRef{Name: "shuangjian", Version: "2026.11"}
	capID, err := h.store.PutCapture(ctx, adscan.Capture{
		ScanID: scanID, Target: target, RequestedURL: url, FinalURL: url, Status: 200,
		FetchedAt: h.now, BodySHA256: hex.EncodeToString(bsum[:]), BodySize: int64(len(body)),
		Text: text, TextSHA256: hex.EncodeToString(tsum[:]), Lexicon: lex,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	c, _, err := h.store.RecordFindings(ctx, adscan.FindingsInput{
		ScanID: scanID, Target: target, URL: url, CaptureID: capID, Lexicon: lex,
		Flags: []adscan.Flag{{Category: cat, Score: 0.9, Basis: "（十七）",
			Evidence: []adscan.Evidence{{Text: text, Start: 0, End: len(text), Rule: "r1"}}}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// fakeOrchestrator does what the Temporal orchestrator does, directly on
// the store, and keeps schedules in memory. err, if set, is returned by
// StartScan.
type fakeOrchestrator struct {
	store adscan.Store

	mu        sync.Mutex
	err       error
	n         int
	schedules map[string]adscan.Schedule
	triggered []string
}

var _ adscan.Orchestrator = (*fakeOrchestrator)(nil)

func newFakeOrchestrator(s adscan.Store) *fakeOrchestrator {
	return &fakeOrchestrator{store: s, schedules: map[string]adscan.Schedule{}}
}

func (o *fakeOrchestrator) StartScan(ctx context.Context, req adscan.ScanRequest) (adscan.Scan, error) {
	o.mu.Lock()
	err := o.err
	o.n++
	id := fmt.Sprintf("scan%03d", o.n)
	o.mu.Unlock()
	if err != nil {
		return adscan.Scan{}, err
	}
	for _, t := range req.Targets {
		if strings.Contains(t.URL, "127.0.0.1") {
			return adscan.Scan{}, adscan.Errorf(adscan.EINVALID, "target %s is a private address", t.URL)
		}
	}
	// Targets naming a profile resolve as in production: an unregistered
	// one is EINVALID (400) naming the target.
	if req.Targets, err = adscan.ResolveProfileTargets(ctx, o.store.GetProfile, req.Targets, false); err != nil {
		return adscan.Scan{}, err
	}
	sc := adscan.Scan{ID: id, Status: adscan.ScanRunning, Targets: req.Targets, CreatedBy: req.CreatedBy}
	if err := o.store.CreateScan(ctx, sc); err != nil {
		return adscan.Scan{}, err
	}
	return o.store.GetScan(ctx, id)
}

func (o *fakeOrchestrator) Decide(ctx context.Context, caseID string, d adscan.CaseDecision) (adscan.Case, error) {
	return o.store.DecideCase(ctx, caseID, d)
}

func (o *fakeOrchestrator) CreateSchedule(ctx context.Context, s adscan.Schedule) (adscan.Schedule, error) {
	// As in production: a profile must be registered, and the schedule
	// keeps the profile, not the site it resolves to today.
	if _, err := adscan.ResolveProfileTargets(ctx, o.store.GetProfile, s.Targets, false); err != nil {
		return adscan.Schedule{}, err
	}
	s.Targets = slices.Clone(s.Targets)
	for i, t := range s.Targets {
		s.Targets[i] = t.ProfileOnly()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if s.ID == "" {
		o.n++
		s.ID = fmt.Sprintf("sched%03d", o.n)
	}
	if err := workflows.CheckSchedule(s, true); err != nil { // as the real one does
		return adscan.Schedule{}, err
	}
	if _, ok := o.schedules[s.ID]; ok {
		return adscan.Schedule{}, adscan.Errorf(adscan.ECONFLICT, "schedule %s exists", s.ID)
	}
	if s.TimeZone == "" {
		s.TimeZone = "Asia/Shanghai"
	}
	o.schedules[s.ID] = s
	return s, nil
}

func (o *fakeOrchestrator) ListSchedules(context.Context) ([]adscan.Schedule, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []adscan.Schedule
	for _, s := range o.schedules {
		out = append(out, s)
	}
	return out, nil
}

func (o *fakeOrchestrator) ListSchedulesPage(ctx context.Context, p adscan.ListPage) ([]adscan.Schedule, error) {
	all, _ := o.ListSchedules(ctx)
	slices.SortFunc(all, func(a, b adscan.Schedule) int { return strings.Compare(a.ID, b.ID) })
	out := []adscan.Schedule{}
	for _, s := range all {
		if (p.After == nil || s.ID > p.After.ID) && (p.Limit == 0 || len(out) < p.Limit) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (o *fakeOrchestrator) GetSchedule(_ context.Context, id string) (adscan.Schedule, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, ok := o.schedules[id]
	if !ok {
		return adscan.Schedule{}, adscan.Errorf(adscan.ENOTFOUND, "no schedule %s", id)
	}
	return s, nil
}

func (o *fakeOrchestrator) setPaused(id, note string, paused bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, ok := o.schedules[id]
	if !ok {
		return adscan.Errorf(adscan.ENOTFOUND, "no schedule %s", id)
	}
	s.Paused, s.Note = paused, note
	o.schedules[id] = s
	return nil
}

func (o *fakeOrchestrator) PauseSchedule(_ context.Context, id, note string) error {
	return o.setPaused(id, note, true)
}

func (o *fakeOrchestrator) UnpauseSchedule(_ context.Context, id, note string) error {
	return o.setPaused(id, note, false)
}

func (o *fakeOrchestrator) TriggerSchedule(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.schedules[id]; !ok {
		return adscan.Errorf(adscan.ENOTFOUND, "no schedule %s", id)
	}
	o.triggered = append(o.triggered, id)
	return nil
}

func (o *fakeOrchestrator) DeleteSchedule(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.schedules[id]; !ok {
		return adscan.Errorf(adscan.ENOTFOUND, "no schedule %s", id)
	}
	delete(o.schedules, id)
	return nil
}

// RetryReferral delivers at once, as a retried ReferralWorkflow would when
// the destination answers: the referral is saved and the case referred.
func (o *fakeOrchestrator) RetryReferral(ctx context.Context, caseID, by string) error {
	c, err := o.store.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	if c.State != adscan.CaseConfirmed {
		return adscan.Errorf(adscan.ECONFLICT, "case %s is %s; only a confirmed case's referral can be retried", caseID, c.State)
	}
	if err := o.store.Audit(ctx, adscan.AuditEntry{CaseID: caseID, Actor: by, Action: adscan.ActionReferralRetried}); err != nil {
		return err
	}
	now := time.Now()
	if err := o.store.SaveReferral(ctx, adscan.Referral{CaseID: caseID, Package: []byte(`{"format":"test"}`), Destination: "outbox/" + caseID + ".json", DeliveredAt: &now}); err != nil {
		return err
	}
	return o.store.SetCaseState(ctx, caseID, adscan.CaseReferred, "system", "delivered")
}

// postForm posts a console form (URL-encoded) with a session cookie.
func (h *harness) postForm(session *http.Cookie, path string, form url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do(request{method: "POST", path: path, body: form.Encode(), cookies: []*http.Cookie{session},
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
}

// csrfToken is the session's CSRF token, read from a console page.
func (h *harness) csrfToken(session *http.Cookie) string {
	h.t.Helper()
	return csrfFromPage(h.t, h.do(request{method: "GET", path: "/cases", cookies: []*http.Cookie{session}}).Body.String())
}
