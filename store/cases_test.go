package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
)

const (
	target = "https://a.example/"
	page   = "https://a.example/course"
)

func TestRecordFindingsIsIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "scan1")
		flags := []adscan.Flag{flag(adscan.CategoryEliteAdmission, "名校录取"), flag(adscan.CategoryRanking, "状元")}

		first, created := record(t, s, "scan1", target, page, "v1", flags...)
		if !created {
			t.Fatal("first recording: created = false")
		}
		second, created := record(t, s, "scan1", target, page, "v1", flags...)
		if created {
			t.Error("second recording of the same capture: created = true")
		}
		if second.ID != first.ID {
			t.Fatalf("second recording made case %s, want %s", second.ID, first.ID)
		}
		if len(second.Sightings) != 1 || len(second.Findings) != 2 || len(second.Audit) != 1 {
			t.Errorf("after recording twice: %d sightings, %d findings, %d audit entries; want 1, 2, 1",
				len(second.Sightings), len(second.Findings), len(second.Audit))
		}
		if !second.UpdatedAt.Equal(first.UpdatedAt) {
			t.Errorf("re-recording moved updated_at from %v to %v", first.UpdatedAt, second.UpdatedAt)
		}
		want := []adscan.Category{adscan.CategoryRanking, adscan.CategoryEliteAdmission}
		if !slices.Equal(second.Categories, want) {
			t.Errorf("categories = %v, want %v", second.Categories, want)
		}
		if second.State != adscan.CaseOpen || second.Target != target || second.URL != page {
			t.Errorf("case = %s %s %s, want open %s %s", second.State, second.Target, second.URL, target, page)
		}
		f := second.Findings[0]
		if f.Category != adscan.CategoryEliteAdmission || f.Score != 0.9 || f.Basis != "（十七）" ||
			len(f.Evidence) != 1 || f.Evidence[0].Text != "名校录取" || f.Lexicon.Version != "1" || f.CaptureID == "" {
			t.Errorf("finding = %+v; not what was recorded", f)
		}
		if a := second.Audit[0]; a.Action != adscan.ActionCaseCreated || a.Actor != "system" || a.CaseID != first.ID {
			t.Errorf("audit entry = %+v, want %s by system", a, adscan.ActionCaseCreated)
		}
		cases, err := s.ListCases(ctx, adscan.CaseFilter{})
		must(t, err)
		if len(cases) != 1 {
			t.Errorf("ListCases = %d cases, want 1", len(cases))
		}
		sc, err := s.GetScan(ctx, "scan1")
		must(t, err)
		if sc.Cases != 1 {
			t.Errorf("scan cases = %d, want 1", sc.Cases)
		}
	})
}

func TestRecordFindingsAcrossScans(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		for _, id := range []string{"scan1", "scan2", "scan3"} {
			createScan(t, s, id)
		}
		first, _ := record(t, s, "scan1", target, page, "v1", flag(adscan.CategoryRanking, "状元"))

		// A later scan sees the unchanged page: a sighting, no new finding.
		again, created := record(t, s, "scan2", target, page, "v1", flag(adscan.CategoryRanking, "状元"))
		if created || again.ID != first.ID {
			t.Fatalf("unchanged page in a later scan: case %s created=%v, want %s not created", again.ID, created, first.ID)
		}
		if len(again.Sightings) != 2 || len(again.Findings) != 1 {
			t.Errorf("unchanged page: %d sightings, %d findings; want 2, 1", len(again.Sightings), len(again.Findings))
		}
		if !again.UpdatedAt.After(first.UpdatedAt) {
			t.Errorf("a new sighting did not move updated_at (%v → %v)", first.UpdatedAt, again.UpdatedAt)
		}

		// The page changed: its evidence is added, categories are the union.
		changed, _ := record(t, s, "scan3", target, page, "v2",
			flag(adscan.CategoryRanking, "第一名"), flag(adscan.CategoryAdvanceTeaching, "提前学"))
		if len(changed.Sightings) != 3 || len(changed.Findings) != 3 {
			t.Errorf("changed page: %d sightings, %d findings; want 3, 3", len(changed.Sightings), len(changed.Findings))
		}
		want := []adscan.Category{adscan.CategoryRanking, adscan.CategoryAdvanceTeaching}
		if !slices.Equal(changed.Categories, want) {
			t.Errorf("categories = %v, want %v", changed.Categories, want)
		}
		if changed.Sightings[2].ScanID != "scan3" || changed.Sightings[2].BodySHA256 != digest("v2") {
			t.Errorf("last sighting = %+v, want scan3 with the v2 digest", changed.Sightings[2])
		}

		for _, id := range []string{"scan1", "scan2", "scan3"} {
			sc, err := s.GetScan(ctx, id)
			must(t, err)
			if sc.Cases != 1 {
				t.Errorf("%s: cases = %d, want 1", id, sc.Cases)
			}
			cases, err := s.ListCases(ctx, adscan.CaseFilter{ScanID: id})
			must(t, err)
			if len(cases) != 1 || cases[0].ID != first.ID {
				t.Errorf("ListCases(scan %s) = %v, want the one case", id, cases)
			}
		}
	})
}

func TestRecordFindingsConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		const workers = 16
		for i := range workers {
			createScan(t, s, fmt.Sprintf("scan%d", i))
		}
		var created sync.Map
		var wg sync.WaitGroup
		errs := make(chan error, 2*workers)
		// Half the workers retry the same capture of scan0, the rest are
		// later scans of the same page.
		for i := range 2 * workers {
			scan := "scan0"
			if i%2 == 1 {
				scan = fmt.Sprintf("scan%d", i/2)
			}
			wg.Go(func() {
				capID, err := s.PutCapture(ctx, capture(scan, target, page, "same body"))
				if err != nil {
					errs <- err
					return
				}
				c, made, err := s.RecordFindings(ctx, adscan.FindingsInput{
					ScanID: scan, Target: target, URL: page, CaptureID: capID,
					Flags: []adscan.Flag{flag(adscan.CategoryTutoringAd, "补习")},
				})
				if err != nil {
					errs <- err
					return
				}
				if made {
					created.Store(c.ID, true)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent recording: %v", err)
		}
		n := 0
		created.Range(func(any, any) bool { n++; return true })
		if n != 1 {
			t.Errorf("%d recordings reported a new case, want exactly 1", n)
		}
		cases, err := s.ListCases(ctx, adscan.CaseFilter{})
		must(t, err)
		if len(cases) != 1 {
			t.Fatalf("%d cases, want 1", len(cases))
		}
		c, err := s.GetCase(ctx, cases[0].ID)
		must(t, err)
		if len(c.Sightings) != workers || len(c.Findings) != 1 || len(c.Audit) != 1 {
			t.Errorf("%d sightings, %d findings, %d audit entries; want %d, 1, 1",
				len(c.Sightings), len(c.Findings), len(c.Audit), workers)
		}
	})
}

func TestRecordFindingsRejectsBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		capID, err := s.PutCapture(ctx, capture("", target, page, "x"))
		must(t, err)
		ok := adscan.FindingsInput{Target: target, URL: page, CaptureID: capID,
			Flags: []adscan.Flag{flag(adscan.CategoryRanking, "状元")}}
		for name, tc := range map[string]struct {
			edit func(*adscan.FindingsInput)
			code string
		}{
			"no URL":          {func(in *adscan.FindingsInput) { in.URL = "" }, adscan.EINVALID},
			"no capture":      {func(in *adscan.FindingsInput) { in.CaptureID = "" }, adscan.EINVALID},
			"no flags":        {func(in *adscan.FindingsInput) { in.Flags = nil }, adscan.EINVALID},
			"bad category":    {func(in *adscan.FindingsInput) { in.Flags = []adscan.Flag{{Category: "cheap", Score: 1}} }, adscan.EINVALID},
			"bad score":       {func(in *adscan.FindingsInput) { in.Flags = []adscan.Flag{{Category: adscan.CategoryRanking, Score: 2}} }, adscan.EINVALID},
			"missing capture": {func(in *adscan.FindingsInput) { in.CaptureID = "nope" }, adscan.ENOTFOUND},
		} {
			in := ok
			tc.edit(&in)
			_, _, err := s.RecordFindings(ctx, in)
			if adscan.ErrorCode(err) != tc.code {
				t.Errorf("%s: error %v, want %s", name, err, tc.code)
			}
		}
		if cases, err := s.ListCases(ctx, adscan.CaseFilter{}); err != nil || len(cases) != 0 {
			t.Errorf("after rejected input: %d cases, %v; want none", len(cases), err)
		}
	})
}

func TestListCasesFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "s1")
		createScan(t, s, "s2")
		const other = "https://b.example/"
		_, err := s.UpsertTarget(ctx, adscan.Target{URL: target, Region: "海淀区"})
		must(t, err)
		c1, _ := record(t, s, "s1", target, target+"1", "1", flag(adscan.CategoryRanking, "状元"))
		c2, _ := record(t, s, "s1", target, target+"2", "2", flag(adscan.CategoryLateHours, "21:30"))
		c3, _ := record(t, s, "s2", other, other+"3", "3", flag(adscan.CategoryRanking, "第一"), flag(adscan.CategoryLateHours, "22:00"))
		_, err = s.DecideCase(ctx, c2.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "li"})
		must(t, err)

		ids := func(f adscan.CaseFilter) string {
			t.Helper()
			cases, err := s.ListCases(ctx, f)
			must(t, err)
			var out []string
			for _, c := range cases {
				out = append(out, c.ID)
			}
			return strings.Join(out, ",")
		}
		join := func(cs ...adscan.Case) string {
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return strings.Join(out, ",")
		}
		for name, tc := range map[string]struct {
			f    adscan.CaseFilter
			want string
		}{
			"all, newest first": {adscan.CaseFilter{}, join(c3, c2, c1)},
			"scan":              {adscan.CaseFilter{ScanID: "s1"}, join(c2, c1)},
			"state":             {adscan.CaseFilter{State: adscan.CaseOpen}, join(c3, c1)},
			"category":          {adscan.CaseFilter{Category: adscan.CategoryLateHours}, join(c3, c2)},
			"target":            {adscan.CaseFilter{Target: other}, join(c3)},
			"combined":          {adscan.CaseFilter{ScanID: "s1", Category: adscan.CategoryRanking, State: adscan.CaseOpen}, join(c1)},
			"limit and offset":  {adscan.CaseFilter{Limit: 1, Offset: 1}, join(c2)},
			"no match":          {adscan.CaseFilter{ScanID: "nope"}, ""},
			"search evidence":   {adscan.CaseFilter{Search: "状元"}, join(c1)},
			"search URL":        {adscan.CaseFilter{Search: "B.EXAMPLE"}, join(c3)},
			"search wildcard":   {adscan.CaseFilter{Search: "%"}, ""},
			"after the newest":  {adscan.CaseFilter{After: c3.Cursor()}, join(c2, c1)},
			"after, one page":   {adscan.CaseFilter{After: c3.Cursor(), Limit: 1}, join(c2)},
			"after the last":    {adscan.CaseFilter{After: c1.Cursor()}, ""},
			"after and state":   {adscan.CaseFilter{After: c3.Cursor(), State: adscan.CaseOpen}, join(c1)},
			"oldest first":      {adscan.CaseFilter{Oldest: true}, join(c1, c2, c3)},
			"oldest, after":     {adscan.CaseFilter{Oldest: true, After: c1.Cursor(), Limit: 1}, join(c2)},
			"region":            {adscan.CaseFilter{Region: "海淀区"}, join(c2, c1)},
			"from":              {adscan.CaseFilter{CreatedFrom: c2.CreatedAt}, join(c3, c2)},
			"before":            {adscan.CaseFilter{CreatedBefore: c2.CreatedAt}, join(c1)},
		} {
			if got := ids(tc.f); got != tc.want {
				t.Errorf("%s: got %q, want %q", name, got, tc.want)
			}
		}
		cases, err := s.ListCases(ctx, adscan.CaseFilter{Target: other})
		must(t, err)
		if want := []adscan.Category{adscan.CategoryRanking, adscan.CategoryLateHours}; !slices.Equal(cases[0].Categories, want) {
			t.Errorf("listed categories = %v, want %v", cases[0].Categories, want)
		}
		for f, want := range map[*adscan.CaseFilter]int{
			{}: 3, {State: adscan.CaseOpen}: 2, {Search: "状元"}: 1, {After: c3.Cursor(), Limit: 1}: 3, {ScanID: "nope"}: 0,
		} {
			if n, err := s.CountCases(ctx, *f); err != nil || n != want {
				t.Errorf("CountCases(%+v) = %d, %v; want %d", *f, n, err, want)
			}
		}
		for _, f := range []adscan.CaseFilter{{Limit: -1}, {Offset: -1}, {State: "closed"}, {Category: "cheap"},
			{Search: strings.Repeat("x", 201)}, {After: &adscan.CaseCursor{}}} {
			_, err := s.ListCases(ctx, f)
			if adscan.ErrorCode(err) != adscan.EINVALID {
				t.Errorf("ListCases(%+v) error %v, want EINVALID", f, err)
			}
		}
	})
}

