package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"adscan"
	"adscan/lexicon"
)

// lexiconView is the data of the lexicon page.
type lexiconView struct {
	Lexicon   *lexicon.Lexicon
	Stored    *adscan.LexiconVersion // the stored version in force; nil: the built-in lexicon
	Versions  []adscan.LexiconVersion
	Pending   []adscan.AllowProposal
	Decided   []adscan.AllowProposal
	CanDecide bool
	Notice    string
}

// activeLexicon returns the lexicon in force: the newest stored version,
// else the server's own (Config.Lexicon, or the embedded default).
func (h *handler) activeLexicon(r *http.Request) (*lexicon.Lexicon, *adscan.LexiconVersion, error) {
	v, err := h.store.ActiveLexicon(r.Context())
	if adscan.ErrorCode(err) == adscan.ENOTFOUND {
		if h.lexicon != nil {
			return h.lexicon, nil, nil
		}
		lex, err := lexicon.Default()
		return lex, nil, err
	} else if err != nil {
		return nil, nil, err
	}
	lex, err := lexicon.Parse(v.YAML, fmt.Sprintf("stored lexicon version %d", v.ID))
	if err != nil {
		return nil, nil, err
	}
	return lex, &v, nil
}

// showLexicon renders the lexicon in force (categories with their
// clauses, rules, term groups, allow entries), its stored versions, and
// the reviewers' allow-list proposals with, for regulators, approve and
// reject.
func (h *handler) showLexicon(w http.ResponseWriter, r *http.Request) error {
	lex, stored, err := h.activeLexicon(r)
	if err != nil {
		return err
	}
	versions, err := h.store.ListLexiconVersions(r.Context())
	if err != nil {
		return err
	}
	all, err := h.store.ListAllowProposals(r.Context(), "")
	if err != nil {
		return err
	}
	v := lexiconView{Lexicon: lex, Stored: stored, Versions: versions,
		CanDecide: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleRegulator)}
	for _, p := range all {
		if p.State == adscan.ProposalPending {
			v.Pending = append(v.Pending, p)
		} else {
			v.Decided = append(v.Decided, p)
		}
	}
	switch r.URL.Query().Get("done") {
	case "approved":
		v.Notice = "已批准：新的词库版本已生效，下一次扫描起使用，无需重启。"
	case "rejected":
		v.Notice = "已驳回该提议。"
	}
	d := h.newPageData(r, "词库")
	d.Page = v
	h.render(w, r, http.StatusOK, "lexicon", d)
	return nil
}

// decideProposalForm approves or rejects a proposal. Approval makes a new
// lexicon version — the one in force with the allow entry added — kept in
// the store, which workers use from their next crawl; findings made before
// keep citing the version they were made with.
func (h *handler) decideProposalForm(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return adscan.Errorf(adscan.ENOTFOUND, "no allow-list proposal %q", r.PathValue("id"))
	}
	user := principalFrom(r.Context()).User.Name
	switch r.PostFormValue("decision") {
	case "reject":
		if _, err := h.store.DecideAllowProposal(r.Context(), id, false, user, nil); err != nil {
			return err
		}
		http.Redirect(w, r, "/lexicon?done=rejected", http.StatusSeeOther)
		return nil
	case "approve":
	default:
		return adscan.Errorf(adscan.EINVALID, "decision %q is not approve or reject", r.PostFormValue("decision"))
	}
	var p *adscan.AllowProposal
	pending, err := h.store.ListAllowProposals(r.Context(), adscan.ProposalPending)
	if err != nil {
		return err
	}
	for i := range pending {
		if pending[i].ID == id {
			p = &pending[i]
		}
	}
	if p == nil {
		// Unknown or decided already: the store says which.
		_, err := h.store.DecideAllowProposal(r.Context(), id, false, user, nil)
		if err == nil {
			err = adscan.Errorf(adscan.ECONFLICT, "proposal %d changed while it was approved", id)
		}
		return err
	}
	lex, _, err := h.activeLexicon(r)
	if err != nil {
		return err
	}
	versions, err := h.store.ListLexiconVersions(r.Context())
	if err != nil {
		return err
	}
	next := lex.WithAllow(lexicon.AllowEntry{Phrase: p.Phrase, Site: p.Site, Categories: p.Categories,
		Note: fmt.Sprintf("案件 %s 驳回时由 %s 提议，%s 批准", p.CaseID, p.ProposedBy, user)})
	base := lex.Version
	if i := strings.Index(base, "-allow."); i >= 0 {
		base = base[:i]
	}
	next.Version = fmt.Sprintf("%s-allow.%d", base, len(versions)+1)
	if problems := next.Validate(); len(problems) > 0 {
		return adscan.Errorf(adscan.EINVALID, "the allow entry makes the lexicon invalid: %s", problems[0].Format(next.Name))
	}
	var buf bytes.Buffer
	if err := next.Encode(&buf); err != nil {
		return err
	}
	if _, err := h.store.DecideAllowProposal(r.Context(), id, true, user, &adscan.LexiconVersion{
		Name: next.Name, Version: next.Version, YAML: buf.Bytes(), Note: "allow: " + p.Phrase + " @ " + p.Site,
	}); err != nil {
		return err
	}
	http.Redirect(w, r, "/lexicon?done=approved", http.StatusSeeOther)
	return nil
}

// siteOf is the host of a page's URL, the scope of an allow entry.
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
