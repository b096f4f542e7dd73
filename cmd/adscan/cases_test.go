package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/corpus"
	"adscan/store"
)

// casesFixture is a store with three cases:
//   - A: scan-1, tutoring_ad + late_hours, open
//   - B: scan-2, ranking, dismissed
//   - C: sighted by scan-1 and scan-2 (changed page: two captures), elite_admission, open
type casesFixture struct {
	db      string
	a, b, c adscan.Case
	bodies  map[string]string // capture ID → body SHA-256
}

func newCasesFixture(t *testing.T) casesFixture {
	t.Helper()
	ctx := context.Background()
	fx := casesFixture{db: filepath.Join(t.TempDir(), "adscan.db"), bodies: map[string]string{}}
	st, err := store.Open(ctx, fx.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const target = "https://peixun.example/"
	for _, id := range []string{"scan-1", "scan-2"} {
		if err := st.CreateScan(ctx, adscan.Scan{ID: id, Status: adscan.ScanRunning, Targets: []adscan.ScanTarget{{URL: target}}, StartedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	lex := adscan.LexiconRef{Name: "test", Version: "1"}
	record := func(scan, url, text string, flags ...adscan.Flag) adscan.Case {
		t.Helper()
		body := "<html><body>" + text + "</body></html>"
		sum := sha256.Sum256([]byte(body))
		capID, err := st.PutCapture(ctx, adscan.Capture{
			ScanID: scan, Target: target, RequestedURL: url, FinalURL: url, Status: 200,
			FetchedAt: time.Now(), BodySHA256: hex.EncodeToString(sum[:]), BodySize: int64(len(body)),
			Text: text, Lexicon: lex,
		})
		if err != nil {
			t.Fatal(err)
		}
		fx.bodies[capID] = hex.EncodeToString(sum[:])
		for i := range flags {
			for j := range flags[i].Evidence {
				e := &flags[i].Evidence[j]
				e.Start = strings.Index(text, e.Text)
				e.End = e.Start + len(e.Text)
			}
		}
		c, _, err := st.RecordFindings(ctx, adscan.FindingsInput{ScanID: scan, Target: target, URL: url, CaptureID: capID, Flags: flags, Lexicon: lex})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ev := func(texts ...string) []adscan.Evidence {
		out := make([]adscan.Evidence, len(texts))
		for i, s := range texts {
			out[i] = adscan.Evidence{Text: s}
		}
		return out
	}
	fx.a = record("scan-1", target+"summer", "暑假班火热招生，晚上九点后仍有课",
		adscan.Flag{Category: adscan.CategoryTutoringAd, Score: 0.9, Basis: "（十三）", Evidence: ev("暑假班", "火热招生")},
		adscan.Flag{Category: adscan.CategoryLateHours, Score: 0.75, Basis: "（十四）", Evidence: ev("晚上九点后")})
	fx.b = record("scan-2", target+"rank", "中考状元光荣榜",
		adscan.Flag{Category: adscan.CategoryRanking, Score: 0.8, Basis: "（十七）", Evidence: ev("状元")})
	fx.c = record("scan-1", target+"elite", "名校录取率百分之百",
		adscan.Flag{Category: adscan.CategoryEliteAdmission, Score: 0.85, Basis: "（十七）", Evidence: ev("名校录取")})
	fx.c = record("scan-2", target+"elite", "名校录取率高达百分之百，签约保录",
		adscan.Flag{Category: adscan.CategoryEliteAdmission, Score: 0.95, Basis: "（十七）", Evidence: ev("名校录取", "签约保录")})
	var err2 error
	if fx.b, err2 = st.DecideCase(ctx, fx.b.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "reviewer", Note: "a school's own page", DecidedAt: time.Now()}); err2 != nil {
		t.Fatal(err2)
	}
	return fx
}

func caseIDs(cs []adscan.Case) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	return ids
}

func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// decodeCases reads JSON lines of cases.
func decodeCases(t *testing.T, out string) []adscan.Case {
	t.Helper()
	var cs []adscan.Case
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var c adscan.Case
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("not JSON lines of cases: %v in %q", err, out)
		}
		cs = append(cs, c)
	}
	return cs
}

func TestCasesList(t *testing.T) {
	fx := newCasesFixture(t)
	all := sortedIDs(fx.a.ID, fx.b.ID, fx.c.ID)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"all", nil, all},
		{"scan-1", []string{"--scan", "scan-1"}, sortedIDs(fx.a.ID, fx.c.ID)},
		{"scan-2", []string{"--scan", "scan-2"}, sortedIDs(fx.b.ID, fx.c.ID)},
		{"open", []string{"--state", "open"}, sortedIDs(fx.a.ID, fx.c.ID)},
		{"dismissed in scan-2", []string{"--state", "dismissed", "--scan", "scan-2"}, []string{fx.b.ID}},
		{"late hours", []string{"--category", "late_hours"}, []string{fx.a.ID}},
		{"no such scan", []string{"--scan", "scan-9"}, []string{}},
		{"limit", []string{"--limit", "2"}, nil}, // any two
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"cases", "list", "--json", "--db", fx.db}, tc.args...)
			code, out, errOut := runAdmin(t, nil, "", args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := caseIDs(decodeCases(t, out))
			if tc.want == nil {
				if len(got) != 2 || !strings.Contains(errOut, "showed the first 2 cases") {
					t.Errorf("--limit 2: %d cases, stderr %q", len(got), errOut)
				}
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("cases %v, want %v", got, tc.want)
			}
		})
	}

	// The table: a header and one row per case with its categories.
	code, out, errOut := runAdmin(t, map[string]string{envDB: fx.db}, "", "cases", "list", "--scan", "scan-1")
	if code != exitOK {
		t.Fatalf("cases list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(out, "tutoring_ad,late_hours") || !strings.Contains(out, "https://peixun.example/elite") {
		t.Errorf("cases list table:\n%s", out)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, " open ") {
			t.Errorf("row %q does not show the state open", l)
		}
	}
}

