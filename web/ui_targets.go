package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"adscan"
)

// targetRegister is the data of the register page.
type targetRegister struct {
	Targets  []adscan.TargetSummary // one page, by name
	Total    int                    // targets in all
	Pager    pager
	Edit     adscan.Target // the target in the form (empty: a new one)
	CanEdit  bool          // regulators and admins
	Kinds    []adscan.TargetKind
	Licences []adscan.Licence
	Columns  string
	Notice   string
	Errors   []string // what was wrong with the last form or import
}

// showTargets renders the register, 100 targets a page by name (?after=
// from the 下一页 link), each with its region, kind, licence, last fetch
// and open cases; for regulators the add/edit form (?edit=ID fills it),
// the CSV import and a scan of the selected targets.
func (h *handler) showTargets(w http.ResponseWriter, r *http.Request) error {
	return h.renderTargets(w, r, http.StatusOK, adscan.Target{}, targetNotices[r.URL.Query().Get("done")], nil)
}

// targetNotices are the messages after a change (?done=…).
var targetNotices = map[string]string{
	"saved":    "已保存。",
	"imported": "已导入。",
}

func (h *handler) renderTargets(w http.ResponseWriter, r *http.Request, status int, edit adscan.Target, notice string, problems []string) error {
	p, ts, next, err := readPage(r, adscan.TargetNameList, 100, h.store.ListTargetSummariesPage,
		func(t adscan.TargetSummary) *adscan.ListCursor { return t.NameCursor() })
	if err != nil {
		return err
	}
	total, err := h.store.CountTargets(r.Context())
	if err != nil {
		return err
	}
	if id := r.URL.Query().Get("edit"); id != "" && edit.URL == "" {
		if edit, err = h.findTarget(r, id); err != nil {
			return err
		}
	}
	d := h.newPageData(r, "目标网站登记")
	d.Page = targetRegister{Targets: ts, Total: total, Pager: newPager(r, p, next), Edit: edit, CanEdit: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleRegulator),
		Kinds: adscan.TargetKinds, Licences: adscan.Licences, Columns: strings.Join(adscan.TargetColumns, ","),
		Notice: notice, Errors: problems}
	h.render(w, r, status, "targets", d)
	return nil
}

// findTarget returns the target with that ID from the register, or an
// empty one if there is none (the form then adds a new one).
func (h *handler) findTarget(r *http.Request, id string) (adscan.Target, error) {
	all, err := h.store.ListTargets(r.Context())
	if err != nil {
		return adscan.Target{}, err
	}
	for _, t := range all {
		if t.ID == id {
			return t, nil
		}
	}
	return adscan.Target{}, nil
}

// targetFieldNames are the form's number fields as its labels name them.
var targetFieldNames = map[string]string{"max_pages": "最多页数", "max_depth": "最大深度"}

// targetLabel names a target in a message: its name, else its URL.
func targetLabel(t adscan.Target) string {
	if t.Name != "" {
		return t.Name
	}
	return t.URL
}

// saveTargetForm adds a target (refused if its URL is registered) or,
// with the id of the one being edited, updates it.
func (h *handler) saveTargetForm(w http.ResponseWriter, r *http.Request) error {
	t := adscan.Target{
		URL: r.PostFormValue("url"), Name: r.PostFormValue("name"), Region: r.PostFormValue("region"),
		Kind: adscan.TargetKind(r.PostFormValue("kind")), Licence: adscan.Licence(r.PostFormValue("licence")),
		Render: adscan.RenderMode(r.PostFormValue("render")),
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"max_pages", &t.MaxPages}, {"max_depth", &t.MaxDepth}} {
		if v := strings.TrimSpace(r.PostFormValue(f.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return h.renderTargets(w, r, http.StatusBadRequest, t, "", []string{fmt.Sprintf("%s“%s”不是整数。", targetFieldNames[f.name], v)})
			}
			*f.dst = n
		}
	}
	parsed, err := adscan.ParseTarget(t, h.private)
	if err == nil {
		// 新增 must not overwrite a registered site, nor 编辑 of one site
		// take over another's URL: the register is keyed by URL.
		editing := strings.TrimSpace(r.PostFormValue("id"))
		all, lerr := h.store.ListTargets(r.Context())
		if lerr != nil {
			return lerr
		}
		for _, old := range all {
			if old.URL != parsed.URL || old.ID == editing {
				continue
			}
			t.ID = editing
			why := fmt.Sprintf("该网址已登记为“%s”（%s）。要修改它，请在列表中点该网站的“编辑”。", targetLabel(old), old.URL)
			if editing != "" {
				why = fmt.Sprintf("该网址已属于另一个目标网站“%s”，不能改成它。", targetLabel(old))
			}
			return h.renderTargets(w, r, http.StatusConflict, t, "", []string{why})
		}
		_, _, err = h.store.UpsertTargets(r.Context(), []adscan.TargetRow{{Target: parsed}}, principalFrom(r.Context()).User.Name)
	}
	if adscan.ErrorCode(err) == adscan.EINVALID {
		return h.renderTargets(w, r, http.StatusBadRequest, t, "", []string{consoleMessage(err)})
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/targets?done=saved", http.StatusSeeOther)
	return nil
}

