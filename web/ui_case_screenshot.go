package web

import (
	"net/http"
	"strconv"

	"adscan"
)

// showScreenshot sends the screenshot of one of a case's captures as the
// PNG it is (the bytes whose SHA-256 the case page shows), for the case
// page's and the dossier's <img>. 404 if the capture is not the case's or
// has no screenshot.
func (h *handler) showScreenshot(w http.ResponseWriter, r *http.Request) error {
	_, cp, err := h.caseCapture(r)
	if err != nil {
		return err
	}
	if cp.Screenshot == nil || len(cp.Screenshot.PNG) == 0 {
		return adscan.Errorf(adscan.ENOTFOUND, "capture %s has no screenshot", cp.ID)
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(cp.Screenshot.PNG)))
	w.Header().Set("X-Content-SHA256", cp.Screenshot.SHA256)
	w.Header().Set("Cache-Control", "private, max-age=3600") // captures are immutable
	w.WriteHeader(http.StatusOK)
	w.Write(cp.Screenshot.PNG)
	return nil
}
