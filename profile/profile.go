// Package profile reads platform scan profiles: YAML files that tell adscan
// how to search one platform (a listing or classifieds site where many
// institutions advertise) for tutoring adverts.
//
// A profile names the platform's site, search or listing URL templates
// filled from keywords and cities ({keyword}, {city}), which links of a
// listing page lead to its next pages and which to detail pages (regular
// expressions on a link's path and query), which links are never followed,
// how many listing pages to follow from one search URL, how many pages one
// scan fetches, whether pages are rendered in a browser, the least delay
// between two requests to the platform, and how to find the advertiser a
// detail page names (a CSS selector and/or a regular expression on the
// page's text). Parse checks a file and reports every problem with its
// line; examples are under examples/ and in the README.
//
// A crawl of a profile starts from Seeds (kind listing), follows what
// Follow allows, and classifies detail pages only: each flagged detail
// page is a case candidate attributed to the profile and to FindAdvertiser.
package profile

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"adscan"
)

// Kind is what a page of a profile's crawl is.
type Kind string

const (
	// KindListing is a search or listing page: its links are followed,
	// its own text is not classified.
	KindListing Kind = "listing"
	// KindDetail is a detail page (one advert, one shop): classified, a
	// case candidate; its links are not followed.
	KindDetail Kind = "detail"
)

// Defaults and bounds of a profile's fields.
const (
	DefaultMaxPages        = 200
	DefaultListingMaxPages = 5
	MaxListingPages        = 100
	// MaxSeeds bounds the search URLs one scan expands to (templates ×
	// keywords × cities).
	MaxSeeds      = 500
	MaxCrawlDelay = 10 * time.Minute
	maxTerms      = 200 // keywords or cities listed
	maxTermBytes  = 100
)

// Placeholders of search URL templates.
const (
	PlaceholderKeyword = "{keyword}"
	PlaceholderCity    = "{city}"
)

// Profile is a checked platform scan profile.
type Profile struct {
	Name        string
	Title       string
	Description string
	// Site is the platform's home URL in canonical form.
	Site   string
	Render adscan.RenderMode
	// CrawlDelay is the least time between the starts of two requests to
	// the platform; nil leaves the worker's --crawl-delay. A robots.txt
	// Crawl-delay may still raise it.
	CrawlDelay *time.Duration
	// MaxPages bounds the pages one scan fetches, listings and details together.
	MaxPages   int
	Search     Search
	Listing    Listing
	Detail     Detail
	Ignore     []Pattern
	Advertiser Advertiser
	// Digest is the hex SHA-256 of the file.
	Digest string

	hosts []string // Hosts, once known
}

// Search is where a scan of the profile starts.
type Search struct {
	// URLs are templates: {keyword} and {city} are replaced by each
	// keyword and city (URL-escaped), every combination.
	URLs     []string
	Keywords []string
	Cities   []string
	// CitiesFromRegister says the cities are the regions (区) of the
	// targets in the register, read when a scan starts.
	CitiesFromRegister bool
}

// Listing says which links of a listing page lead to further listing
// pages (its pagination) and how far to follow them.
type Listing struct {
	Follow []Pattern
	// MaxPages is the most listing pages followed from one search URL,
	// the first included: a listing page is followed only fewer than
	// MaxPages links away from its search URL (with "next page" links,
	// pages 1 to MaxPages).
	MaxPages int
}

// Detail says which links of a listing page lead to detail pages.
type Detail struct {
	Follow []Pattern
}

// Pattern is a regular expression matched against a link's path and query
// ("/ad/123?from=list"), as the URL is after adscan normalises it
// (urlnorm: query parameters sorted by name, tracking parameters dropped),
// so a pattern should not rely on the order of parameters.
type Pattern struct {
	Source string
	re     *regexp.Regexp
}

// Match reports whether the pattern matches ref (a path and query).
func (p Pattern) Match(ref string) bool { return p.re != nil && p.re.MatchString(ref) }

// Advertiser says how to find who a detail page names as the advertiser:
// the text of the first element Selector matches in the page's (rendered)
// HTML, else Pattern's first group (or whole match) in the page's text.
type Advertiser struct {
	Selector string
	Pattern  string
	sel      cascadia.Selector
	re       *regexp.Regexp
}

