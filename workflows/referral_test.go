package workflows

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"adscan"
)

// confirmedCase stores a case with findings from two captures and confirms it.
func confirmedCase(t *testing.T, st *countingStore) string {
	t.Helper()
	ctx := t.Context()
	var caseID string
	for _, p := range []CrawledPage{
		page("https://b.example/x", "奥数 提前学 寒假班", adscan.CategoryTutoringAd),
		page("https://b.example/x", "名校 录取率 状元", adscan.CategoryEliteAdmission), // the page changed
	} {
		c := p.Capture
		c.ScanID, c.Target, c.Lexicon = "scan-1", "https://b.example/", testLexicon
		id, err := st.PutCapture(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		cs, _, err := st.RecordFindings(ctx, adscan.FindingsInput{ScanID: "scan-1", Target: c.Target, URL: c.FinalURL, CaptureID: id, Flags: p.Result.Flags, Lexicon: testLexicon})
		if err != nil {
			t.Fatal(err)
		}
		caseID = cs.ID
	}
	if _, err := st.DecideCase(ctx, caseID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev", Note: "clear ad", DecidedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return caseID
}

func runReferral(a *Activities, caseID string) (ReferralResult, error) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.DeliverReferral, caseID)
	var r ReferralResult
	if err == nil {
		err = v.Get(&r)
	}
	return r, err
}

func TestReferralWritesOutboxWithMatchingDigests(t *testing.T) {
	st := newTestStore(t)
	caseID := confirmedCase(t, st)
	dir := filepath.Join(t.TempDir(), "outbox")
	a := &Activities{Store: st, Referral: ReferralConfig{OutboxDir: dir}}

	r, err := runReferral(a, caseID)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, caseID+".json")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Destination != path || r.SHA256 != sha(body) {
		t.Errorf("result %+v; want destination %s and the file's SHA-256 %s", r, path, sha(body))
	}
	saved, err := st.GetReferral(t.Context(), caseID)
	if err != nil || saved.SHA256 != sha(body) || string(saved.Package) != string(body) || saved.DeliveredAt == nil {
		t.Errorf("saved referral %+v (err %v) does not match the delivered file", saved, err)
	}

	var pkg ReferralPackage
	if err := json.Unmarshal(body, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Format != ReferralFormat || pkg.Case.ID != caseID || pkg.Case.Decision == nil || len(pkg.Findings) != 2 || pkg.GeneratedAt.IsZero() {
		t.Errorf("package header %+v", pkg.Case)
	}
	if len(pkg.Captures) != 2 {
		t.Fatalf("%d captures in the package, want 2", len(pkg.Captures))
	}
	for _, pc := range pkg.Captures {
		stored, err := st.GetCapture(t.Context(), pc.ID)
		if err != nil {
			t.Fatal(err)
		}
		warc, err := os.ReadFile(filepath.Join(dir, pc.WARCFile))
		if err != nil {
			t.Fatalf("WARC of capture %s: %v", pc.ID, err)
		}
		if pc.BodySHA256 != stored.BodySHA256 || pc.TextSHA256 != sha([]byte(stored.Text)) ||
			pc.WARCSHA256 != sha(stored.WARC) || sha(warc) != pc.WARCSHA256 ||
			pc.FinalURL != stored.FinalURL || pc.Status != 200 || pc.Lexicon != testLexicon || !pc.FetchedAt.Equal(stored.FetchedAt) {
			t.Errorf("capture %s in the package does not match the stored evidence: %+v", pc.ID, pc)
		}
	}
	for _, f := range pkg.Findings {
		if len(f.Evidence) == 0 || f.CaptureID == "" {
			t.Errorf("finding %+v lacks evidence spans", f)
		}
	}

	// A retry after success delivers nothing new.
	r2, err := runReferral(a, caseID)
	if err != nil || r2 != r || st.count("SaveReferral") != 1 {
		t.Errorf("retry: %+v, %v, %d saves; want the first result and one save", r2, err, st.count("SaveReferral"))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReferralHTTPRetriesUntilDelivered(t *testing.T) {
	st := newTestStore(t)
	caseID := confirmedCase(t, st)
	var mu sync.Mutex
	var got [][]byte
	status := http.StatusServiceUnavailable
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Adscan-Package-SHA256") != sha(b) || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad headers", http.StatusTeapot)
			return
		}
		got = append(got, b)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	a := &Activities{Store: st, Referral: ReferralConfig{Endpoint: srv.URL + "/referrals", HTTPClient: srv.Client()}}

	_, err := runReferral(a, caseID)
	var ae *temporal.ApplicationError
	if err == nil || (errors.As(err, &ae) && ae.NonRetryable()) {
		t.Fatalf("503: err = %v, want a retryable error", err)
	}
	if _, gerr := st.GetReferral(t.Context(), caseID); gerr == nil {
		t.Error("a referral was saved although delivery failed")
	}
	// The failed attempt shows on /referrals while Temporal retries it.
	list, lerr := st.ListReferrals(t.Context(), 10, false)
	if lerr != nil || len(list) != 1 || list[0].Delivery != adscan.ReferralPending || list[0].FailedAttempts != 1 ||
		!strings.Contains(list[0].LastError, "503 Service Unavailable") {
		t.Errorf("after a failed attempt, referrals = %+v, %v; want pending with the attempt and its error", list, lerr)
	}

	status = http.StatusAccepted
	r, err := runReferral(a, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || r.SHA256 != sha(got[1]) || r.Destination != srv.URL+"/referrals" {
		t.Errorf("delivered %d times, result %+v", len(got), r)
	}
	saved, _ := st.GetReferral(t.Context(), caseID)
	if saved.SHA256 != r.SHA256 {
		t.Errorf("saved %s, delivered %s", saved.SHA256, r.SHA256)
	}
}

func TestReferralRejectsWhatRetryCannotFix(t *testing.T) {
	var followed atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/login", http.StatusFound)
		case "/temporary":
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		case "/login", "/elsewhere":
			followed.Add(1)
			w.Write([]byte("<html>sign in</html>"))
		default:
			http.Error(w, "schema mismatch", http.StatusUnprocessableEntity)
		}
	}))
	defer srv.Close()
	st := newTestStore(t)
	caseID := confirmedCase(t, st)
	for name, tc := range map[string]struct {
		a      *Activities
		caseID string
		msg    string
	}{
		"4xx":            {&Activities{Store: st, Referral: ReferralConfig{Endpoint: srv.URL}}, caseID, "422"},
		"302 to a login": {&Activities{Store: st, Referral: ReferralConfig{Endpoint: srv.URL + "/moved", HTTPClient: &http.Client{}}}, caseID, "not redirected"},
		"307":            {&Activities{Store: st, Referral: ReferralConfig{Endpoint: srv.URL + "/temporary"}}, caseID, "/elsewhere"},
		"no destination": {&Activities{Store: st}, caseID, "no referral endpoint or outbox"},
		"unknown case":   {&Activities{Store: st, Referral: ReferralConfig{OutboxDir: t.TempDir()}}, "nope", "not found"},
	} {
		_, err := runReferral(tc.a, tc.caseID)
		var ae *temporal.ApplicationError
		if !errors.As(err, &ae) || !ae.NonRetryable() || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: err = %v, want non-retryable mentioning %q", name, err, tc.msg)
		}
	}

	if n := followed.Load(); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
	if _, err := st.GetReferral(t.Context(), caseID); adscan.ErrorCode(err) != adscan.ENOTFOUND {
		t.Errorf("a rejected referral was recorded as delivered: %v", err)
	}

	// An open case is not referred.
	open := newTestStore(t)
	p := page("https://c.example/", "奥数", adscan.CategoryTutoringAd)
	id, _ := open.PutCapture(t.Context(), p.Capture)
	cs, _, _ := open.RecordFindings(t.Context(), adscan.FindingsInput{Target: "https://c.example/", URL: "https://c.example/", CaptureID: id, Flags: p.Result.Flags})
	_, err := runReferral(&Activities{Store: open, Referral: ReferralConfig{OutboxDir: t.TempDir()}}, cs.ID)
	if err == nil || !strings.Contains(err.Error(), "not confirmed") {
		t.Errorf("referral of an open case: %v", err)
	}
}

