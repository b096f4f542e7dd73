package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"adscan"
)

// followPages gets path as user and follows its Link rel="next" headers to
// the end. It fails unless every page but the last is full (pageSize
// items), says there is more (Link and X-Next-Cursor agree), the last has
// no next, and each page's X-Total-Count is total (-1: absent). It returns
// the key of every item in order.
func followPages(t *testing.T, h *harness, path, user string, pageSize, total int, key func(json.RawMessage) string) []string {
	t.Helper()
	var keys []string
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatalf("%s: the pages never end", path)
		}
		w := h.do(request{method: "GET", path: path, user: user})
		wantStatus(t, w, http.StatusOK)
		items := decode[[]json.RawMessage](t, w)
		for _, it := range items {
			keys = append(keys, key(it))
		}
		wantTotal := ""
		if total >= 0 {
			wantTotal = strconv.Itoa(total)
		}
		if got := w.Header().Get("X-Total-Count"); got != wantTotal {
			t.Errorf("%s: X-Total-Count %q, want %q", path, got, wantTotal)
		}
		link, cursor := w.Header().Get("Link"), w.Header().Get("X-Next-Cursor")
		if link == "" {
			if cursor != "" || len(keys) != total && total >= 0 {
				t.Errorf("%s: last page: X-Next-Cursor %q, %d items in all, want %d", path, cursor, len(keys), total)
			}
			return keys
		}
		if len(items) != pageSize || !strings.HasSuffix(link, `>; rel="next"`) || cursor == "" {
			t.Fatalf("%s: %d items (want %d), Link %q, X-Next-Cursor %q", path, len(items), pageSize, link, cursor)
		}
		next := link[strings.Index(link, "<")+1 : strings.Index(link, ">")]
		if !strings.Contains(next, "after="+cursor) {
			t.Fatalf("%s: next link %q does not carry the cursor %q", path, next, cursor)
		}
		path = next
	}
}

// wantEach fails unless got lists each of want exactly once, in any order.
func wantEach(t *testing.T, what string, got []string, want int) {
	t.Helper()
	seen := map[string]bool{}
	for _, k := range got {
		if seen[k] {
			t.Errorf("%s: %s listed twice", what, k)
		}
		seen[k] = true
	}
	if len(seen) != want {
		t.Errorf("%s: %d distinct items listed, want %d", what, len(seen), want)
	}
}

// field returns a string field of a JSON object.
func field(name string) func(json.RawMessage) string {
	return func(m json.RawMessage) string {
		var v map[string]any
		_ = json.Unmarshal(m, &v)
		s, _ := v[name].(string)
		return s
	}
}

func TestListScansPages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 103 {
		// Every fourth shares a start time with the one before: the ID breaks the tie.
		must(t, h.store.CreateScan(ctx, adscan.Scan{ID: fmt.Sprintf("scan-%03d", i), StartedAt: at.Add(time.Duration(i-i%4/3) * time.Minute)}))
	}
	got := followPages(t, h, "/api/scans?limit=100", "viewer", 100, 103, field("id"))
	wantEach(t, "scans", got, 103)
	if got[0] != "scan-102" || got[102] != "scan-000" {
		t.Errorf("scans from %s to %s, want newest (scan-102) first", got[0], got[102])
	}
	wantEach(t, "scans by the default page of 50", followPages(t, h, "/api/scans", "viewer", 50, 103, field("id")), 103)
}

func TestListScanErrorsPages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	must(t, h.store.CreateScan(ctx, adscan.Scan{ID: "s1"}))
	for i := range 103 {
		must(t, h.store.AddScanError(ctx, adscan.ScanError{ScanID: "s1", Target: fmt.Sprintf("https://t%d.example/", i%3),
			URL: fmt.Sprintf("https://t%d.example/p%03d", i%3, i), Kind: adscan.FetchTimeout}))
	}
	got := followPages(t, h, "/api/scans/s1/errors", "viewer", 100, 103, field("url"))
	wantEach(t, "scan errors", got, 103)
	wantEach(t, "scan errors, 7 a page", followPages(t, h, "/api/scans/s1/errors?limit=7", "viewer", 7, 103, field("url")), 103)
	wantError(t, h.do(request{method: "GET", path: "/api/scans/nope/errors", user: "viewer"}), http.StatusNotFound, "nope")
}

func TestListTargetsPages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 103 {
		_, err := h.store.UpsertTarget(ctx, adscan.Target{URL: fmt.Sprintf("https://site%03d.example/", i), Name: "机构"})
		must(t, err)
	}
	got := followPages(t, h, "/api/targets", "viewer", 100, 103, field("url"))
	wantEach(t, "targets", got, 103)
}

