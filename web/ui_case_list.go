package web

import (
	"net/http"
	"net/url"

	"adscan"
)

// queuePageSize is how many cases a page of the queue shows.
const queuePageSize = 50

// caseQueue is the data of the queue page.
type caseQueue struct {
	Filter     adscan.CaseFilter
	Cases      []adscan.Case
	Total      int
	StateTabs  []stateTab
	Categories []adscan.Category
	NextURL    string // "" on the last page
	FirstURL   string // the first page of the same filter; "" on it
	TargetName map[string]string
	// The query's own words, to fill the form again.
	From, To, Sort string
	Overdue        bool
	Mine           bool
	ExportURL      string // the same filter as CSV
	Notice         string // what the last bulk action did
	NoticeFailed   bool   // the notice says why it did nothing
	Back           string // this page, to come back to after a bulk action
	CanDecide      bool   // reviewers: the bulk actions
	Users          []string
	Me             string
}

// stateTab is a state with how many cases the rest of the filter keeps in it.
type stateTab struct {
	State  adscan.CaseState // "" for every state
	Count  int
	URL    string
	Active bool
}

// showCaseList renders the queue: the cases the query's filter keeps
// (state, category, target, scan, q), newest first, a page at a time
// (?after=CURSOR), with how many cases each state holds under the rest of
// the filter. A bad filter is a 400 page.
func (h *handler) showCaseList(w http.ResponseWriter, r *http.Request) error {
	f, err := h.caseFilter(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("limit") == "" {
		f.Limit = queuePageSize
	}
	cases, next, err := h.casePage(r, f)
	if err != nil {
		return err
	}
	byState, err := h.store.CountCasesByState(r.Context(), f)
	if err != nil {
		return err
	}
	all := 0
	for _, n := range byState {
		all += n
	}
	total := byState[f.State]
	if f.State == "" {
		total = all
	}
	base := r.URL.Query()
	q := caseQueue{Filter: f, Cases: cases, Total: total, Categories: adscan.Categories,
		From: base.Get("from"), To: base.Get("to"), Sort: base.Get("sort"), Overdue: base.Get("overdue") == "1",
		Mine: base.Get("mine") == "1", Me: principalFrom(r.Context()).User.Name,
		CanDecide: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleReviewer)}
	q.Notice, q.NoticeFailed = h.signedNotice(base)
	base.Del("notice")
	base.Del("nsig")
	q.Back = "/cases?" + base.Encode()
	if q.CanDecide {
		users, err := h.store.ListUsers(r.Context())
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Disabled && u.Role.AtLeast(adscan.RoleReviewer) {
				q.Users = append(q.Users, u.Name)
			}
		}
	}
	base.Del("after")
	base.Del("offset")
	if next != "" {
		v := cloneValues(base)
		v.Set("after", next)
		q.NextURL = "/cases?" + v.Encode()
	}
	if f.After != nil {
		q.FirstURL = "/cases?" + base.Encode()
	}
	q.ExportURL = "/cases.csv?" + base.Encode()
	for _, s := range append([]adscan.CaseState{""}, adscan.CaseStates...) {
		v := cloneValues(base)
		n := byState[s]
		if s == "" {
			v.Del("state")
			n = all
		} else {
			v.Set("state", string(s))
		}
		q.StateTabs = append(q.StateTabs, stateTab{State: s, Count: n, URL: "/cases?" + v.Encode(), Active: s == f.State})
	}
	if q.TargetName, err = h.targetNames(r); err != nil {
		return err
	}
	d := h.newPageData(r, "案件队列")
	d.Page = q
	h.render(w, r, http.StatusOK, "cases", d)
	return nil
}

// targetNames maps each registered target's URL to its name.
func (h *handler) targetNames(r *http.Request) (map[string]string, error) {
	ts, err := h.store.ListTargets(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		if t.Name != "" {
			m[t.URL] = t.Name
		}
	}
	return m, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
