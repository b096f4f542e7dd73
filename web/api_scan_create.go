package web

import (
	"log/slog"
	"net/http"

	"adscan"
)

// scanRequest is the body of POST /api/scans.
type scanRequest struct {
	Targets []adscan.ScanTarget `json:"targets"`
}

// createScan starts a scan of the body's targets and answers 202 with the
// scan (its "id" among the fields) and a Location header.
func (h *handler) createScan(w http.ResponseWriter, r *http.Request) error {
	var req scanRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	targets, err := h.parseScanTargets(req.Targets)
	if err != nil {
		return err
	}
	req.Targets = targets
	user := principalFrom(r.Context()).User.Name
	scan, err := h.orch.StartScan(r.Context(), adscan.ScanRequest{Targets: req.Targets, CreatedBy: user})
	if err != nil {
		return err
	}
	h.log.Info("scan started", slog.String("scan", scan.ID), slog.String("user", user), slog.Int("targets", len(req.Targets)))
	h.audit(r, adscan.AuditEntry{Actor: user, Action: adscan.ActionScanStarted, Detail: scan.ID})
	w.Header().Set("Location", "/api/scans/"+scan.ID)
	h.writeJSON(w, r, http.StatusAccepted, scan)
	return nil
}