func TestCasesExportJSONL(t *testing.T) {
	fx := newCasesFixture(t)
	code, out, errOut := runAdmin(t, nil, "", "cases", "export", "--db", fx.db)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	cs := decodeCases(t, out)
	if got := caseIDs(cs); !slices.Equal(got, sortedIDs(fx.a.ID, fx.b.ID, fx.c.ID)) {
		t.Fatalf("exported %v", got)
	}
	byID := map[string]adscan.Case{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	c := byID[fx.c.ID]
	if len(c.Findings) != 2 || len(c.Sightings) != 2 || len(c.Audit) == 0 {
		t.Fatalf("case C exported with %d findings, %d sightings, %d audit entries; want 2, 2, >0", len(c.Findings), len(c.Sightings), len(c.Audit))
	}
	for _, f := range c.Findings {
		if len(f.Evidence) == 0 || f.CaptureID == "" || f.Basis == "" {
			t.Errorf("finding without evidence, capture or basis: %+v", f)
		}
	}
	if e := byID[fx.a.ID].Findings[0].Evidence[0]; e.Text != "暑假班" || e.Start != 0 || e.End != len("暑假班") {
		t.Errorf("evidence span of case A = %+v", e)
	}
	if d := byID[fx.b.ID].Decision; d == nil || d.Decision != adscan.DecisionDismiss || d.Note != "a school's own page" {
		t.Errorf("case B decision = %+v", d)
	}

	code, out, _ = runAdmin(t, nil, "", "cases", "export", "--db", fx.db, "--state", "dismissed", "--format", "jsonl")
	if cs := decodeCases(t, out); code != exitOK || len(cs) != 1 || cs[0].ID != fx.b.ID {
		t.Errorf("export --state dismissed: exit %d, %d cases", code, len(cs))
	}
}

func TestCasesExportCSV(t *testing.T) {
	fx := newCasesFixture(t)
	code, out, errOut := runAdmin(t, nil, "", "cases", "export", "--format", "csv", "--scan", "scan-1", "--db", fx.db)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if !slices.Equal(recs[0], csvExportHeader) {
		t.Fatalf("header %v", recs[0])
	}
	// Case A has two findings, case C two (one per capture of the changed page).
	rows := recs[1:]
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4:\n%s", len(rows), out)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var sawTwoSpans bool
	for _, r := range rows {
		id, capID := r[col["case_id"]], r[col["capture_id"]]
		if id != fx.a.ID && id != fx.c.ID {
			t.Errorf("row of case %s, which scan-1 did not sight", id)
		}
		if r[col["target"]] != "https://peixun.example/" || !strings.HasPrefix(r[col["url"]], "https://peixun.example/") || r[col["state"]] != "open" {
			t.Errorf("row %v", r)
		}
		if want := fx.bodies[capID]; want == "" || r[col["body_sha256"]] != want {
			t.Errorf("row of capture %s: body_sha256 %q, want %q", capID, r[col["body_sha256"]], want)
		}
		if r[col["category"]] == string(adscan.CategoryEliteAdmission) && r[col["evidence"]] == "名校录取 | 签约保录" {
			sawTwoSpans = true
			if r[col["score"]] != "0.95" || r[col["basis"]] != "（十七）" {
				t.Errorf("row %v: score/basis", r)
			}
		}
	}
	if !sawTwoSpans {
		t.Errorf("no row joins the evidence spans of the second capture:\n%s", out)
	}
}

func TestCasesErrors(t *testing.T) {
	fx := newCasesFixture(t)
	missing := filepath.Join(t.TempDir(), "typo", "adscan.db")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown state", []string{"cases", "list", "--state", "closed", "--db", fx.db}, exitUsage, `--state "closed": want one of open, escalated`},
		{"unknown category", []string{"cases", "export", "--category", "ads", "--db", fx.db}, exitUsage, `--category "ads": want one of tutoring_ad`},
		{"bad format", []string{"cases", "export", "--format", "xml", "--db", fx.db}, exitUsage, `--format "xml"`},
		{"negative limit", []string{"cases", "list", "--limit", "-1", "--db", fx.db}, exitUsage, "--limit -1"},
		{"no db", []string{"cases", "list"}, exitUsage, "no database"},
		{"bad db", []string{"cases", "list", "--db", "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=1"}, exitFailure, "open database"},
		{"no subcommand", []string{"cases"}, exitUsage, "want a subcommand"},
		// A mistyped path is not a new empty database.
		{"missing db", []string{"cases", "list", "--db", missing}, exitFailure, "there is no database at " + missing},
		{"missing db, export", []string{"cases", "export", "--db", missing}, exitFailure, "there is no database at"},
		{"missing db, targets", []string{"targets", "list", "--db", missing}, exitFailure, "there is no database at"},
		{"missing db, profiles", []string{"profile", "list", "--db", missing}, exitFailure, "there is no database at"},
		{"unknown subcommand", []string{"cases", "delete"}, exitUsage, `unknown subcommand "delete"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runAdmin(t, nil, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("reading a missing database made %s: %v", filepath.Dir(missing), err)
	}
}

// TestCasesExportCorpus: decided cases become labelled corpus pages — a
// confirmed case with its categories and the latest capture's text, a
// dismissed one with none — and open cases stay out.
func TestCasesExportCorpus(t *testing.T) {
	fx := newCasesFixture(t)
	ctx := context.Background()
	st, err := store.Open(ctx, fx.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DecideCase(ctx, fx.c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "reviewer", Note: "advert", DecidedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// A scan after the dismissal sees page B changed: the export keeps the
	// text the reviewer decided on.
	later := "本校暑假班火热招生"
	capID, err := st.PutCapture(ctx, adscan.Capture{ScanID: "scan-2", Target: fx.b.Target, RequestedURL: fx.b.URL, FinalURL: fx.b.URL,
		Status: 200, FetchedAt: time.Now().Add(time.Hour), BodySHA256: strings.Repeat("b", 64), Text: later})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.RecordFindings(ctx, adscan.FindingsInput{ScanID: "scan-2", Target: fx.b.Target, URL: fx.b.URL, CaptureID: capID,
		Flags: []adscan.Flag{{Category: adscan.CategoryTutoringAd, Score: 0.9, Basis: "（三十）", Evidence: []adscan.Evidence{{Text: "暑假班", Start: 6, End: 15}}}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	dir := t.TempDir()
	code, _, errOut := runAdmin(t, nil, "", "cases", "export", "--db", fx.db, "--format", "corpus", "--out", dir)
	if code != exitOK || !strings.Contains(errOut, "2 cases") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	pages, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]corpus.Page{}
	for _, p := range pages {
		byURL[p.URL] = p
	}
	if len(pages) != 2 {
		t.Fatalf("exported %d pages, want the confirmed and the dismissed case", len(pages))
	}
	c := byURL[fx.c.URL]
	if c.Voice != corpus.VoicePromo || !slices.Equal(c.Categories, []adscan.Category{adscan.CategoryEliteAdmission}) || c.Text != "名校录取率高达百分之百，签约保录" {
		t.Errorf("confirmed case exported as %+v", c)
	}
	if b := byURL[fx.b.URL]; b.Voice != "" || len(b.Categories) != 0 || !strings.Contains(b.Note, "a school's own page") || b.Text != "中考状元光荣榜" {
		t.Errorf("dismissed case exported as %+v", b)
	}
	// A page labelled by hand is never replaced by an export.
	hand := byURL[fx.c.URL]
	hand.Genre, hand.Note = "ad", "labelled by hand"
	if err := corpus.WritePage(dir, hand, true); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runAdmin(t, nil, "", "cases", "export", "--db", fx.db, "--format", "corpus", "--out", dir); code != exitOK || !strings.Contains(errOut, "1 cases") {
		t.Errorf("second export: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runAdmin(t, nil, "", "cases", "export", "--db", fx.db, "--format", "corpus"); code != exitUsage || !strings.Contains(errOut, "--format corpus needs --out DIR") {
		t.Errorf("corpus without --out: exit %d, %s", code, errOut)
	}
	if again, err := corpus.Load(dir); err != nil || len(again) != 2 {
		t.Fatalf("%v %d", err, len(again))
	} else {
		for _, p := range again {
			if p.URL == fx.c.URL && p.Note != "labelled by hand" {
				t.Errorf("the hand label was replaced: %+v", p.Label)
			}
		}
	}
	if code, _, _ := runAdmin(t, nil, "", "cases", "export", "--db", fx.db, "--out", dir); code != exitUsage {
		t.Errorf("--out without --format corpus: exit %d, want %d", code, exitUsage)
	}
}
