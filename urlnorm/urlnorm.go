// Package urlnorm puts URLs in the one canonical form adscan keys pages,
// captures and targets by, resolving references the way browsers do.
package urlnorm

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
// and returns the URL in adscan's canonical form: http or https only,
// lower-case scheme and host (IDNA host names in punycode), no default port,
// no fragment, no user info, no tracking or session parameters, remaining
// query parameters sorted by name, ";jsessionid=" path parameters removed and
// an empty path written as "/". It returns an error naming ref for a URL that
// does not parse or whose scheme is not http or https.
func Normalize(base, ref string) (string, error) {
	var b *url.URL
	if base != "" {
		var err error
		if b, err = url.Parse(base); err != nil {
			return "", fmt.Errorf("invalid base URL %q: %w", base, err)
		}
	}
	u, err := Resolve(b, ref)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Resolve is Normalize with a parsed base (nil for none) and a parsed result.
// Plain ASCII references are resolved with net/url; anything a browser
// would repair (backslashes, spaces, non-ASCII, IDNA hosts) goes through the
// WHATWG parser.
func Resolve(base *url.URL, ref string) (*url.URL, error) {
	ref = strings.TrimSpace(ref)
	u, ok := resolvePlain(base, ref)
	if !ok {
		var (
			w   *whatwg.Url
			err error
		)
		if base == nil {
			w, err = urlParser.Parse(ref)
		} else {
			w, err = urlParser.ParseRef(base.String(), ref)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid URL %q: %w", ref, err)
		}
		if u, err = url.Parse(w.Href(true)); err != nil {
			return nil, fmt.Errorf("invalid URL %q: %w", ref, err)
		}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("unsupported scheme %q in %q (want http or https)", u.Scheme, ref)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("invalid URL %q: no host", ref)
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
	return u, nil
}

// resolvePlain resolves references made only of URL-safe ASCII with a
// plain host name; ok is false for anything else.
func resolvePlain(base *url.URL, ref string) (*url.URL, bool) {
	if ref == "" {
		return nil, false
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`\"<>^{|}`+"`", c) >= 0 {
			return nil, false
		}
		if c == '%' && (i+2 >= len(ref) || !isHex(ref[i+1]) || !isHex(ref[i+2])) {
			return nil, false
		}
	}
	r, err := url.Parse(ref)
	if err != nil || r.Opaque != "" {
		return nil, false
	}
	u := r
	if base != nil {
		u = base.ResolveReference(r)
	} else if r.Scheme == "" {
		return nil, false
	}
	host := strings.ToLower(u.Host)
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':') {
			return nil, false // IPv6, IDNA, odd ports: leave them to the WHATWG parser
		}
	}
	if strings.HasPrefix(host, "xn--") || strings.Contains(host, ".xn--") || strings.Count(host, ":") > 1 {
		return nil, false
	}
	if h, port, ok := strings.Cut(host, ":"); ok {
		switch {
		case port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443"):
			host = h
		case strings.TrimLeft(port, "0123456789") != "" || len(port) > 5:
			return nil, false
		}
	}
	if name, _, _ := strings.Cut(host, ":"); name == "" || endsInNumber(name) {
		return nil, false // numeric hosts have WHATWG's IPv4 rules (127.1, 0x7f.1 and such)
	}
	u.Host = host
	return u, true
}

// endsInNumber is WHATWG's "ends in a number" test of a host: its last
// label (before a final dot) is decimal digits or 0x and hex digits. Such
// a host is an IPv4 address in one of its many spellings (0x7f000001,
// 127.0.0.0x1), which the WHATWG parser turns into dotted decimal.
func endsInNumber(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) > 1 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if !isHex(last[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
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