// importTargetsForm imports an uploaded CSV: every line is checked first
// and, if any is bad, nothing is imported and each bad line is named.
func (h *handler) importTargetsForm(w http.ResponseWriter, r *http.Request) error {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return h.renderTargets(w, r, http.StatusBadRequest, adscan.Target{}, "", []string{"请选择要导入的 CSV 文件。"})
	}
	defer f.Close()
	rows, problems, err := adscan.ReadTargetsCSV(io.LimitReader(f, maxBodyBytes), hdr.Filename, h.private)
	if err != nil {
		return h.renderTargets(w, r, http.StatusBadRequest, adscan.Target{}, "", []string{consoleMessage(err)})
	}
	if len(problems) > 0 || len(rows) == 0 {
		msgs := []string{fmt.Sprintf("%s 有 %d 行有误，未导入任何数据：", hdr.Filename, len(problems))}
		if len(rows) == 0 && len(problems) == 0 {
			msgs = []string{hdr.Filename + " 中没有可导入的目标网站。"}
		}
		for _, p := range problems {
			msg := p.ZH
			if msg == "" {
				msg = p.Msg
			}
			msgs = append(msgs, fmt.Sprintf("第 %d 行：%s", p.Line, msg))
		}
		return h.renderTargets(w, r, http.StatusBadRequest, adscan.Target{}, "", msgs)
	}
	added, updated, err := h.store.UpsertTargets(r.Context(), rows, principalFrom(r.Context()).User.Name)
	if err != nil {
		return err
	}
	return h.renderTargets(w, r, http.StatusOK, adscan.Target{}, fmt.Sprintf("已从 %s 导入：新增 %d 个，更新 %d 个。", hdr.Filename, added, updated), nil)
}

// scanTargetsForm starts a scan of the selected targets (with their
// limits) and goes to the queue of the cases that scan finds.
func (h *handler) scanTargetsForm(w http.ResponseWriter, r *http.Request) error {
	ids := r.PostForm["target"]
	if len(ids) == 0 {
		return h.renderTargets(w, r, http.StatusBadRequest, adscan.Target{}, "", []string{"请先勾选要扫描的目标网站。"})
	}
	all, err := h.store.ListTargets(r.Context())
	if err != nil {
		return err
	}
	byID := map[string]adscan.Target{}
	for _, t := range all {
		byID[t.ID] = t
	}
	var targets []adscan.ScanTarget
	for _, id := range ids {
		t, ok := byID[id]
		if !ok {
			return adscan.Errorf(adscan.ENOTFOUND, "no target %q in the register", id)
		}
		targets = append(targets, adscan.ScanTarget{URL: t.URL, MaxPages: t.MaxPages, MaxDepth: t.MaxDepth, Render: t.Render})
	}
	user := principalFrom(r.Context()).User.Name
	scan, err := h.orch.StartScan(r.Context(), adscan.ScanRequest{Targets: targets, CreatedBy: user})
	if err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: user, Action: adscan.ActionScanStarted, Detail: scan.ID})
	http.Redirect(w, r, "/scans/"+scan.ID, http.StatusSeeOther) // its progress, refreshing while it runs, as for a profile
	return nil
}
