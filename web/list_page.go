package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"adscan"
)

// pageQuery reads a request for one page of list from the query string:
// ?after= (a cursor the previous page gave as next) and ?limit= (def if
// absent or 0, at most maxListLimit). EINVALID naming the value for a bad
// cursor or limit.
func pageQuery(r *http.Request, list adscan.ListName, def int) (adscan.ListPage, error) {
	q := r.URL.Query()
	var p adscan.ListPage
	var err error
	if p.Limit, err = queryInt(q, "limit", def, maxListLimit); err != nil {
		return p, err
	}
	if p.Limit == 0 {
		p.Limit = def
	}
	if a := q.Get("after"); a != "" {
		if p.After, err = adscan.ParseListCursor(list, a); err != nil {
			return p, err
		}
	}
	return p, nil
}

// onePage lists one page (never nil) and the cursor of the next page (""
// on the last), asking list for one more item than p.Limit to know
// whether another page follows.
func onePage[T any](p adscan.ListPage, list func(adscan.ListPage) ([]T, error), cursor func(T) *adscan.ListCursor) ([]T, string, error) {
	limit := p.Limit
	p.Limit++
	items, err := list(p)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = cursor(items[limit-1]).String()
	}
	if items == nil {
		items = []T{}
	}
	return items, next, nil
}

// readPage reads the page of a list that r asks for (?after= and ?limit=,
// def if absent: see pageQuery) with list, and returns the page asked for,
// its items (never nil) and the cursor of the next page ("" on the last;
// see onePage). A bad cursor or limit is an EINVALID error; list's errors
// are returned as they are.
func readPage[T any](r *http.Request, name adscan.ListName, def int,
	list func(context.Context, adscan.ListPage) ([]T, error), cursor func(T) *adscan.ListCursor) (adscan.ListPage, []T, string, error) {
	p, err := pageQuery(r, name, def)
	if err != nil {
		return p, nil, "", err
	}
	items, next, err := onePage(p, func(p adscan.ListPage) ([]T, error) {
		return list(r.Context(), p)
	}, cursor)
	return p, items, next, err
}

// pageParams are the query parameters of a page of a list.
var pageParams = []string{"after", "limit"}

// readAPIPage is readPage for an API list that takes no parameters but the
// page's own: any other is a 400 (onlyQuery).
func readAPIPage[T any](r *http.Request, name adscan.ListName, def int,
	list func(context.Context, adscan.ListPage) ([]T, error), cursor func(T) *adscan.ListCursor) ([]T, string, error) {
	if err := onlyQuery(r, pageParams...); err != nil {
		return nil, "", err
	}
	_, items, next, err := readPage(r, name, def, list, cursor)
	return items, next, err
}

// writePageHeaders says where a list's page stands: X-Total-Count (when
// total is not negative) and, when more follow, a Link header with
// rel="next" (the same URL with ?after=next) and X-Next-Cursor.
func writePageHeaders(w http.ResponseWriter, r *http.Request, next string, total int) {
	if total >= 0 {
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
	}
	if next != "" {
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, nextPageURL(r, next)))
		w.Header().Set("X-Next-Cursor", next)
	}
}

// nextPageURL is the request's path and query with ?after=next (and no
// ?offset=).
func nextPageURL(r *http.Request, next string) string {
	q := r.URL.Query()
	q.Set("after", next)
	q.Del("offset")
	return r.URL.Path + "?" + q.Encode()
}

// pager links a console list's pages: back to the first page and on to
// the next ("" where there is none). The "pager" template shows it.
type pager struct {
	FirstURL, NextURL string
}

// newPager returns the links of a console list's page p, whose next page
// starts after next ("" on the last page). A notice (?done=) is not
// carried over.
func newPager(r *http.Request, p adscan.ListPage, next string) pager {
	q := r.URL.Query()
	q.Del("done")
	q.Del("after")
	var pg pager
	if next != "" {
		v := cloneValues(q)
		v.Set("after", next)
		pg.NextURL = r.URL.Path + "?" + v.Encode()
	}
	if p.After != nil {
		pg.FirstURL = r.URL.Path
		if len(q) > 0 {
			pg.FirstURL += "?" + q.Encode()
		}
	}
	return pg
}