func TestNoteReferralFailureAudits(t *testing.T) {
	st := newTestStore(t)
	caseID := confirmedCase(t, st)
	a := &Activities{Store: st}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	// Two attempts had failed and been retried before the give-up.
	for range 2 {
		if err := st.NoteReferralAttempt(t.Context(), caseID, "attempt: 503", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.ExecuteActivity(a.NoteReferralFailure, NoteReferralFailureInput{CaseID: caseID, Error: "endpoint answered 422"}); err != nil {
		t.Fatal(err)
	}
	// The give-up is what /referrals shows now; a retry counts afresh.
	if list, err := st.ListReferrals(t.Context(), 10, false); err != nil || len(list) != 1 || list[0].Delivery != adscan.ReferralFailed ||
		list[0].FailedAttempts != 0 || list[0].LastError != "endpoint answered 422" {
		t.Errorf("referrals after the give-up = %+v, %v", list, err)
	}
	c, err := st.GetCase(t.Context(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range c.Audit {
		found = found || (e.Action == adscan.ActionReferralFailed && strings.Contains(e.Detail, "422") && e.Actor == "system")
	}
	if !found || c.State != adscan.CaseConfirmed {
		t.Errorf("case %s: state %s, audit %+v; want confirmed with a %s entry", caseID, c.State, c.Audit, adscan.ActionReferralFailed)
	}
}