func TestListReferrals(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "s1")
		delivered, _ := record(t, s, "s1", target, target+"1", "1", flag(adscan.CategoryRanking, "状元"))
		failed, _ := record(t, s, "s1", target, target+"2", "2", flag(adscan.CategoryLateHours, "21:30"))
		retried, _ := record(t, s, "s1", target, target+"3", "3", flag(adscan.CategoryLateHours, "22:00"))
		record(t, s, "s1", target, target+"4", "4", flag(adscan.CategoryLateHours, "23:00")) // open: not listed
		for _, c := range []adscan.Case{delivered, failed, retried} {
			_, err := s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "li"})
			must(t, err)
		}
		now := time.Now()
		must(t, s.SaveReferral(ctx, adscan.Referral{CaseID: delivered.ID, Package: []byte("{}"), Destination: "outbox", DeliveredAt: &now}))
		must(t, s.SetCaseState(ctx, delivered.ID, adscan.CaseReferred, "system", "delivered"))
		for _, c := range []adscan.Case{failed, retried} {
			must(t, s.Audit(ctx, adscan.AuditEntry{CaseID: c.ID, Actor: "system", Action: adscan.ActionReferralFailed, Detail: "422 from " + c.ID}))
		}
		must(t, s.Audit(ctx, adscan.AuditEntry{CaseID: retried.ID, Actor: "wang", Action: adscan.ActionReferralRetried}))
		// The retried one's endpoint is down: its attempts fail and are retried.
		for i := 1; i <= 2; i++ {
			must(t, s.NoteReferralAttempt(ctx, retried.ID, fmt.Sprintf("attempt %d: connection refused", i), time.Time{}))
		}
		// The failed one's attempts were cleared when it gave up.
		must(t, s.NoteReferralAttempt(ctx, failed.ID, "attempt 1: timeout", time.Time{}))
		must(t, s.ClearReferralAttempts(ctx, failed.ID))
		// A delivered one's are cleared by its delivery.
		must(t, s.NoteReferralAttempt(ctx, delivered.ID, "attempt 1: timeout", time.Time{}))
		must(t, s.SaveReferral(ctx, adscan.Referral{CaseID: delivered.ID, Package: []byte("{}"), Destination: "outbox", DeliveredAt: &now}))
		wantCode(t, s.NoteReferralAttempt(ctx, "no-such-case", "x", time.Time{}), adscan.ENOTFOUND)

		list, err := s.ListReferrals(ctx, 10, false)
		must(t, err)
		got := map[string]adscan.ReferralStatus{}
		for _, r := range list {
			got[r.CaseID] = r
		}
		if len(list) != 3 || got[delivered.ID].Delivery != adscan.ReferralDelivered || got[delivered.ID].Destination != "outbox" ||
			got[failed.ID].Delivery != adscan.ReferralFailed || got[failed.ID].LastError != "422 from "+failed.ID || got[failed.ID].Failures != 1 ||
			got[failed.ID].LastFailedAt == nil || got[retried.ID].Delivery != adscan.ReferralPending ||
			got[retried.ID].FailedAttempts != 2 || got[retried.ID].LastError != "attempt 2: connection refused" ||
			got[failed.ID].FailedAttempts != 0 || got[delivered.ID].FailedAttempts != 0 || len(got[failed.ID].Categories) != 1 {
			t.Errorf("ListReferrals = %+v", list)
		}
		only, err := s.ListReferrals(ctx, 10, true)
		must(t, err)
		if len(only) != 1 || only[0].CaseID != failed.ID {
			t.Errorf("failed only = %+v", only)
		}
		if one, err := s.ListReferrals(ctx, 1, false); err != nil || len(one) != 1 {
			t.Errorf("limit 1: %d, %v", len(one), err)
		}
		_, err = s.ListReferrals(ctx, 0, false)
		wantCode(t, err, adscan.EINVALID)
	})
}