func TestListUsersPages(t *testing.T) {
	h := newHarness(t) // four users, one of each role
	for i := range 99 {
		h.addUser(fmt.Sprintf("user%02d", i), adscan.RoleViewer)
	}
	got := followPages(t, h, "/api/users", "admin", 100, 103, field("name"))
	wantEach(t, "users", got, 103)
	wantStatus(t, h.do(request{method: "GET", path: "/api/users", user: "regulator"}), http.StatusForbidden)
}

func TestListSchedulesPages(t *testing.T) {
	h := newHarness(t)
	for i := range 7 {
		_, err := h.orch.CreateSchedule(context.Background(), adscan.Schedule{ID: fmt.Sprintf("nightly-%d", i), Cron: "0 3 * * *", Targets: []adscan.ScanTarget{{URL: "https://a.example/"}}})
		must(t, err)
	}
	got := followPages(t, h, "/api/schedules?limit=3", "viewer", 3, -1, field("id"))
	wantEach(t, "schedules", got, 7)
}

func TestListReferralsPages(t *testing.T) {
	h := newHarness(t)
	for i := range 103 {
		c := h.seedCase("s1", "https://a.example/", fmt.Sprintf("https://a.example/p%03d", i), "中考状元", adscan.CategoryRanking)
		_, err := h.store.DecideCase(context.Background(), c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "reviewer"})
		must(t, err)
		if i%2 == 0 {
			must(t, h.store.Audit(context.Background(), adscan.AuditEntry{CaseID: c.ID, Actor: "system", Action: adscan.ActionReferralFailed, Detail: "502"}))
		}
	}
	wantEach(t, "referrals", followPages(t, h, "/api/referrals", "viewer", 100, 103, field("case_id")), 103)
	wantEach(t, "failed referrals", followPages(t, h, "/api/referrals?failed=1&limit=20", "viewer", 20, -1, field("case_id")), 52)
	rows := followConsolePages(t, h, "/referrals?limit=40", "viewer", `tr[data-case]`, "data-case", 40)
	wantEach(t, "/referrals", rows, 103)
}

func TestListBadCursor(t *testing.T) {
	h := newHarness(t)
	must(t, h.store.CreateScan(context.Background(), adscan.Scan{ID: "s1"}))
	scanCursor := adscan.Scan{ID: "s1", StartedAt: time.Now()}.Cursor().String()
	for _, path := range []string{"/api/scans", "/api/scans/s1/errors", "/api/targets", "/api/users", "/api/schedules", "/api/referrals"} {
		for _, bad := range []string{"nonsense", adscan.User{Name: "li"}.Cursor().String()} {
			if path == "/api/users" && bad != "nonsense" {
				bad = scanCursor // a cursor of another list
			}
			w := h.do(request{method: "GET", path: path + "?after=" + bad, user: "admin"})
			wantError(t, w, http.StatusBadRequest, fmt.Sprintf("%q", bad))
		}
		wantError(t, h.do(request{method: "GET", path: path + "?limit=-1", user: "admin"}), http.StatusBadRequest, `limit="-1"`)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// followConsolePages gets a console list page as user and follows its
// 下一页 links, counting the rows sel finds on each page. It fails unless
// every page but the last has pageSize rows and every page after the
// first links back to it; it returns the data-attr values of all rows.
func followConsolePages(t *testing.T, h *harness, path, user, sel, attr string, pageSize int) []string {
	t.Helper()
	var keys []string
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatalf("%s: the pages never end", path)
		}
		doc := htmlPage(t, h.do(request{method: "GET", path: path, user: user}), http.StatusOK)
		rows := doc.Find(sel)
		rows.Each(func(_ int, s *goquery.Selection) { keys = append(keys, s.AttrOr(attr, "")) })
		if first := doc.Find(`nav.pager a:not([rel=next])`); pages > 0 && first.Length() != 1 {
			t.Errorf("%s: no link back to the first page", path)
		}
		next, ok := doc.Find(`a#next-page[rel=next]`).Attr("href")
		if !ok {
			return keys
		}
		if rows.Length() != pageSize || doc.Find(`a#next-page`).Text() != "下一页 »" {
			t.Fatalf("%s: %d rows (want %d) on a page with a next link", path, rows.Length(), pageSize)
		}
		path = next
	}
}

