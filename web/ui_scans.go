package web

import (
	"context"
	"net/http"

	"adscan"
)

// scanList is the data of the scans page.
type scanList struct {
	Scans []adscan.Scan
	Live  bool // some scan is running: the page refreshes itself
	Pager pager
	// Profiles are the registered platform profiles; CanScan says the
	// user may start a scan of one (regulators and admins).
	Profiles []adscan.PlatformProfile
	CanScan  bool
}

// scanView is the data of one scan's page.
type scanView struct {
	Scan   adscan.Scan
	Errors []adscan.ScanError
	Live   bool
	Pager  pager // of Errors
}

// showScans renders the scans with their progress, newest first, 100 a
// page (?after= from the 下一页 link); while one runs
// the page refreshes every few seconds (a meta refresh: no script).
func (h *handler) showScans(w http.ResponseWriter, r *http.Request) error {
	p, scans, next, err := readPage(r, adscan.ScanList, 100, h.store.ListScansPage, adscan.Scan.Cursor)
	if err != nil {
		return err
	}
	profiles, err := h.store.ListProfiles(r.Context())
	if err != nil {
		return err
	}
	v := scanList{Scans: scans, Pager: newPager(r, p, next), Profiles: profiles,
		CanScan: principalFrom(r.Context()).User.Role.AtLeast(adscan.RoleRegulator)}
	for _, s := range scans {
		v.Live = v.Live || s.Status == adscan.ScanRunning
	}
	d := h.newPageData(r, "扫描")
	d.Page = v
	d.Refresh = v.Live
	h.render(w, r, http.StatusOK, "scans", d)
	return nil
}

// scanProfileForm starts a scan of the registered platform profile the
// form names and shows the new scan's page.
func (h *handler) scanProfileForm(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("profile")
	if _, err := adscan.ParseProfileName(name); err != nil {
		return err
	}
	user := principalFrom(r.Context()).User.Name
	scan, err := h.orch.StartScan(r.Context(), adscan.ScanRequest{Targets: []adscan.ScanTarget{{Profile: name}}, CreatedBy: user})
	if err != nil {
		return err
	}
	h.audit(r, adscan.AuditEntry{Actor: user, Action: adscan.ActionScanStarted, Detail: scan.ID})
	http.Redirect(w, r, "/scans/"+scan.ID, http.StatusSeeOther)
	return nil
}

// showScanPage renders one scan: progress, targets, and the pages that
// failed with why (refused address, robots.txt, timeout, redirect loop …),
// 500 a page (?after= from the 下一页 link).
func (h *handler) showScanPage(w http.ResponseWriter, r *http.Request) error {
	s, err := h.store.GetScan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, errs, next, err := readPage(r, adscan.ScanErrorListOf(s.ID), 500, func(ctx context.Context, p adscan.ListPage) ([]adscan.ScanError, error) {
		return h.store.ListScanErrorsPage(ctx, s.ID, p)
	}, adscan.ScanError.Cursor)
	if err != nil {
		return err
	}
	d := h.newPageData(r, "扫描 "+s.ID)
	d.Page = scanView{Scan: s, Errors: errs, Live: s.Status == adscan.ScanRunning, Pager: newPager(r, p, next)}
	d.Refresh = s.Status == adscan.ScanRunning
	h.render(w, r, http.StatusOK, "scan", d)
	return nil
}

// listScanErrors is GET /api/scans/{id}/errors: the scan's failed pages
// with why, by target and URL, at most ?limit= (100, at most 1000). When
// more follow, a Link header with rel="next" (and X-Next-Cursor) gives
// the URL of the next page (?after=CURSOR); X-Total-Count says how many
// failed pages the scan has. 404 for an unknown scan, 400 for a bad
// cursor.
func (h *handler) listScanErrors(w http.ResponseWriter, r *http.Request) error {
	if err := onlyQuery(r, pageParams...); err != nil {
		return err
	}
	p, err := pageQuery(r, adscan.ScanErrorListOf(r.PathValue("id")), 100)
	if err != nil {
		return err
	}
	s, err := h.store.GetScan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	errs, next, err := onePage(p, func(p adscan.ListPage) ([]adscan.ScanError, error) {
		return h.store.ListScanErrorsPage(r.Context(), s.ID, p)
	}, adscan.ScanError.Cursor)
	if err != nil {
		return err
	}
	total, err := h.store.CountScanErrors(r.Context(), s.ID)
	if err != nil {
		return err
	}
	writePageHeaders(w, r, next, total)
	h.writeJSON(w, r, http.StatusOK, errs)
	return nil
}
