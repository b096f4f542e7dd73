package web

import (
	"net/http"
	"strings"

	"adscan"
	"adscan/accounts"
)

// userAdmin is the data of the users page.
type userAdmin struct {
	Users  []adscan.User
	Total  int // users in all
	Pager  pager
	Roles  []adscan.Role
	Me     string
	Notice string // what the last change did
	Error  string // why the last change was refused
	// Draft is the new-user form as last sent, when it was refused, so
	// the admin corrects it instead of typing it again (never the password).
	Draft struct{ Name, Role string }
}

// showUsers renders the users with their roles, 100 a page by name
// (?after= from the 下一页 link), and the admin's forms.
func (h *handler) showUsers(w http.ResponseWriter, r *http.Request) error {
	return h.renderUsers(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

// renderUsers renders the users page with a notice or a problem; a
// refused new-user form comes back filled in as it was sent.
func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, notice, problem string) error {
	p, users, next, err := readPage(r, adscan.UserList, 100, h.store.ListUsersPage, adscan.User.Cursor)
	if err != nil {
		return err
	}
	total, err := h.store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	page := userAdmin{Users: users, Total: total, Pager: newPager(r, p, next), Roles: []adscan.Role{adscan.RoleViewer, adscan.RoleReviewer, adscan.RoleRegulator, adscan.RoleAdmin},
		Me: principalFrom(r.Context()).User.Name, Notice: usersNotices[notice], Error: problem}
	if problem != "" && r.Method == http.MethodPost && r.URL.Path == "/admin/users" {
		page.Draft.Name, page.Draft.Role = r.PostFormValue("name"), r.PostFormValue("role")
	}
	d := h.newPageData(r, "用户管理")
	d.Page = page
	h.render(w, r, status, "users", d)
	return nil
}

// usersNotices are the messages after a change (?done=…).
var usersNotices = map[string]string{
	"created":  "已创建用户。",
	"role":     "已更改角色；该用户的登录会话已全部结束。",
	"disabled": "已停用该用户；其登录会话已全部结束。",
	"enabled":  "已启用该用户。",
	"password": "已重置密码；该用户的登录会话已全部结束。",
}

// createUserForm adds a user from the page's form.
func (h *handler) createUserForm(w http.ResponseWriter, r *http.Request) error {
	u, err := accounts.NewUser(strings.TrimSpace(r.PostFormValue("name")), adscan.Role(r.PostFormValue("role")), r.PostFormValue("password"), h.now())
	if err == nil {
		err = h.store.CreateUser(r.Context(), u, principalFrom(r.Context()).User.Name)
	}
	if code := adscan.ErrorCode(err); code == adscan.EINVALID || code == adscan.ECONFLICT {
		return h.renderUsers(w, r, errorStatus(code), "", consoleMessage(err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?done=created", http.StatusSeeOther)
	return nil
}

// updateUserForm applies one change from a user's row: action is role
// (with role), disable, enable or password (with password).
func (h *handler) updateUserForm(w http.ResponseWriter, r *http.Request) error {
	var req userUpdateRequest
	action := r.PostFormValue("action")
	switch action {
	case "role":
		role := adscan.Role(r.PostFormValue("role"))
		req.Role = &role
	case "disable", "enable":
		off := action == "disable"
		req.Disabled = &off
		action += "d"
	case "password":
		p := r.PostFormValue("password")
		req.Password = &p
	default:
		return adscan.Errorf(adscan.EINVALID, "unknown user action %q (want role, disable, enable or password)", action)
	}
	_, err := h.changeUser(r, r.PathValue("name"), req)
	if code := adscan.ErrorCode(err); code == adscan.EINVALID || code == adscan.ECONFLICT {
		return h.renderUsers(w, r, errorStatus(code), "", consoleMessage(err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?done="+action, http.StatusSeeOther)
	return nil
}
