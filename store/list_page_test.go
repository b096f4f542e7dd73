package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"adscan"
)

// pageAll follows a list page by page (limit items each) and returns the
// keys of every item in the order the pages gave them, failing the test if
// a page other than the last is short or the pages do not end.
func pageAll[T any](t *testing.T, limit int, list func(adscan.ListPage) ([]T, error), key func(T) string, cursor func(T) *adscan.ListCursor) []string {
	t.Helper()
	var keys []string
	p := adscan.ListPage{Limit: limit}
	for range 100 {
		items, err := list(p)
		must(t, err)
		for _, it := range items {
			keys = append(keys, key(it))
		}
		if len(items) < limit {
			return keys
		}
		// Round-trip the cursor through its text, as the API does.
		c := cursor(items[len(items)-1])
		back, err := adscan.ParseListCursor(c.List, c.String())
		must(t, err)
		p.After = back
	}
	t.Fatal("the pages never ended")
	return nil
}

// wantOnceInOrder fails unless got is want: every item once, in order.
func wantOnceInOrder(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s paged = %d items %v, want %d items %v", what, len(got), got, len(want), want)
	}
}

func TestListPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		same := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC) // ties on the time: the ID orders them

		var scans []string
		for i := range 23 {
			sc := adscan.Scan{ID: fmt.Sprintf("s%02d", i)}
			if i%3 == 0 {
				sc.StartedAt = same
			}
			must(t, s.CreateScan(ctx, sc))
		}
		all, err := s.ListScans(ctx, 1000)
		must(t, err)
		for _, sc := range all {
			scans = append(scans, sc.ID)
		}
		if len(scans) != 23 {
			t.Fatalf("ListScans = %d scans, want 23", len(scans))
		}
		got := pageAll(t, 5, func(p adscan.ListPage) ([]adscan.Scan, error) { return s.ListScansPage(ctx, p) },
			func(sc adscan.Scan) string { return sc.ID }, adscan.Scan.Cursor)
		wantOnceInOrder(t, "scans", got, scans)
		if n, err := s.CountScans(ctx); err != nil || n != 23 {
			t.Errorf("CountScans = %d, %v; want 23", n, err)
		}

		var errs []string
		for i := range 17 {
			e := adscan.ScanError{ScanID: "s01", Target: fmt.Sprintf("https://t%d.example/", i%4),
				URL: fmt.Sprintf("https://t%d.example/p%02d", i%4, i), Kind: adscan.FetchTimeout}
			must(t, s.AddScanError(ctx, e))
			errs = append(errs, e.URL)
		}
		must(t, s.AddScanError(ctx, adscan.ScanError{ScanID: "s02", URL: "https://other.example/", Kind: adscan.FetchOther}))
		slices.Sort(errs) // target is the URL's prefix here, so by target and URL is by URL
		got = pageAll(t, 4, func(p adscan.ListPage) ([]adscan.ScanError, error) { return s.ListScanErrorsPage(ctx, "s01", p) },
			func(e adscan.ScanError) string { return e.URL }, adscan.ScanError.Cursor)
		wantOnceInOrder(t, "scan errors", got, errs)
		if n, err := s.CountScanErrors(ctx, "s01"); err != nil || n != 17 {
			t.Errorf("CountScanErrors = %d, %v; want 17", n, err)
		}

		for i := range 12 {
			tg := adscan.Target{URL: fmt.Sprintf("https://site%02d.example/", i), Name: fmt.Sprintf("机构%d", i%3)}
			if i%2 == 0 {
				tg.CreatedAt = same
			}
			_, err := s.UpsertTarget(ctx, tg)
			must(t, err)
		}
		ts, err := s.ListTargets(ctx)
		must(t, err)
		var targets []string
		for _, tg := range ts {
			targets = append(targets, tg.URL)
		}
		got = pageAll(t, 5, func(p adscan.ListPage) ([]adscan.Target, error) { return s.ListTargetsPage(ctx, p) },
			func(tg adscan.Target) string { return tg.URL }, adscan.Target.Cursor)
		wantOnceInOrder(t, "targets", got, targets)
		sums, err := s.ListTargetSummaries(ctx)
		must(t, err)
		var byName []string
		for _, ts := range sums {
			byName = append(byName, ts.URL)
		}
		got = pageAll(t, 5, func(p adscan.ListPage) ([]adscan.TargetSummary, error) { return s.ListTargetSummariesPage(ctx, p) },
			func(ts adscan.TargetSummary) string { return ts.URL }, func(ts adscan.TargetSummary) *adscan.ListCursor { return ts.NameCursor() })
		wantOnceInOrder(t, "target summaries", got, byName)
		if n, err := s.CountTargets(ctx); err != nil || n != 12 {
			t.Errorf("CountTargets = %d, %v; want 12", n, err)
		}

		var users []string
		for i := range 11 {
			u := adscan.User{Name: fmt.Sprintf("u%02d", i), Role: adscan.RoleViewer, PasswordHash: "$2a$hash"}
			must(t, s.CreateUser(ctx, u, "test"))
			users = append(users, u.Name)
		}
		got = pageAll(t, 3, func(p adscan.ListPage) ([]adscan.User, error) { return s.ListUsersPage(ctx, p) },
			func(u adscan.User) string { return u.Name }, adscan.User.Cursor)
		wantOnceInOrder(t, "users", got, users)
		if n, err := s.CountUsers(ctx); err != nil || n != 11 {
			t.Errorf("CountUsers = %d, %v; want 11", n, err)
		}

		// A cursor of another list, or a negative limit, is refused.
		_, err = s.ListUsersPage(ctx, adscan.ListPage{After: adscan.Scan{ID: "s01"}.Cursor()})
		wantCode(t, err, adscan.EINVALID)
		_, err = s.ListScansPage(ctx, adscan.ListPage{Limit: -1})
		wantCode(t, err, adscan.EINVALID)
	})
}

