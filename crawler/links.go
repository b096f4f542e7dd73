package crawler

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// maxLinksPerPage bounds the links taken from one page (link farms, calendars).
const maxLinksPerPage = 1000

// ignoredSchemes are link schemes that never lead to a page to crawl.
var ignoredSchemes = []string{"mailto:", "javascript:", "tel:", "sms:", "data:", "ftp:", "file:", "about:", "weixin:", "#"}

// extractLinks returns the raw link targets of an HTML document and its
// <base href> (or ""). body is decoded from charsetName first (as the page's
// text was), so non-ASCII paths come out right. Links are taken from a, area,
// frame and iframe elements and <meta http-equiv=refresh>; mailto:,
// javascript:, tel: and similar targets are dropped.
func extractLinks(body []byte, charsetName string) (links []string, base string) {
	z := html.NewTokenizer(bytes.NewReader(toUTF8(body, charsetName)))
	for len(links) < maxLinksPerPage {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		var attr string
		switch atom.Lookup(name) {
		case atom.A, atom.Area, atom.Base:
			attr = "href"
		case atom.Frame, atom.Iframe:
			attr = "src"
		case atom.Meta:
			attr = "content"
		default:
			continue
		}
		isBase := atom.Lookup(name) == atom.Base
		isMeta := atom.Lookup(name) == atom.Meta
		var val string
		var refresh bool
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case attr:
				val = string(v)
			case "http-equiv":
				refresh = strings.EqualFold(string(v), "refresh")
			}
			if !more {
				break
			}
		}
		if isMeta {
			if !refresh {
				continue
			}
			val = refreshTarget(val)
		}
		val = strings.TrimSpace(val)
		if val == "" || ignoredLink(val) {
			continue
		}
		if isBase {
			if base == "" {
				base = val
			}
			continue
		}
		links = append(links, val)
	}
	return links, base
}

// toUTF8 returns body decoded from charsetName (as the page's text was),
// or as it is when it is UTF-8 or cannot be decoded.
func toUTF8(body []byte, charsetName string) []byte {
	if e, _ := charset.Lookup(charsetName); e != nil && charsetName != "utf-8" {
		if dec, err := e.NewDecoder().Bytes(body); err == nil {
			return dec
		}
	}
	return body
}

// refreshTarget returns the URL of a meta refresh content ("5; url=/next").
func refreshTarget(content string) string {
	_, after, ok := strings.Cut(content, ";")
	if !ok {
		return ""
	}
	after = strings.TrimSpace(after)
	if len(after) >= 4 && strings.EqualFold(after[:4], "url=") {
		after = after[4:]
	}
	return strings.Trim(strings.TrimSpace(after), `"'`)
}

func ignoredLink(v string) bool {
	l := strings.ToLower(v)
	for _, s := range ignoredSchemes {
		if strings.HasPrefix(l, s) {
			return true
		}
	}
	return false
}
