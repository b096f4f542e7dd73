package crawler

import "strings"

// dedupeKey returns the key under which a normalised URL is remembered as
// seen: the URL without a trailing slash on a non-root path, so "/a" and
// "/a/" are crawled once.
func dedupeKey(normalized string) string {
	path, query, hasQuery := strings.Cut(normalized, "?")
	hostEnd := strings.Index(path, "://")
	if hostEnd < 0 {
		return normalized
	}
	slash := strings.IndexByte(path[hostEnd+3:], '/')
	if slash < 0 {
		return normalized
	}
	rootEnd := hostEnd + 3 + slash + 1 // just past the path's first "/"
	trimmed := strings.TrimRight(path, "/")
	if len(trimmed) < rootEnd {
		trimmed = path[:rootEnd]
	}
	if hasQuery {
		return trimmed + "?" + query
	}
	return trimmed
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
