package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"adscan"
)

// targetRequest is the body of POST /api/targets.
type targetRequest struct {
	URL      string            `json:"url"`
	Name     string            `json:"name"`
	Region   string            `json:"region"`
	Kind     adscan.TargetKind `json:"kind"`
	Licence  adscan.Licence    `json:"licence"`
	MaxPages int               `json:"max_pages"`
	MaxDepth int               `json:"max_depth"`
	Render   adscan.RenderMode `json:"render"`

	given []string // the fields the request has, in adscan.TargetColumns' order
}

// UnmarshalJSON decodes the request (refusing unknown fields) and notes
// which fields it has: updating a registered target changes only those.
func (t *targetRequest) UnmarshalJSON(b []byte) error {
	type plain targetRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode((*plain)(t)); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	// encoding/json matches field names without regard to case ("URL",
	// "Region"), so the fields given are found the same way; none given
	// is none (an empty list), never all.
	t.given = []string{}
	for _, c := range adscan.TargetColumns {
		for k := range fields {
			if strings.EqualFold(k, c) {
				t.given = append(t.given, c)
				break
			}
		}
	}
	return nil
}

// createTarget adds a target to the register (201), or updates the one
// with the same URL (in canonical form: see adscan.ParseTargetURL) in the
// fields the request has (200), and returns it.
func (h *handler) createTarget(w http.ResponseWriter, r *http.Request) error {
	var req targetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	t, err := adscan.ParseTarget(adscan.Target{
		URL: req.URL, Name: req.Name, Region: req.Region, Kind: req.Kind, Licence: req.Licence, MaxPages: req.MaxPages, MaxDepth: req.MaxDepth,
		Render: req.Render, CreatedAt: h.now(),
	}, h.private)
	if err != nil {
		return err
	}
	t, added, err := h.store.SaveTarget(r.Context(), adscan.TargetRow{Target: t, Columns: req.given}, principalFrom(r.Context()).User.Name)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	h.writeJSON(w, r, status, t)
	return nil
}