func TestAssignCases(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "s1")
		c1, _ := record(t, s, "s1", target, target+"1", "1", flag(adscan.CategoryRanking, "状元"))
		c2, _ := record(t, s, "s1", target, target+"2", "2", flag(adscan.CategoryRanking, "第一"))
		n, err := s.AssignCases(ctx, []string{c1.ID, c2.ID}, "li", "wang")
		must(t, err)
		if n != 2 {
			t.Errorf("assigned %d", n)
		}
		if n, _ := s.AssignCases(ctx, []string{c1.ID}, "li", "wang"); n != 0 {
			t.Errorf("assigning again changed %d", n)
		}
		_, err = s.AssignCases(ctx, []string{c1.ID, "nope"}, "zhao", "wang")
		wantCode(t, err, adscan.ENOTFOUND)
		mine, err := s.ListCases(ctx, adscan.CaseFilter{Assignee: "li"})
		must(t, err)
		if len(mine) != 2 || mine[0].Assignee != "li" {
			t.Errorf("li's cases %+v (the failed batch must change none)", mine)
		}
		got, err := s.GetCase(ctx, c1.ID)
		must(t, err)
		if got.Assignee != "li" || got.Audit[len(got.Audit)-1].Action != adscan.ActionCaseAssigned {
			t.Errorf("case %+v", got)
		}
	})
}

func TestTargetsSummariesAndCounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		added, updated, err := s.UpsertTargets(ctx, []adscan.TargetRow{
			{Target: adscan.Target{URL: target, Name: "甲", Region: "海淀区", Licence: adscan.LicenceBlacklist, MaxPages: 30}},
			{Target: adscan.Target{URL: "https://b.example/", Name: "乙", Kind: adscan.KindPlatform}},
		}, "li")
		must(t, err)
		if added != 2 || updated != 0 {
			t.Errorf("added %d updated %d", added, updated)
		}
		// An update changes the columns it gives and keeps the others: a
		// file of url,name does not make a blacklisted site unregistered.
		row := adscan.TargetRow{Target: adscan.Target{URL: "HTTPS://A.example/", Name: "甲2"}, Columns: []string{"url", "name"}}
		if added, updated, err = s.UpsertTargets(ctx, []adscan.TargetRow{row}, "li"); err != nil || added != 0 || updated != 1 {
			t.Errorf("update by another spelling: %d %d %v", added, updated, err)
		}
		row = adscan.TargetRow{Target: adscan.Target{URL: "https://b.example/"}, Columns: []string{"url"}}
		if added, updated, err = s.UpsertTargets(ctx, []adscan.TargetRow{row}, "li"); err != nil || added != 0 || updated != 1 {
			t.Errorf("update of nothing but the URL: %d %d %v", added, updated, err)
		}
		if ts, _ := s.ListTargets(ctx); len(ts) != 2 || ts[0].Name != "甲2" || ts[0].Region != "海淀区" || ts[0].Licence != adscan.LicenceBlacklist ||
			ts[0].MaxPages != 30 || ts[1].Name != "乙" || ts[1].Kind != adscan.KindPlatform {
			t.Errorf("after partial updates: %+v", ts)
		}
		_, _, err = s.UpsertTargets(ctx, []adscan.TargetRow{{Target: adscan.Target{URL: "https://c.example/"}}, {Target: adscan.Target{URL: "ftp://bad/"}}}, "li")
		wantCode(t, err, adscan.EINVALID)
		if ts, _ := s.ListTargets(ctx); len(ts) != 2 {
			t.Errorf("a refused batch saved some: %d targets", len(ts))
		}
		createScan(t, s, "s1")
		c1, _ := record(t, s, "s1", target, target+"1", "1", flag(adscan.CategoryRanking, "状元"))
		record(t, s, "s1", target, target+"2", "2", flag(adscan.CategoryRanking, "第一"))
		_, err = s.DecideCase(ctx, c1.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "li"})
		must(t, err)
		sums, err := s.ListTargetSummaries(ctx)
		must(t, err)
		// by name: 乙 (U+4E59) before 甲 (U+7532)
		if len(sums) != 2 || sums[1].Name != "甲2" || sums[1].OpenCases != 1 || sums[1].LastFetched == nil || sums[0].OpenCases != 0 || sums[0].Kind != adscan.KindPlatform {
			t.Errorf("summaries %+v", sums)
		}
		by, err := s.CountCasesByState(ctx, adscan.CaseFilter{Category: adscan.CategoryRanking, State: adscan.CaseOpen})
		must(t, err)
		if by[adscan.CaseOpen] != 1 || by[adscan.CaseDismissed] != 1 || len(by) != 2 {
			t.Errorf("by state %v", by)
		}
	})
}

