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
	c, cp, err := h.caseCapture(r)
	if err != nil {
		return err
	}
	capID := cp.ID
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

// caseCapture returns the case {id} and its capture {capture} of the
// request's path. ENOTFOUND when either is missing or the capture is not
// one the case's findings or sightings rest on.
func (h *handler) caseCapture(r *http.Request) (adscan.Case, adscan.Capture, error) {
	c, err := h.store.GetCase(r.Context(), r.PathValue("id"))
	if err != nil {
		return adscan.Case{}, adscan.Capture{}, err
	}
	capID := r.PathValue("capture")
	ours := slices.ContainsFunc(c.Findings, func(f adscan.Finding) bool { return f.CaptureID == capID }) ||
		slices.ContainsFunc(c.Sightings, func(s adscan.Sighting) bool { return s.CaptureID == capID })
	if !ours {
		return adscan.Case{}, adscan.Capture{}, adscan.Errorf(adscan.ENOTFOUND, "capture %s is not one of case %s", capID, c.ID)
	}
	cp, err := h.store.GetCapture(r.Context(), capID)
	return c, cp, err
}
