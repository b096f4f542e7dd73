package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"adscan"
)

// bulkCasesForm applies one action to the cases checked in the queue:
// claim (assign to me), assign (to the chosen user), unassign, dismiss or
// escalate (both with a reason, each through the case's review like a
// single decision). It goes back to the queue with what happened; a case
// whose state no longer allows the decision is named, not fatal.
func (h *handler) bulkCasesForm(w http.ResponseWriter, r *http.Request) error {
	ids := r.PostForm["case"]
	back := localPath(r.PostFormValue("back"))
	if back == "/" {
		back = "/cases"
	}
	if len(ids) == 0 {
		return h.redirectNotice(w, r, back, "请先勾选案件。", true)
	}
	if len(ids) > 1000 {
		return adscan.Errorf(adscan.EINVALID, "at most 1000 cases at once (got %d)", len(ids))
	}
	user := principalFrom(r.Context()).User.Name
	note := strings.TrimSpace(r.PostFormValue("note"))
	if err := checkNote("note", note); err != nil {
		return err
	}
	var msg string
	switch action := r.PostFormValue("action"); action {
	case "claim", "assign", "unassign":
		to := user
		switch action {
		case "assign":
			u, err := h.store.GetUser(r.Context(), strings.TrimSpace(r.PostFormValue("assignee")))
			if err != nil {
				return err
			}
			to = u.Name
		case "unassign":
			to = ""
		}
		// Only undecided cases are taken on, as on a case's own page.
		var open, decided []string
		for _, id := range ids {
			c, err := h.store.GetCase(r.Context(), id)
			switch {
			case adscan.ErrorCode(err) == adscan.ENOTFOUND:
				decided = append(decided, id)
			case err != nil:
				return err
			case c.State.Undecided():
				open = append(open, id)
			default:
				decided = append(decided, id)
			}
		}
		n := 0
		if len(open) > 0 {
			var err error
			if n, err = h.store.AssignCases(r.Context(), open, to, user); err != nil {
				return err
			}
		}
		msg = fmt.Sprintf("已更新 %d 件案件的承办人。", n)
		if len(decided) > 0 {
			msg += fmt.Sprintf("%d 件已审核过，无需承办，未更改：%s。", len(decided), strings.Join(decided, "、"))
		}
	case "dismiss", "escalate":
		if note == "" && action == "dismiss" { // as on a case's own page and in the API
			return h.redirectNotice(w, r, back, "驳回需要填写说明（理由），便于复核和改进词库。", true)
		}
		d := adscan.Decision(action)
		var done int
		var refused []string
		for _, id := range ids {
			_, err := h.orch.Decide(r.Context(), id, adscan.CaseDecision{Decision: d, Note: note, By: user, DecidedAt: h.now()})
			switch code := adscan.ErrorCode(err); {
			case err == nil:
				done++
			case code == adscan.ECONFLICT || code == adscan.ENOTFOUND:
				refused = append(refused, id)
			default:
				return err
			}
		}
		h.log.Info("cases decided in bulk", slog.String("decision", action), slog.Int("cases", done), slog.String("user", user))
		msg = fmt.Sprintf("已%s %d 件案件。", decisionNames[d], done)
		if len(refused) > 0 {
			msg += fmt.Sprintf("%d 件的状态不允许%s（已审核过，或已被其他审核员处理），未处理：%s。", len(refused), decisionNames[d], strings.Join(refused, "、"))
		}
	default:
		return adscan.Errorf(adscan.EINVALID, "unknown bulk action %q (want claim, assign, unassign, dismiss or escalate)", action)
	}
	return h.redirectNotice(w, r, back, msg, false)
}

// claimCaseForm makes the signed-in reviewer the one working on a case.
// A decided case is not taken on, and one another reviewer holds only
// with take_over=1 (the page's 改由我承办): a stale page must not silently
// take a case from a colleague.
func (h *handler) claimCaseForm(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	me := principalFrom(r.Context()).User.Name
	c, err := h.store.GetCase(r.Context(), id)
	if err != nil {
		return err
	}
	switch {
	case !c.State.Undecided():
		return h.refuseDecision(w, r, id, "", "该案件状态为“"+stateNames[c.State]+"”，已经审核过，无需承办。")
	case c.Assignee != "" && c.Assignee != me && r.PostFormValue("take_over") != "1":
		return h.refuseDecision(w, r, id, "", "该案件已由 "+c.Assignee+" 承办；如需接手，请点“改由我承办”。")
	}
	if _, err := h.store.AssignCases(r.Context(), []string{id}, me, me); err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+id, http.StatusSeeOther)
	return nil
}

// redirectNotice goes back to a local page with a notice to show (a
// problem if failed). The notice is signed (nsig): the list shows only a
// notice this server wrote, so a link cannot dress a message of its own as
// the console's.
func (h *handler) redirectNotice(w http.ResponseWriter, r *http.Request, to, notice string, failed bool) error {
	u, err := url.Parse(to)
	if err != nil {
		u = &url.URL{Path: "/cases"}
	}
	q := u.Query()
	if failed {
		notice = "!" + notice
	}
	q.Set("notice", notice)
	q.Set("nsig", h.sessions.csrfToken(noticeBinding(notice)))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

// noticeBinding is what a notice's signature is bound to.
func noticeBinding(notice string) string { return "notice:" + notice }

// signedNotice returns the notice of a list page's URL and whether it
// reports a problem, or "" if it is missing or not signed by this server.
func (h *handler) signedNotice(q url.Values) (text string, failed bool) {
	n := q.Get("notice")
	if n == "" || !h.sessions.checkCSRF(noticeBinding(n), q.Get("nsig")) {
		return "", false
	}
	if t, ok := strings.CutPrefix(n, "!"); ok {
		return t, true
	}
	return n, false
}
