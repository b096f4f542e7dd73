package web

import (
	"net/http"

	"adscan"
	"adscan/accounts"
)

// userRequest is the body of POST /api/users.
type userRequest struct {
	Name     string      `json:"name"`
	Role     adscan.Role `json:"role"`
	Password string      `json:"password"`
}

// createUser adds a user and answers 201 with it; 409 if the name is taken.
func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var req userRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u, err := accounts.NewUser(req.Name, req.Role, req.Password, h.now())
	if err != nil {
		return err
	}
	if err := h.store.CreateUser(r.Context(), u, principalFrom(r.Context()).User.Name); err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusCreated, u)
	return nil
}
