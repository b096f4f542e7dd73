package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"adscan"
)

// decideCaseForm applies the decision form of a case page (decision,
// note; its CSRF token is checked by the route table) and goes on to the
// next case waiting for review, or back to the case when there is none.
// A decision the case's state no longer allows — another reviewer was
// first — renders the case as it now is, with a 409 and the reason.
func (h *handler) decideCaseForm(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	d := adscan.Decision(r.PostFormValue("decision"))
	note := strings.TrimSpace(r.PostFormValue("note"))
	if !d.Valid() {
		return adscan.Errorf(adscan.EINVALID, "请选择一个决定：确认违规、驳回或上报（收到 %q）", string(d))
	}
	if err := checkNote("note", note); err != nil {
		return err
	}
	if d == adscan.DecisionDismiss && note == "" {
		return h.refuseDecision(w, r, id, note, "驳回需要填写理由，便于复核和改进词库。")
	}
	// The proposal is checked before the decision is taken: a dismissal
	// that went through beside a refused proposal would read as failed.
	proposing := d == adscan.DecisionDismiss && r.PostFormValue("propose") == "1"
	phrase := strings.TrimSpace(r.PostFormValue("phrase"))
	switch {
	case proposing && phrase == "":
		return h.refuseDecision(w, r, id, note, "提议例外需要填写词语；不提议例外请取消勾选。")
	case proposing && len(phrase) > maxProposalPhraseBytes:
		return h.refuseDecision(w, r, id, note, "提议例外的词语太长，请只填写误报的那一句或一个短语。")
	}
	user := principalFrom(r.Context()).User.Name
	c, err := h.store.GetCase(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.State.Allows(d) {
		return h.refuseDecision(w, r, id, note, "该案件当前状态为“"+stateNames[c.State]+"”，不能再"+decisionNames[d]+"；可能已有其他审核员处理。")
	}
	_, err = h.orch.Decide(r.Context(), id, adscan.CaseDecision{Decision: d, Note: note, By: user, DecidedAt: h.now()})
	if adscan.ErrorCode(err) == adscan.ECONFLICT {
		return h.refuseDecision(w, r, id, note, "该案件已被其他审核员处理，以下为当前状态。")
	}
	if err != nil {
		return err
	}
	if proposing {
		var cats []adscan.Category
		if cat := adscan.Category(r.PostFormValue("propose_category")); cat.Valid() {
			cats = []adscan.Category{cat}
		}
		if _, err := h.store.AddAllowProposal(r.Context(), adscan.AllowProposal{CaseID: id, Phrase: phrase,
			Site: siteOf(c.URL), Categories: cats, Note: note, ProposedBy: user}); err != nil {
			return err // the dismissal stands; the page says why the proposal did not
		}
	}
	h.log.Info("case decided", slog.String("case", id), slog.String("decision", string(d)), slog.String("user", user))
	to, err := h.openNeighbour(r, c, false)
	if err != nil {
		return err
	}
	if to == "" {
		to = "/cases/" + id
	}
	// The next page says what became of this case.
	http.Redirect(w, r, to+"?"+url.Values{"decided": {id}, "as": {string(d)}}.Encode(), http.StatusSeeOther)
	return nil
}

// maxProposalPhraseBytes is the longest allow-list phrase the store takes.
const maxProposalPhraseBytes = 200

// refuseDecision renders the case as it is now with why the decision was
// not taken: 409 for a state conflict, 400 for a missing reason.
func (h *handler) refuseDecision(w http.ResponseWriter, r *http.Request, id, note, why string) error {
	v, err := h.caseView(r, id)
	if err != nil {
		return err
	}
	v.Error, v.Note = why, note
	status := http.StatusConflict
	if len(v.Decisions) > 0 && (strings.HasPrefix(why, "驳回需要") || strings.HasPrefix(why, "提议例外")) {
		status = http.StatusBadRequest
	}
	h.renderCase(w, r, status, v)
	return nil
}
