package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"adscan"
)

// caseView is the data of a case page.
type caseView struct {
	Case       adscan.Case
	TargetName string
	// Capture is the newest capture behind the case's findings: its text
	// is shown, with the evidence of the findings it holds marked.
	Capture  *adscan.CaptureMeta
	Segments []segment
	// Findings are those of Capture; Earlier counts findings of older captures.
	Findings  []adscan.Finding
	Earlier   int
	Captures  []adscan.CaptureMeta // every capture the case refers to, newest first
	Decisions []adscan.Decision    // what the case's state allows, for the form
	CanDecide bool                 // the user is a reviewer or more
	CanClaim  bool                 // the case is undecided and not the user's already
	NextURL   string               // the next case waiting for review after this one
	PrevURL   string               // the one before it (newer) in the queue
	Error     string               // why the last decision was refused
	Decided   string               // what the decision just taken did (on the next case's page)
	Note      string               // the note of a refused decision, to post again
	// Phrase and Site prefill the dismissal's allow-list proposal: the
	// first evidence text shown, and the page's host.
	Phrase, Site string
	PhraseCat    adscan.Category
}

// showCasePage renders a case: the captured text with every evidence span
// marked, each finding's category, rule, clause and score, the capture's
// URLs, redirects, status, time, digests and lexicon, the sightings, the
// audit trail and the decision form. 404 page for an unknown case.
func (h *handler) showCasePage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.caseView(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Decided = decidedNotice(r.URL.Query())
	h.renderCase(w, r, http.StatusOK, v)
	return nil
}

// decidedNotice says what the decision just taken did, on the page the
// reviewer goes on to (?decided=ID&as=DECISION); "" without one. Only a
// case ID's characters and a known decision make it.
func decidedNotice(q url.Values) string {
	id, d := q.Get("decided"), adscan.Decision(q.Get("as"))
	if id == "" || len(id) > 64 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz") != "" || !d.Valid() {
		return ""
	}
	what := map[adscan.Decision]string{
		adscan.DecisionConfirm:  "已确认违规，移送材料正在送达",
		adscan.DecisionDismiss:  "已驳回",
		adscan.DecisionEscalate: "已上报，等待复核",
	}[d]
	return "案件 " + id + " " + what + "。"
}

func (h *handler) renderCase(w http.ResponseWriter, r *http.Request, status int, v caseView) {
	d := h.newPageData(r, "案件 "+v.Case.ID)
	d.Page = v
	h.render(w, r, status, "case", d)
}

// caseView gathers what a case page shows.
func (h *handler) caseView(r *http.Request, id string) (caseView, error) {
	ctx := r.Context()
	c, err := h.store.GetCase(ctx, id)
	if err != nil {
		return caseView{}, err
	}
	me := principalFrom(ctx).User.Name
	v := caseView{Case: c, CanDecide: principalFrom(ctx).User.Role.AtLeast(adscan.RoleReviewer),
		CanClaim: c.State.Undecided() && c.Assignee != me}
	names, err := h.targetNames(r)
	if err != nil {
		return caseView{}, err
	}
	v.TargetName = names[c.Target]
	for _, d := range []adscan.Decision{adscan.DecisionConfirm, adscan.DecisionDismiss, adscan.DecisionEscalate} {
		if c.State.Allows(d) {
			v.Decisions = append(v.Decisions, d)
		}
	}

	// Every capture the case refers to, newest first; the newest one
	// behind a finding is shown.
	seen := map[string]bool{}
	var captures []adscan.Capture
	add := func(cid string) error {
		if cid == "" || seen[cid] {
			return nil
		}
		seen[cid] = true
		cp, err := h.store.GetCapture(ctx, cid)
		if adscan.ErrorCode(err) == adscan.ENOTFOUND {
			h.log.Error("case refers to a missing capture", slog.String("case", c.ID), slog.String("capture", cid))
			return nil
		}
		if err != nil {
			return err
		}
		captures = append(captures, cp)
		return nil
	}
	for _, f := range c.Findings {
		if err := add(f.CaptureID); err != nil {
			return caseView{}, err
		}
	}
	shown := -1
	for i, cp := range captures {
		if shown < 0 || cp.FetchedAt.After(captures[shown].FetchedAt) {
			shown = i
		}
	}
	for _, s := range c.Sightings {
		if err := add(s.CaptureID); err != nil {
			return caseView{}, err
		}
	}
	for i := len(captures) - 1; i >= 0; i-- {
		v.Captures = append(v.Captures, captures[i].Meta())
	}
	if shown >= 0 {
		cp := captures[shown]
		meta := cp.Meta()
		v.Capture = &meta
		var spans []span
		for _, f := range c.Findings {
			if f.CaptureID != cp.ID {
				v.Earlier++
				continue
			}
			v.Findings = append(v.Findings, f)
			for _, e := range f.Evidence {
				spans = append(spans, span{Start: e.Start, End: e.End, Cat: f.Category})
			}
		}
		v.Segments = highlight(cp.Text, spans)
		for _, f := range v.Findings {
			if len(f.Evidence) > 0 && v.Phrase == "" {
				v.Phrase, v.PhraseCat = f.Evidence[0].Text, f.Category
				if r := []rune(v.Phrase); len(r) > 60 {
					v.Phrase = string(r[:60])
				}
			}
		}
	}
	v.Site = siteOf(c.URL)

	if v.NextURL, err = h.openNeighbour(r, c, false); err != nil {
		return caseView{}, err
	}
	if v.PrevURL, err = h.openNeighbour(r, c, true); err != nil {
		return caseView{}, err
	}
	return v, nil
}

// openNeighbour is the page of the case waiting for review next to c in
// the queue's order (newest first): the next, older one, or with newer
// the previous one; "" when there is none.
func (h *handler) openNeighbour(r *http.Request, c adscan.Case, newer bool) (string, error) {
	cs, err := h.store.ListCases(r.Context(), adscan.CaseFilter{State: adscan.CaseOpen, After: c.Cursor(), Oldest: newer, Limit: 1})
	if err != nil || len(cs) == 0 {
		return "", err
	}
	return "/cases/" + cs[0].ID, nil
}
