package web

import (
	"net/http"

	"adscan"
)

// listUsers returns the users by name (names, roles, creation times;
// never hashes), at most ?limit= (default 100, at most 1000). When more
// follow, a Link header with rel="next" (and X-Next-Cursor) gives the URL
// of the next page (?after=CURSOR); X-Total-Count says how many users
// there are. A bad cursor is a 400.
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, next, err := readAPIPage(r, adscan.UserList, 100, h.store.ListUsersPage, adscan.User.Cursor)
	if err != nil {
		return err
	}
	total, err := h.store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	writePageHeaders(w, r, next, total)
	h.writeJSON(w, r, http.StatusOK, us)
	return nil
}