// Seeds returns the search URLs of a scan: every template filled with
// every keyword and city it uses (cities being regions when the profile
// takes them from the register), escaped for where they stand (path or
// query), in order, each once. An error names the profile when the
// register gives no region for a template that needs one, or when there
// would be more than MaxSeeds.
func (p *Profile) Seeds(regions []string) ([]string, error) {
	cities := p.Search.Cities
	if p.Search.CitiesFromRegister {
		cities = nil
		for _, r := range regions {
			if r = strings.TrimSpace(r); r != "" && !slices.Contains(cities, r) {
				cities = append(cities, r)
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, tmpl := range p.Search.URLs {
		keys, cits := []string{""}, []string{""}
		if strings.Contains(tmpl, PlaceholderKeyword) {
			keys = p.Search.Keywords
		}
		if strings.Contains(tmpl, PlaceholderCity) {
			if len(cities) == 0 {
				return nil, fmt.Errorf("profile %s: %s needs {city}, and the register has no target with a region (区)", p.Name, tmpl)
			}
			cits = cities
		}
		for _, k := range keys {
			for _, c := range cits {
				u := fill(tmpl, k, c)
				if seen[u] {
					continue
				}
				seen[u] = true
				out = append(out, u)
				if len(out) > MaxSeeds {
					return nil, fmt.Errorf("profile %s: more than %d search URLs (templates × keywords × cities); list fewer keywords or cities", p.Name, MaxSeeds)
				}
			}
		}
	}
	return out, nil
}

// fill replaces the placeholders of tmpl, escaping each value for the part
// of the URL it stands in (query or path).
func fill(tmpl, keyword, city string) string {
	q := strings.IndexByte(tmpl, '?')
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		var val string
		var n int
		switch {
		case strings.HasPrefix(tmpl[i:], PlaceholderKeyword):
			val, n = keyword, len(PlaceholderKeyword)
		case strings.HasPrefix(tmpl[i:], PlaceholderCity):
			val, n = city, len(PlaceholderCity)
		default:
			b.WriteByte(tmpl[i])
			i++
			continue
		}
		if q >= 0 && i > q {
			b.WriteString(url.QueryEscape(val))
		} else {
			b.WriteString(url.PathEscape(val))
		}
		i += n
	}
	return b.String()
}

// Hosts returns the hosts a crawl of the profile may fetch pages from:
// the site's and those of its search URLs.
func (p *Profile) Hosts() []string {
	if p.hosts != nil {
		return p.hosts
	}
	var out []string
	add := func(raw string) {
		if u, err := url.Parse(fill(raw, "x", "x")); err == nil && u.Host != "" {
			h := strings.ToLower(u.Host)
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	add(p.Site)
	for _, t := range p.Search.URLs {
		add(t)
	}
	return out
}

// Follow says whether a link found on a page of kind from, depth links
// from its search URL, is crawled, and as what: links to detail pages
// and, while the listing limit allows, to further listing pages; never
// links from detail pages, links to other hosts than Hosts, or links an
// Ignore pattern matches. Detail patterns are tried before listing ones.
func (p *Profile) Follow(from Kind, depth int, link *url.URL) (Kind, bool) {
	if from != KindListing || link == nil || !slices.Contains(p.Hosts(), strings.ToLower(link.Host)) {
		return "", false
	}
	ref := link.RequestURI()
	if matchAny(p.Ignore, ref) {
		return "", false
	}
	if matchAny(p.Detail.Follow, ref) {
		return KindDetail, true
	}
	if matchAny(p.Listing.Follow, ref) && depth+1 < p.Listing.MaxPages {
		return KindListing, true
	}
	return "", false
}

func matchAny(ps []Pattern, ref string) bool {
	for _, p := range ps {
		if p.Match(ref) {
			return true
		}
	}
	return false
}

// FindAdvertiser returns who a detail page names as the advertiser: the
// text of the first element the selector matches in html (spaces
// collapsed), else the pattern's first group (or its whole match) in text;
// "" when the profile says neither or nothing matches. At most
// adscan.MaxTargetLabel bytes, valid UTF-8.
func (p *Profile) FindAdvertiser(html []byte, text string) string {
	a := p.Advertiser
	var name string
	if a.sel != nil && len(html) > 0 {
		if doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html)); err == nil {
			name = collapse(doc.FindMatcher(a.sel).First().Text())
		}
	}
	if name == "" && a.re != nil {
		if len(text) > maxAdvertiserText {
			text = text[:maxAdvertiserText] // the name is near the top; a cut rune only misses a match
		}
		if m := a.re.FindStringSubmatch(text); m != nil {
			name = m[0]
			if len(m) > 1 {
				name = m[1]
			}
			name = collapse(name)
		}
	}
	return clip(name, adscan.MaxTargetLabel)
}

// maxAdvertiserText is how much of a page's text the advertiser pattern
// reads.
const maxAdvertiserText = 64 << 10

// collapse trims s and turns each run of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to at most n bytes on a rune boundary, made valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
