package web

import (
	"net/http"

	"adscan"
)

// listCases returns cases filtered by ?scan=, ?state=, ?category=, ?target=,
// paged by ?limit= (default 100, at most 1000) and ?offset=. An unknown
// state or category is a 400.
func (h *handler) listCases(w http.ResponseWriter, r *http.Request) error {
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	cases, err := h.store.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	if cases == nil {
		cases = []adscan.Case{}
	}
	h.writeJSON(w, r, http.StatusOK, cases)
	return nil
}

// caseFilter reads a case filter from the query string.
func caseFilter(r *http.Request) (adscan.CaseFilter, error) {
	q := r.URL.Query()
	f := adscan.CaseFilter{
		ScanID:   q.Get("scan"),
		State:    adscan.CaseState(q.Get("state")),
		Category: adscan.Category(q.Get("category")),
		Target:   q.Get("target"),
	}
	if f.State != "" && !f.State.Valid() {
		return f, adscan.Errorf(adscan.EINVALID, "query parameter state=%q is not one of %s", f.State, adscan.JoinCaseStates())
	}
	if f.Category != "" && !f.Category.Valid() {
		return f, adscan.Errorf(adscan.EINVALID, "query parameter category=%q is not a known category", f.Category)
	}
	var err error
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
