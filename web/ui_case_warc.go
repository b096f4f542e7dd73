package web

import (
	"net/http"
	"slices"
	"strconv"

	"adscan"
)

// downloadWARC sends the WARC record of one of a case's captures as a
// file to save (Content-Disposition: attachment, application/warc): an
// archived page is evidence, never served as live HTML. 404 if the
// capture is not the case's or kept no record (unflagged pages keep none).
func (h *handler) downloadWARC(w http.ResponseWriter, r *http.Request) error {
	c, err := h.store.GetCase(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	capID := r.PathValue("capture")
	ours := slices.ContainsFunc(c.Findings, func(f adscan.Finding) bool { return f.CaptureID == capID }) ||
		slices.ContainsFunc(c.Sightings, func(s adscan.Sighting) bool { return s.CaptureID == capID })
	if !ours {
		return adscan.Errorf(adscan.ENOTFOUND, "capture %s is not one of case %s", capID, c.ID)
	}
	cp, err := h.store.GetCapture(r.Context(), capID)
	if err != nil {
		return err
	}
	if len(cp.WARC) == 0 {
		return adscan.Errorf(adscan.ENOTFOUND, "capture %s kept no WARC record", capID)
	}
	w.Header().Set("Content-Type", "application/warc")
	w.Header().Set("Content-Disposition", `attachment; filename="`+c.ID+"-"+cp.ID+`.warc"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(cp.WARC)))
	w.WriteHeader(http.StatusOK)
	w.Write(cp.WARC)
	return nil
}
