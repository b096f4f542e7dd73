package web

import (
	"net/http"

	"adscan"
)

// listUsers returns every user (names, roles, creation times; never hashes).
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := h.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	if us == nil {
		us = []adscan.User{}
	}
	h.writeJSON(w, r, http.StatusOK, us)
	return nil
}
