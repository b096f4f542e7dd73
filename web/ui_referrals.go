package web

import (
	"log/slog"
	"net/http"

	"adscan"
)

// referralList is the data of the referrals page.
type referralList struct {
	Referrals  []adscan.ReferralStatus
	OnlyFailed bool
	CanRetry   bool
	TargetName map[string]string
	Pager      pager
}

// showReferrals renders the confirmed cases with their referral's delivery
// (pending, delivered with destination and digest, failed with the error
// and how many deliveries gave up), most recently changed first, 500 a
// page (?after= from the 下一页 link); ?failed=1 shows only the failed
// ones. Regulators get a retry button on each failed one.
func (h *handler) showReferrals(w http.ResponseWriter, r *http.Request) error {
	onlyFailed, err := queryFlag(r.URL.Query(), "failed")
	if err != nil {
		return err
	}
	p, err := pageQuery(r, adscan.ReferralList, 500)
	if err != nil {
		return err
	}
	rs, next, err := onePage(p, func(p adscan.ListPage) ([]adscan.ReferralStatus, error) {
		return h.store.ListReferralsPage(r.Context(), p, onlyFailed)
	}, adscan.ReferralStatus.Cursor)
	if err != nil {
		return err
	}
	names, err := h.targetNames(r)
	if err != nil {
		return err
	}
	d := h.newPageData(r, "移送")
	d.Page = referralList{Referrals: rs, OnlyFailed: onlyFailed, TargetName: names, Pager: newPager(r, p, next),
		CanRetry: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleRegulator)}
	h.render(w, r, http.StatusOK, "referrals", d)
	return nil
}

// retryReferralForm asks for the referral of a case to be delivered again
// and goes back to /referrals. 409 page if the case is not confirmed, was
// delivered, or a retry is running.
func (h *handler) retryReferralForm(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	user := principalFrom(r.Context()).User.Name
	if err := h.orch.RetryReferral(r.Context(), id, user); err != nil {
		return err
	}
	h.log.Info("referral retried", slog.String("case", id), slog.String("user", user))
	http.Redirect(w, r, "/referrals", http.StatusSeeOther)
	return nil
}

// retryReferral is POST /api/cases/{id}/referral/retry: 202 once the
// delivery is under way; 409 if the case is not confirmed, its referral
// was delivered, or a retry is running.
func (h *handler) retryReferral(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.orch.RetryReferral(r.Context(), id, principalFrom(r.Context()).User.Name); err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusAccepted, map[string]string{"case_id": id, "status": "retrying"})
	return nil
}

// listReferrals is GET /api/referrals: the confirmed cases with their
// referral's delivery, most recently changed first; ?failed=1 for the
// failed ones only; at most ?limit= (100, at most 1000). When more follow,
// a Link header with rel="next" (and X-Next-Cursor) gives the URL of the
// next page (?after=CURSOR); X-Total-Count says how many cases are
// confirmed or referred (not with ?failed=1, which would need every
// case's delivery history). A bad cursor is a 400.
func (h *handler) listReferrals(w http.ResponseWriter, r *http.Request) error {
	if err := onlyQuery(r, append(pageParams, "failed")...); err != nil {
		return err
	}
	p, err := pageQuery(r, adscan.ReferralList, 100)
	if err != nil {
		return err
	}
	onlyFailed, err := queryFlag(r.URL.Query(), "failed")
	if err != nil {
		return err
	}
	rs, next, err := onePage(p, func(p adscan.ListPage) ([]adscan.ReferralStatus, error) {
		return h.store.ListReferralsPage(r.Context(), p, onlyFailed)
	}, adscan.ReferralStatus.Cursor)
	if err != nil {
		return err
	}
	total := -1
	if !onlyFailed {
		if total, err = h.store.CountReferrals(r.Context()); err != nil {
			return err
		}
	}
	writePageHeaders(w, r, next, total)
	h.writeJSON(w, r, http.StatusOK, rs)
	return nil
}

// showDossier renders a case's printable referral dossier: the
// institution, URL, capture times and digests, the highlighted text, the
// clauses, and the reviewer's decision and note; it prints cleanly to A4.
func (h *handler) showDossier(w http.ResponseWriter, r *http.Request) error {
	v, err := h.caseView(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := h.newPageData(r, "移送材料 "+v.Case.ID)
	d.Page = v
	d.Print = true
	h.render(w, r, http.StatusOK, "dossier", d)
	return nil
}
