package web

import "net/http"

// showHomePage renders the console's start page for the signed-in user.
func (h *handler) showHomePage(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, "home", h.newPageData(r, "首页"))
	return nil
}
