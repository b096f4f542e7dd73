package workflows

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"adscan"
	"adscan/evidence"
	"adscan/evidence/evidencetest"
)

// lexiconStore answers ListLexiconVersions with versions of its own.
type lexiconStore struct {
	*countingStore
	versions []adscan.LexiconVersion
}

func (s lexiconStore) ListLexiconVersions(context.Context) ([]adscan.LexiconVersion, error) {
	return s.versions, nil
}

// waczCase stores a confirmed case of two captures of one page, each with a
// WARC response record as the crawler writes one (or warc, if not nil);
// the newer capture has shot, if not nil.
func waczCase(t *testing.T, st adscan.Store, warc []byte, shot ...*adscan.Screenshot) string {
	t.Helper()
	ctx := t.Context()
	url := "https://www.xinghuo.example/summer"
	var caseID string
	for i := range 2 {
		body := fmt.Appendf(nil, "<p>%s</p><p>第%d版</p>", evidencetest.Page, i)
		header := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		fetched := evidencetest.Time.Add(time.Duration(i) * time.Hour)
		record := evidencetest.ResponseRecord(evidencetest.ResponseRecordID(i), url, fetched, header, body)
		if warc != nil {
			record = warc
		}
		c := adscan.Capture{ScanID: "scan-1", Target: "https://www.xinghuo.example/", RequestedURL: url, FinalURL: url,
			Status: 200, Header: header, FetchedAt: fetched, BodySHA256: sha(body), BodySize: int64(len(body)),
			Text: evidencetest.Page, TextSHA256: sha([]byte(evidencetest.Page)), WARC: record, Lexicon: evidencetest.Lexicon}
		if i == 1 && len(shot) > 0 {
			c.Screenshot = shot[0]
		} else {
			c.ScreenshotError = "no Chromium on this worker"
		}
		id, err := st.PutCapture(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		start := strings.Index(evidencetest.Page, evidencetest.Quote)
		flags := []adscan.Flag{{Category: adscan.CategoryAdvanceTeaching, Score: 0.9, Basis: "（十七）",
			Evidence: []adscan.Evidence{{Text: evidencetest.Quote, Start: start, End: start + len(evidencetest.Quote), Rule: "r1"}}}}
		cs, _, err := st.RecordFindings(ctx, adscan.FindingsInput{ScanID: "scan-1", Target: c.Target, URL: url, CaptureID: id,
			Flags: flags, Lexicon: evidencetest.Lexicon})
		if err != nil {
			t.Fatal(err)
		}
		caseID = cs.ID
	}
	if _, err := st.DecideCase(ctx, caseID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "rev", DecidedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return caseID
}

func TestReferralWritesSignedWACZ(t *testing.T) {
	digest := "3f2a9c01b7de" + strings.Repeat("0", 52)
	st := lexiconStore{newTestStore(t), []adscan.LexiconVersion{{Name: "shuangjian", Version: "2026.11.1", Digest: digest}}}
	caseID := waczCase(t, st, nil)
	dir := filepath.Join(t.TempDir(), "outbox")
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	a := &Activities{Store: st, Referral: ReferralConfig{OutboxDir: dir, Signer: evidence.Signer{Key: key}}}
	r, err := runReferral(a, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Destination != filepath.Join(dir, caseID+".json") {
		t.Errorf("destination %s; the JSON package stays the referral", r.Destination)
	}
	wacz, err := os.ReadFile(filepath.Join(dir, caseID+".wacz"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.Verify(bytes.NewReader(wacz), int64(len(wacz)), key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("the outbox's WACZ does not verify: %v", err)
	}
	if len(rep.Records) != 6 || rep.Findings != 2 || rep.Pages != 2 || rep.Metadata.Case.ID != caseID {
		t.Errorf("report: %d records, %d findings, %d pages, case %s", len(rep.Records), rep.Findings, rep.Pages, rep.Metadata.Case.ID)
	}
	if l := rep.Metadata.Lexicons; len(l) != 1 || l[0].SHA256 != digest || l[0].Version != evidencetest.Lexicon.Version {
		t.Errorf("lexicons in the package: %+v; want the stored version's full digest", l)
	}
	if _, err := os.Stat(filepath.Join(dir, caseID+".json")); err != nil {
		t.Error(err)
	}
}

func TestReferralWithoutSignerWritesNoWACZ(t *testing.T) {
	st := newTestStore(t)
	caseID := waczCase(t, st, nil)
	dir := t.TempDir()
	if _, err := runReferral(&Activities{Store: st, Referral: ReferralConfig{OutboxDir: dir}}, caseID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, caseID+".wacz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a WACZ without a signer: %v", err)
	}
}

// TestReferralWACZRefusesABrokenRecord: a stored record that is not a valid
// response record cannot go into a signed package; the referral fails for
// good and writes nothing.
func TestReferralWACZRefusesABrokenRecord(t *testing.T) {
	st := newTestStore(t)
	caseID := waczCase(t, st, []byte("WARC/1.1\r\nWARC-Type: response\r\n\r\nnot a record"))
	dir := filepath.Join(t.TempDir(), "outbox")
	a := &Activities{Store: st, Referral: ReferralConfig{OutboxDir: dir, Signer: evidence.Signer{Key: ed25519.NewKeyFromSeed(make([]byte, 32))}}}
	_, err := runReferral(a, caseID)
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !ae.NonRetryable() || !strings.Contains(err.Error(), "stored WARC record") {
		t.Fatalf("referral of a broken record: %v; want a non-retryable error naming the record", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// TestReferralWACZHoldsTheScreenshot: the newest capture's screenshot goes
// into the WACZ as a resource record and its digest into both packages'
// capture metadata.
func TestReferralWACZHoldsTheScreenshot(t *testing.T) {
	st := newTestStore(t)
	png := evidencetest.PNG(2000)
	shot := &adscan.Screenshot{PNG: png, SHA256: sha(png), Width: 1280, Height: 900, TakenAt: evidencetest.Time.Add(time.Hour)}
	caseID := waczCase(t, st, nil, shot)
	dir := filepath.Join(t.TempDir(), "outbox")
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	a := &Activities{Store: st, Referral: ReferralConfig{OutboxDir: dir, Signer: evidence.Signer{Key: key}}}
	if _, err := runReferral(a, caseID); err != nil {
		t.Fatal(err)
	}
	wacz, err := os.ReadFile(filepath.Join(dir, caseID+".wacz"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.Verify(bytes.NewReader(wacz), int64(len(wacz)), key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("the WACZ does not verify: %v", err)
	}
	sh := rep.Metadata.Screenshot
	if sh == nil || sh.SHA256 != shot.SHA256 || sh.Width != 1280 || !sh.TakenAt.Equal(shot.TakenAt) {
		t.Fatalf("the package's screenshot: %+v, want %s", sh, shot.SHA256)
	}
	found := false
	for _, r := range rep.Records {
		found = found || (r.Type == "resource" && r.ID == sh.Record)
	}
	if !found {
		t.Errorf("no resource record %s of the screenshot among %v", sh.Record, rep.Records)
	}
	js, err := os.ReadFile(filepath.Join(dir, caseID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"sha256": "`+shot.SHA256+`"`)) && !bytes.Contains(js, []byte(`"sha256":"`+shot.SHA256+`"`)) {
		t.Errorf("the JSON package's capture metadata lacks the screenshot digest %s", shot.SHA256)
	}
	if !bytes.Contains(js, []byte("no Chromium on this worker")) {
		t.Errorf("the JSON package does not say why the older capture has no screenshot")
	}
}
