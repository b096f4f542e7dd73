package web

import (
	"net/http"
	"strings"
	"time"

	"adscan"
)

// listCases returns cases filtered by ?scan=, ?state=, ?category=,
// ?target= and ?q= (a search of URLs, target names and evidence), newest
// first, at most ?limit= (default 100, at most 1000). The body is the JSON
// array of cases; when more follow, a Link header with rel="next" (and
// X-Next-Cursor) gives the URL of the next page (?after=CURSOR, keyset
// pagination), and X-Total-Count says how many cases the filter keeps. An
// unknown state or category, or a bad cursor, is a 400.
func (h *handler) listCases(w http.ResponseWriter, r *http.Request) error {
	if err := onlyQuery(r, caseFilterParams...); err != nil {
		return err
	}
	f, err := h.caseFilter(r)
	if err != nil {
		return err
	}
	cases, next, err := h.casePage(r, f)
	if err != nil {
		return err
	}
	total, err := h.store.CountCases(r.Context(), f)
	if err != nil {
		return err
	}
	writePageHeaders(w, r, next, total)
	h.writeJSON(w, r, http.StatusOK, cases)
	return nil
}

// casePage lists one page of the cases f keeps (never nil) and the cursor
// of the next page ("" on the last), asking the store for one more than
// f.Limit to know whether another page follows.
func (h *handler) casePage(r *http.Request, f adscan.CaseFilter) ([]adscan.Case, string, error) {
	limit := f.Limit
	f.Limit++
	cases, err := h.store.ListCases(r.Context(), f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(cases) > limit {
		cases = cases[:limit]
		next = caseCursorString(cases[limit-1].Cursor(), f.Oldest)
	}
	if cases == nil {
		cases = []adscan.Case{}
	}
	return cases, next, nil
}

// caseFilterParams are the query parameters caseFilter reads.
var caseFilterParams = []string{"scan", "state", "category", "target", "q", "region", "assignee", "mine",
	"from", "to", "overdue", "sort", "after", "limit", "offset"}

// canonicalTarget is a target filter as the cases record their target:
// in canonical form (www.example.cn and https://WWW.example.cn are
// http://www.example.cn/ and https://www.example.cn/). A value that is no
// URL is refused (EINVALID), as everywhere a URL is taken.
func canonicalTarget(v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	norm, err := adscan.ParseTargetURL(v, true)
	if err != nil {
		return "", adscan.Errorf(adscan.EINVALID, "query parameter target=%q: %s", v, adscan.ErrorMessage(err)).
			ZHf("目标网站“%s”不是有效的网址。", v)
	}
	return norm, nil
}

// caseFilter reads a case filter from the query string: scan, state,
// category, target, region, q (search), from and to (dates, YYYY-MM-DD,
// China Standard Time, both included), sort (newest, the default, or
// oldest), after (a cursor), limit and offset.
func (h *handler) caseFilter(r *http.Request) (adscan.CaseFilter, error) {
	q := r.URL.Query()
	f := adscan.CaseFilter{
		ScanID:   q.Get("scan"),
		State:    adscan.CaseState(q.Get("state")),
		Category: adscan.Category(q.Get("category")),
		Search:   q.Get("q"),
		Region:   q.Get("region"),
		Assignee: q.Get("assignee"),
	}
	target, err := canonicalTarget(q.Get("target"))
	if err != nil {
		return f, err
	}
	f.Target = target
	mine, err := queryFlag(q, "mine")
	if err != nil {
		return f, err
	}
	overdue, err := queryFlag(q, "overdue")
	if err != nil {
		return f, err
	}
	if mine {
		f.Assignee = principalFrom(r.Context()).User.Name
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
		add  int // days: "to" includes its day
	}{{"from", &f.CreatedFrom, 0}, {"to", &f.CreatedBefore, 1}} {
		v := strings.TrimSpace(q.Get(d.name))
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, consoleZone)
		if err != nil {
			return f, adscan.Errorf(adscan.EINVALID, "query parameter %s=%q is not a date such as 2026-12-01", d.name, v).ZHf("日期“%s”无效，应如 2026-12-01。", v)
		}
		*d.dst = t.AddDate(0, 0, d.add)
	}
	if overdue {
		f.State = adscan.CaseOpen
		if cut := h.now().Add(-h.reviewSLA); f.CreatedBefore.IsZero() || cut.Before(f.CreatedBefore) {
			f.CreatedBefore = cut
		}
	}
	switch q.Get("sort") {
	case "", "newest":
	case "oldest":
		f.Oldest = true
	default:
		return f, adscan.Errorf(adscan.EINVALID, "query parameter sort=%q is not newest or oldest", q.Get("sort")).ZHf("排序方式“%s”无效。", q.Get("sort"))
	}
	if a := q.Get("after"); a != "" {
		c, err := parseCaseCursor(a, f.Oldest)
		if err != nil {
			return f, err
		}
		f.After = c
	}
	if f.State != "" && !f.State.Valid() {
		return f, adscan.Errorf(adscan.EINVALID, "query parameter state=%q is not one of %s", f.State, adscan.JoinCaseStates()).ZHf("案件状态“%s”无效。", f.State)
	}
	if f.Category != "" && !f.Category.Valid() {
		return f, adscan.Errorf(adscan.EINVALID, "query parameter category=%q is not a known category", f.Category).ZHf("违规类别“%s”无效。", f.Category)
	}
	if f.Limit, err = queryInt(q, "limit", 100, maxListLimit); err != nil {
		return f, err
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Offset, err = queryInt(q, "offset", 0, 1<<31-1); err != nil {
		return f, err
	}
	return f, nil
}

// oldestCursor marks the cursors of oldest-first case lists. A place in
// the list means the next cases in its own order: a newest-first cursor
// asked with sort=oldest would page backwards from it.
const oldestCursor = "oldest."

// caseCursorString is the cursor a case list gives as next.
func caseCursorString(c *adscan.CaseCursor, oldest bool) string {
	if oldest {
		return oldestCursor + c.String()
	}
	return c.String()
}

// parseCaseCursor reads a cursor caseCursorString made for a list of the
// same order; EINVALID naming it otherwise.
func parseCaseCursor(s string, oldest bool) (*adscan.CaseCursor, error) {
	rest, isOldest := strings.CutPrefix(s, oldestCursor)
	if isOldest != oldest {
		order := map[bool]string{true: "oldest", false: "newest"}
		return nil, adscan.Errorf(adscan.EINVALID, "%q is a cursor of the %s-first case list; ask with sort=%s as the list that gave it",
			s, order[isOldest], order[isOldest])
	}
	return adscan.ParseCaseCursor(rest)
}
