package crawler

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	whatwg "github.com/nlnwa/whatwg-url/url"
)

// urlParser parses and resolves URLs the way browsers do (backslashes,
// stray spaces, IDNA host names, default ports), as colly itself does.
var urlParser = whatwg.NewParser(whatwg.WithPercentEncodeSinglePercentSign())

// trackingParams are query parameters that only track a visit; two URLs that
// differ only in them are the same page.
var trackingParams = map[string]bool{
	"gclid": true, "fbclid": true, "msclkid": true, "yclid": true, "dclid": true,
	"spm": true, "scm": true, "_hsenc": true, "_hsmi": true, "mc_cid": true, "mc_eid": true,
	"igshid": true, "isappinstalled": true, "wxshare_count": true, "share_token": true,
	// session identifiers in the query
	"jsessionid": true, "phpsessid": true, "aspsessionid": true, "sessionid": true,
}

// weChatFrom values of "from" that mark a share from WeChat, not a different page.
var weChatFrom = map[string]bool{"singlemessage": true, "groupmessage": true, "timeline": true}

// Normalize resolves ref against base (base may be "" for an absolute ref)
// and returns the URL in the crawler's canonical form: http or https only,
// lower-case scheme and host (IDNA host names in punycode), no default port,
// no fragment, no user info, no tracking or session parameters, remaining
// query parameters sorted by name, ";jsessionid=" path parameters removed and
// an empty path written as "/". It returns an error naming ref for a URL that
// does not parse or whose scheme is not http or https.
func Normalize(base, ref string) (string, error) {
	var (
		w   *whatwg.Url
		err error
	)
	if base == "" {
		w, err = urlParser.Parse(strings.TrimSpace(ref))
	} else {
		w, err = urlParser.ParseRef(base, strings.TrimSpace(ref))
	}
	if err != nil {
		return "", fmt.Errorf("invalid URL %q: %w", ref, err)
	}
	u, err := url.Parse(w.Href(true))
	if err != nil {
		return "", fmt.Errorf("invalid URL %q: %w", ref, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("unsupported scheme %q in %q (want http or https)", u.Scheme, ref)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("invalid URL %q: no host", ref)
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if i := strings.Index(strings.ToLower(u.Path), ";jsessionid="); i >= 0 {
		u.Path, u.RawPath = u.Path[:i], ""
	}
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

// cleanQuery drops tracking and session parameters and sorts the rest by
// name, keeping the order of repeated names and their original encoding.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name, value, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		lname := strings.ToLower(name)
		if trackingParams[lname] || strings.HasPrefix(lname, "utm_") ||
			(lname == "from" && weChatFrom[strings.ToLower(value)]) {
			continue
		}
		kept = append(kept, p)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		ni, _, _ := strings.Cut(kept[i], "=")
		nj, _, _ := strings.Cut(kept[j], "=")
		return ni < nj
	})
	return strings.Join(kept, "&")
}

// dedupeKey returns the key under which a normalised URL is remembered as
// seen: the URL without a trailing slash on a non-root path, so "/a" and
// "/a/" are crawled once.
func dedupeKey(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil {
		return normalized
	}
	if len(u.Path) > 1 && strings.HasSuffix(u.Path, "/") {
		u.Path = strings.TrimRight(u.Path, "/")
		if u.Path == "" {
			u.Path = "/"
		}
		u.RawPath = ""
	}
	return u.String()
}

// hostKey returns the host of a normalised URL as the crawler compares
// hosts: lower case, with the port when it is not the default.
func hostKey(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// siteHosts returns host and its "www." twin (or the bare host of a www. host):
// a site reached at example.com that redirects to www.example.com is one site.
func siteHosts(host string) []string {
	host = strings.ToLower(host)
	if rest, ok := strings.CutPrefix(host, "www."); ok {
		return []string{host, rest}
	}
	return []string{host, "www." + host}
}
