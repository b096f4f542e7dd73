package web

import (
	"log/slog"
	"net/http"

	"adscan"
)

// audit appends e to the audit log, stamped with the server's clock. A
// failure to write is logged, not returned: the action it records has
// already happened.
func (h *handler) audit(r *http.Request, e adscan.AuditEntry) {
	if e.At.IsZero() {
		e.At = h.now()
	}
	if err := h.store.Audit(r.Context(), e); err != nil {
		h.log.Error("write audit entry", slog.String("action", string(e.Action)), slog.String("actor", e.Actor), slog.Any("err", err))
	}
}
