package web

import (
	"net/http"
	"strings"

	"adscan"
	"adscan/accounts"
)

// userUpdateRequest is the body of PATCH /api/users/{name}; absent fields stay.
type userUpdateRequest struct {
	Role     *adscan.Role `json:"role"`
	Disabled *bool        `json:"disabled"`
	Password *string      `json:"password"`
}

// updateUser changes a user's role, disables or enables them, or sets a
// new password; each ends the user's sessions at once. An admin cannot
// disable or demote themselves (someone must be left to undo it). 404 for
// an unknown user.
func (h *handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	var req userUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u, err := h.changeUser(r, r.PathValue("name"), req)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, u)
	return nil
}

// changeUser checks and applies an admin's change to a user.
func (h *handler) changeUser(r *http.Request, name string, req userUpdateRequest) (adscan.User, error) {
	me := principalFrom(r.Context()).User.Name
	if strings.EqualFold(name, me) && ((req.Disabled != nil && *req.Disabled) || (req.Role != nil && *req.Role != adscan.RoleAdmin)) {
		return adscan.User{}, adscan.Errorf(adscan.ECONFLICT, "you cannot disable or demote yourself; another admin can").
			ZHf("不能停用自己或降低自己的角色；请由另一位管理员操作。")
	}
	c := adscan.UserChange{Role: req.Role, Disabled: req.Disabled}
	if req.Password != nil {
		hash, err := accounts.HashPassword(*req.Password)
		if err != nil {
			return adscan.User{}, err
		}
		c.PasswordHash = &hash
	}
	return h.store.UpdateUser(r.Context(), name, c, me)
}