// TestCaseStateAndCaseIndex: CaseState reads a case's state alone; a page
// breaking several categories files the case under each of them (in the
// findings and in the case's category bits the dashboard counts) and makes
// every evidence text searchable, and a later version of the page with a
// new category adds that category and its text.
func TestCaseStateAndCaseIndex(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "scan1")
		c, _ := record(t, s, "scan1", target, page, "v1",
			flag(adscan.CategoryEliteAdmission, "名校录取"), flag(adscan.CategoryRanking, "状元"))
		st, err := s.CaseState(ctx, c.ID)
		must(t, err)
		if st != adscan.CaseOpen {
			t.Errorf("CaseState = %q, want open", st)
		}
		_, err = s.CaseState(ctx, "nope")
		wantCode(t, err, adscan.ENOTFOUND)

		found := func(f adscan.CaseFilter) bool {
			t.Helper()
			cs, err := s.ListCases(ctx, f)
			must(t, err)
			return len(cs) == 1 && cs[0].ID == c.ID
		}
		for _, f := range []adscan.CaseFilter{
			{Category: adscan.CategoryEliteAdmission}, {Category: adscan.CategoryRanking},
			{Search: "名校录取"}, {Search: "状元"},
		} {
			if !found(f) {
				t.Errorf("ListCases(%+v) does not find the case", f)
			}
		}
		if found(adscan.CaseFilter{Category: adscan.CategoryHolidayTraining}) || found(adscan.CaseFilter{Search: "暑假"}) {
			t.Error("the case is found by a category and a text it does not have")
		}
		byCategory := func() string { // the dashboard counts open cases by their category bits
			t.Helper()
			d, err := s.Dashboard(ctx, time.Now(), 0, 1)
			must(t, err)
			var keys []string
			for _, c := range d.OpenByCategory {
				keys = append(keys, fmt.Sprintf("%s=%d", c.Key, c.N))
			}
			slices.Sort(keys)
			return strings.Join(keys, " ")
		}
		if got, want := byCategory(), "elite_admission=1 ranking=1"; got != want {
			t.Errorf("open cases by category %q, want %q", got, want)
		}
		record(t, s, "scan1", target, page, "v2", flag(adscan.CategoryHolidayTraining, "暑假班"))
		if !found(adscan.CaseFilter{Category: adscan.CategoryHolidayTraining}) || !found(adscan.CaseFilter{Search: "暑假班"}) ||
			!found(adscan.CaseFilter{Category: adscan.CategoryRanking}) {
			t.Error("a later version's category and text are not added to the case's")
		}
		if got, want := byCategory(), "elite_admission=1 holiday_training=1 ranking=1"; got != want {
			t.Errorf("after a later version, open cases by category %q, want %q", got, want)
		}
	})
}
