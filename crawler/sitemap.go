package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"io"
	"strings"

	"golang.org/x/net/html/charset"

	"adscan/urlnorm"
)

// maxSitemapEntries bounds the URLs taken from one sitemap file (the
// sitemap protocol's own limit is 50,000).
const maxSitemapEntries = 50_000

// sitemapDoc is a <urlset> or a <sitemapindex>; both list <loc>s.
type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []sitemapLoc `xml:"url"`
	Sitemaps []sitemapLoc `xml:"sitemap"`
}

type sitemapLoc struct {
	Loc string `xml:"loc"`
}

// acceptSitemap reads sitemap bodies: XML, gzip or text, served with 2xx.
func acceptSitemap(status int, contentType string) bool {
	if status < 200 || status >= 300 {
		return false
	}
	mt := mediaType(contentType)
	return mt == "" || strings.Contains(mt, "xml") || strings.Contains(mt, "gzip") ||
		mt == "text/plain" || mt == "application/octet-stream"
}

// readSitemap fetches one sitemap and returns the pages it lists (depth
// it.Depth+1) and the sitemaps a sitemap index lists, on allowed hosts only.
// A missing or malformed sitemap gives nothing; it is only logged.
func (s *session) readSitemap(ctx context.Context, it Item) []Item {
	f, err := s.fetchWithRetries(ctx, it.URL, acceptSitemap)
	if err != nil || f.skipped != "" {
		if err != nil {
			s.cfg.Logger.Debug("crawler: sitemap not read", "url", it.URL, "err", err)
		}
		return nil
	}
	body := f.rec.body.Bytes()
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		body = body[:s.cfg.MaxBodyBytes]
	}
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil
		}
		body, _ = io.ReadAll(io.LimitReader(zr, 10*s.cfg.MaxBodyBytes))
		zr.Close()
	}
	locs, nested := parseSitemap(body)
	var out []Item
	base := f.rec.hops[len(f.rec.hops)-1].URL
	for _, l := range nested {
		if n, err := urlnorm.Normalize(base, l); err == nil && s.sameSiteURL(n) {
			out = append(out, Item{URL: n, Depth: it.Depth, Sitemap: true})
		}
	}
	if it.Depth+1 <= s.cfg.MaxDepth {
		for _, l := range locs {
			if n, err := urlnorm.Normalize(base, l); err == nil && s.sameSiteURL(n) {
				out = append(out, Item{URL: n, Depth: it.Depth + 1})
			}
		}
	}
	return out
}

// parseSitemap returns the page URLs of a <urlset> and the sitemap URLs of a
// <sitemapindex>. A plain-text sitemap (one URL a line) is read too.
func parseSitemap(body []byte) (pages, sitemaps []string) {
	trimmed := bytes.TrimSpace(body)
	if !bytes.HasPrefix(trimmed, []byte("<")) {
		for _, line := range strings.Split(string(trimmed), "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "http") && len(pages) < maxSitemapEntries {
				pages = append(pages, l)
			}
		}
		return pages, nil
	}
	var doc sitemapDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, nil
	}
	for _, u := range doc.URLs {
		if l := strings.TrimSpace(u.Loc); l != "" && len(pages) < maxSitemapEntries {
			pages = append(pages, l)
		}
	}
	for _, sm := range doc.Sitemaps {
		if l := strings.TrimSpace(sm.Loc); l != "" && len(sitemaps) < maxSitemapEntries {
			sitemaps = append(sitemaps, l)
		}
	}
	return pages, sitemaps
}
