package crawler

import (
	"net/url"

	"adscan/profile"
)

// A profile's crawl (Config.Profile): listing pages lead to further
// listing pages and to detail pages as the profile's patterns say; only
// detail pages are classified, and each names its advertiser.

// followProfile returns the items of p's links that the profile follows
// from it: detail pages, and listing pages while its pagination limit
// allows (a listing one page further from its search URL).
func (s *session) followProfile(it Item, p Page) []Item {
	var out []Item
	for _, l := range p.Links {
		u, err := url.Parse(l)
		if err != nil {
			continue
		}
		kind, ok := s.cfg.Profile.Follow(it.Kind, it.Depth, u)
		if !ok {
			continue
		}
		out = append(out, Item{URL: l, Depth: it.Depth + 1, Kind: kind})
	}
	return out
}

// classifies reports whether the page of it is classified: every page,
// except the listing pages of a profile's crawl.
func (s *session) classifies(it Item) bool {
	return s.cfg.Profile == nil || it.Kind == profile.KindDetail
}

// profileName is the name a capture of this crawl records as its profile.
func (s *session) profileName() string {
	if s.cfg.Profile == nil {
		return ""
	}
	return s.cfg.Profile.Name
}

// attribute records on a detail page's capture the advertiser the page
// names, found in its HTML (served or rendered) or text.
func (s *session) attribute(p *Page, it Item, html []byte) {
	if s.cfg.Profile == nil || it.Kind != profile.KindDetail {
		return
	}
	p.Capture.Advertiser = s.cfg.Profile.FindAdvertiser(html, p.Capture.Text)
}
