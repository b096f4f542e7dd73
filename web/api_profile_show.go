package web

import (
	"net/http"
	"slices"
	"strings"

	"adscan"
)

// profileBody is a profile as GET /api/profiles/{name} gives it: with its YAML.
type profileBody struct {
	adscan.PlatformProfile
	YAML string `json:"yaml"`
}

// showProfile returns one registered profile with its YAML; 404 for an
// unknown name.
func (h *handler) showProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := h.store.GetProfile(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, profileBody{PlatformProfile: p, YAML: string(p.YAML)})
	return nil
}

// listProfiles returns the registered profiles by name (without their
// YAML), a page at a time as every list: ?limit= (default 100, at most
// 1000), ?after=CURSOR from the Link header.
func (h *handler) listProfiles(w http.ResponseWriter, r *http.Request) error {
	if err := onlyQuery(r, pageParams...); err != nil {
		return err
	}
	p, err := pageQuery(r, adscan.ProfileList, 100)
	if err != nil {
		return err
	}
	all, err := h.store.ListProfiles(r.Context())
	if err != nil {
		return err
	}
	// The cursor compares names in Go's byte order; the database's
	// collation may order them otherwise.
	slices.SortFunc(all, func(a, b adscan.PlatformProfile) int { return strings.Compare(a.Name, b.Name) })
	items, next, err := onePage(p, func(p adscan.ListPage) ([]adscan.PlatformProfile, error) {
		// Profiles are few: the page is cut from the whole list, by name.
		var out []adscan.PlatformProfile
		for _, x := range all {
			if p.After == nil || x.Name > p.After.ID {
				out = append(out, x)
			}
			if len(out) == p.Limit {
				break
			}
		}
		return out, nil
	}, adscan.PlatformProfile.Cursor)
	if err != nil {
		return err
	}
	writePageHeaders(w, r, next, len(all))
	h.writeJSON(w, r, http.StatusOK, items)
	return nil
}