func TestParseListCursor(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 123456789, time.UTC)
	for _, c := range []adscan.ListCursor{
		{List: adscan.ScanList, At: at, ID: "s1"},
		{List: adscan.ScanErrorList, Key: "https://a.example/", ID: "https://a.example/x?y=1"},
		{List: adscan.UserList, ID: "li"},
	} {
		got, err := adscan.ParseListCursor(c.List, c.String())
		if err != nil || !got.At.Equal(c.At) || got.Key != c.Key || got.ID != c.ID || got.List != c.List {
			t.Errorf("ParseListCursor(%+v) = %+v, %v", c, got, err)
		}
	}
	for _, s := range []string{"", "nope!", adscan.ListCursor{List: adscan.UserList, ID: "li"}.String()} {
		_, err := adscan.ParseListCursor(adscan.ScanList, s)
		if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
			t.Errorf("ParseListCursor(scans, %q) = %v, want EINVALID naming it", s, err)
		}
	}
}

func TestListReferralsPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "s1")
		for i := range 13 {
			c, _ := record(t, s, "s1", target, fmt.Sprintf("%sp%02d", target, i), fmt.Sprint(i), flag(adscan.CategoryLateHours, "21:30"))
			_, err := s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "li"})
			must(t, err)
			if i%3 == 0 {
				must(t, s.Audit(ctx, adscan.AuditEntry{CaseID: c.ID, Actor: "system", Action: adscan.ActionReferralFailed, Detail: "422"}))
			}
		}
		record(t, s, "s1", target, target+"open", "open", flag(adscan.CategoryLateHours, "23:00")) // open: not listed
		for _, onlyFailed := range []bool{false, true} {
			all, err := s.ListReferrals(ctx, 1000, onlyFailed)
			must(t, err)
			var want []string
			for _, r := range all {
				want = append(want, r.CaseID)
			}
			got := pageAll(t, 4, func(p adscan.ListPage) ([]adscan.ReferralStatus, error) {
				return s.ListReferralsPage(ctx, p, onlyFailed)
			},
				func(r adscan.ReferralStatus) string { return r.CaseID }, adscan.ReferralStatus.Cursor)
			wantOnceInOrder(t, fmt.Sprintf("referrals (only failed: %v)", onlyFailed), got, want)
		}
		if n, err := s.CountReferrals(ctx); err != nil || n != 13 {
			t.Errorf("CountReferrals = %d, %v; want 13", n, err)
		}
	})
}