func TestConsoleListPages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 103 {
		must(t, h.store.CreateScan(ctx, adscan.Scan{ID: fmt.Sprintf("scan-%03d", i), Status: adscan.ScanCompleted}))
		_, err := h.store.UpsertTarget(ctx, adscan.Target{URL: fmt.Sprintf("https://site%03d.example/", i), Name: "机构"})
		must(t, err)
		must(t, h.store.AddScanError(ctx, adscan.ScanError{ScanID: "scan-000", Target: "https://site000.example/",
			URL: fmt.Sprintf("https://site000.example/p%03d", i), Kind: adscan.FetchTimeout}))
	}
	for i := range 99 {
		h.addUser(fmt.Sprintf("user%02d", i), adscan.RoleViewer)
	}
	wantEach(t, "/scans", followConsolePages(t, h, "/scans", "viewer", `tr[data-scan]`, "data-scan", 100), 103)
	wantEach(t, "/targets", followConsolePages(t, h, "/targets", "regulator", `tr[data-target]`, "data-target", 100), 103)
	wantEach(t, "/admin/users", followConsolePages(t, h, "/admin/users", "admin", `tr[data-user]`, "data-user", 100), 103)
	errs := followConsolePages(t, h, "/scans/scan-000?limit=40", "viewer", `section#errors tbody tr`, "", 40)
	if len(errs) != 103 {
		t.Errorf("/scans/scan-000: %d failed pages over the pages, want 103", len(errs))
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/targets", user: "viewer"}), http.StatusOK)
	if !strings.Contains(doc.Find("h1").Text(), "共 103 个") {
		t.Errorf("/targets heading %q, want the total", doc.Find("h1").Text())
	}
	wantStatus(t, h.do(request{method: "GET", path: "/scans?after=nonsense", user: "viewer"}), http.StatusBadRequest)
}

// A list asked with a parameter it does not read (a script's ?cursor= for
// ?after=, or ?page=2) says so, rather than giving the first page again.
func TestAPIListsRefuseUnknownParameters(t *testing.T) {
	h := newHarness(t)
	must(t, h.store.CreateScan(context.Background(), adscan.Scan{ID: "s1"}))
	for _, path := range []string{"/api/scans", "/api/scans/s1/errors", "/api/cases?state=open", "/api/referrals?failed=1",
		"/api/schedules", "/api/profiles", "/api/targets", "/api/users"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		w := h.do(request{method: "GET", path: path + sep + "cursor=abc&limit=5", user: "admin"})
		wantError(t, w, http.StatusBadRequest, `unknown query parameter "cursor"`)
		if !strings.Contains(w.Body.String(), "after") {
			t.Errorf("%s: the error does not name the parameters the route takes: %s", path, w.Body.String())
		}
		wantStatus(t, h.do(request{method: "GET", path: path + sep + "limit=5", user: "admin"}), http.StatusOK)
	}
}

// An on/off parameter takes 1 or 0; anything else is a 400 naming it, not
// the whole list.
func TestListFlagsTakeOneOrZero(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/api/referrals?failed=maybe", "/api/cases?overdue=yes", "/api/cases?mine=true"} {
		wantError(t, h.do(request{method: "GET", path: path, user: "admin"}), http.StatusBadRequest, "must be 1 or 0")
	}
	for _, path := range []string{"/api/referrals?failed=1", "/api/referrals?failed=0", "/api/cases?overdue=1&mine=0"} {
		wantStatus(t, h.do(request{method: "GET", path: path, user: "admin"}), http.StatusOK)
	}
	for _, path := range []string{"/referrals?failed=abc", "/cases?overdue=maybe"} {
		wantStatus(t, h.do(request{method: "GET", path: path, user: "admin"}), http.StatusBadRequest)
	}
}

// A cursor belongs to the list that gave it: one scan's errors are not
// another's, and a newest-first case list's place is not an oldest-first
// one's (it would page backwards).
func TestCursorsBelongToTheirList(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, id := range []string{"s1", "s2"} {
		must(t, h.store.CreateScan(ctx, adscan.Scan{ID: id}))
		for i := range 3 {
			must(t, h.store.AddScanError(ctx, adscan.ScanError{ScanID: id, Target: "https://t.example/",
				URL: fmt.Sprintf("https://t.example/p%d", i), Kind: adscan.FetchTimeout}))
		}
	}
	w := h.do(request{method: "GET", path: "/api/scans/s1/errors?limit=1", user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	cursor := w.Header().Get("X-Next-Cursor")
	wantStatus(t, h.do(request{method: "GET", path: "/api/scans/s1/errors?after=" + cursor, user: "viewer"}), http.StatusOK)
	wantError(t, h.do(request{method: "GET", path: "/api/scans/s2/errors?after=" + cursor, user: "viewer"}), http.StatusBadRequest, "cursor")

	for i := range 5 {
		h.seedCase("s1", "https://t.example/", fmt.Sprintf("https://t.example/c%d", i), "小学数学火热招生", adscan.CategoryTutoringAd)
	}
	for _, order := range []string{"newest", "oldest"} {
		w := h.do(request{method: "GET", path: "/api/cases?limit=2&sort=" + order, user: "viewer"})
		wantStatus(t, w, http.StatusOK)
		cursor := w.Header().Get("X-Next-Cursor")
		other := map[string]string{"newest": "oldest", "oldest": "newest"}[order]
		wantStatus(t, h.do(request{method: "GET", path: "/api/cases?sort=" + order + "&after=" + cursor, user: "viewer"}), http.StatusOK)
		wantError(t, h.do(request{method: "GET", path: "/api/cases?sort=" + other + "&after=" + cursor, user: "viewer"}),
			http.StatusBadRequest, "sort="+order)
	}
}
