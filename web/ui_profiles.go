package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"adscan"
	"adscan/profile"
)

// profileRegister is the data of the platform profiles page.
type profileRegister struct {
	Profiles []adscan.PlatformProfile // by name
	CanEdit  bool                     // regulators and admins
	Editing  string                   // the registered profile in the form ("" for a new one)
	YAML     string                   // the form's text
	Notice   string
	Errors   []string // what was wrong with the last form
}

// showProfiles renders the registered platform profiles and, for
// regulators, the form that registers one (?edit=NAME fills it with that
// profile's file, to change and save again).
func (h *handler) showProfiles(w http.ResponseWriter, r *http.Request) error {
	var editing, text string
	if name := r.URL.Query().Get("edit"); name != "" {
		p, err := h.store.GetProfile(r.Context(), name)
		if err != nil {
			return err
		}
		editing, text = p.Name, string(p.YAML)
	}
	notice := ""
	if r.URL.Query().Get("done") == "saved" {
		notice = "已保存。之后开始的扫描按此方案进行。"
	}
	return h.renderProfiles(w, r, http.StatusOK, editing, text, notice, nil)
}

func (h *handler) renderProfiles(w http.ResponseWriter, r *http.Request, status int, editing, text, notice string, problems []string) error {
	all, err := h.store.ListProfiles(r.Context())
	if err != nil {
		return err
	}
	d := h.newPageData(r, "平台方案")
	d.Page = profileRegister{Profiles: all, CanEdit: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleRegulator),
		Editing: editing, YAML: text, Notice: notice, Errors: problems}
	h.render(w, r, status, "profiles", d)
	return nil
}

// saveProfileForm registers the platform profile in the form's text, or
// replaces the one with its name, as POST /api/profiles does. A profile
// with problems is shown again with each problem and its line, unsaved.
// With action=check (the 只校验 button) nothing is saved either way: the
// text comes back with its problems or word that it would be accepted, as
// `adscan profile check` does.
func (h *handler) saveProfileForm(w http.ResponseWriter, r *http.Request) error {
	text := r.PostFormValue("yaml")
	editing := r.PostFormValue("editing")
	if strings.TrimSpace(text) == "" {
		return h.renderProfiles(w, r, http.StatusBadRequest, editing, text, "", []string{"请填写平台方案（YAML 格式）。"})
	}
	p, err := profile.ParseForStore([]byte(text), "profile", h.private)
	var pe *profile.ProblemsError
	if errors.As(err, &pe) {
		msgs := make([]string, len(pe.Problems))
		for i, pr := range pe.Problems {
			msg := pr.ZH // both name the field
			if msg == "" {
				msg = pr.Msg
			}
			msgs[i] = msg
			if pr.Line > 0 {
				msgs[i] = fmt.Sprintf("第 %d 行：%s", pr.Line, msg)
			}
		}
		return h.renderProfiles(w, r, http.StatusBadRequest, editing, text, "", msgs)
	}
	if adscan.ErrorCode(err) == adscan.EINVALID {
		return h.renderProfiles(w, r, http.StatusBadRequest, editing, text, "", []string{consoleMessage(err)})
	} else if err != nil {
		return err
	}
	if r.PostFormValue("action") == "check" {
		return h.renderProfiles(w, r, http.StatusOK, editing, text,
			fmt.Sprintf("方案 %s 无误，可以保存（尚未保存）。", p.Name), nil)
	}
	p.CreatedBy = principalFrom(r.Context()).User.Name
	saved, _, err := h.store.PutProfile(r.Context(), p)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/profiles?edit="+url.QueryEscape(saved.Name)+"&done=saved#profile-form", http.StatusSeeOther)
	return nil
}
