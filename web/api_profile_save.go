package web

import (
	"errors"
	"fmt"
	"net/http"

	"adscan"
	"adscan/profile"
)

// profileRequest is the body of POST /api/profiles: the profile file's text.
type profileRequest struct {
	YAML string `json:"yaml"`
}

// profileProblemsBody is the 400 answer to a profile with problems: the
// error and every problem with its line and field.
type profileProblemsBody struct {
	Error    string            `json:"error"`
	Problems []profile.Problem `json:"problems"`
}

// saveProfile registers the platform profile in the body (201), or
// replaces the one with its name (200), and answers with it. A profile
// with problems is a 400 listing each with its line and field; a site on
// a private address, unless allowed, a 400 naming it.
func (h *handler) saveProfile(w http.ResponseWriter, r *http.Request) error {
	var req profileRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.YAML == "" {
		return adscan.Errorf(adscan.EINVALID, `yaml is missing or empty; want {"yaml":"name: …\nsite: …"}`)
	}
	p, err := profile.ParseForStore([]byte(req.YAML), "yaml", h.private)
	var pe *profile.ProblemsError
	if errors.As(err, &pe) {
		h.writeJSON(w, r, http.StatusBadRequest, profileProblemsBody{
			Error: fmt.Sprintf("yaml: the profile has %d problem(s), each in problems; the first, line %d: %s",
				len(pe.Problems), pe.Problems[0].Line, pe.Problems[0].Msg),
			Problems: pe.Problems,
		})
		return nil
	} else if err != nil {
		return err
	}
	p.CreatedBy = principalFrom(r.Context()).User.Name
	saved, created, err := h.store.PutProfile(r.Context(), p)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/api/profiles/"+saved.Name)
	h.writeJSON(w, r, status, saved)
	return nil
}
