package web

import (
	"log/slog"
	"net/http"
	"time"

	"adscan"
)

// caseDetail is a case with the metadata of the captures behind its
// findings and sightings.
type caseDetail struct {
	adscan.Case
	Captures []captureMeta `json:"captures"`
}

// captureMeta is a capture without its text, headers and WARC record: what
// was asked for and served, when, with which digests and lexicon.
type captureMeta struct {
	ID           string            `json:"id"`
	ScanID       string            `json:"scan_id,omitempty"`
	Target       string            `json:"target"`
	RequestedURL string            `json:"requested_url"`
	FinalURL     string            `json:"final_url"`
	Redirects    []string          `json:"redirects,omitempty"`
	Status       int               `json:"status"`
	FetchedAt    time.Time         `json:"fetched_at"`
	BodySHA256   string            `json:"body_sha256"`
	BodySize     int64             `json:"body_size"`
	TextSHA256   string            `json:"text_sha256"`
	Lexicon      adscan.LexiconRef `json:"lexicon"`
}

// showCase returns the case with findings, sightings, decision, audit trail
// and the metadata of each capture they refer to. 404 if unknown.
func (h *handler) showCase(w http.ResponseWriter, r *http.Request) {
	c, err := h.store.GetCase(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	d := caseDetail{Case: c, Captures: []captureMeta{}}
	seen := map[string]bool{}
	ids := make([]string, 0, len(c.Findings)+len(c.Sightings))
	for _, f := range c.Findings {
		ids = append(ids, f.CaptureID)
	}
	for _, s := range c.Sightings {
		ids = append(ids, s.CaptureID)
	}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		cp, err := h.store.GetCapture(r.Context(), id)
		if adscan.ErrorCode(err) == adscan.ENOTFOUND {
			// The case itself exists; say so, and log the dangling reference.
			h.log.Error("case refers to a missing capture", slog.String("case", c.ID), slog.String("capture", id))
			continue
		} else if err != nil {
			h.error(w, r, err)
			return
		}
		d.Captures = append(d.Captures, captureMeta{
			ID: cp.ID, ScanID: cp.ScanID, Target: cp.Target,
			RequestedURL: cp.RequestedURL, FinalURL: cp.FinalURL, Redirects: cp.Redirects,
			Status: cp.Status, FetchedAt: cp.FetchedAt,
			BodySHA256: cp.BodySHA256, BodySize: cp.BodySize, TextSHA256: cp.TextSHA256,
			Lexicon: cp.Lexicon,
		})
	}
	h.writeJSON(w, r, http.StatusOK, d)
}
