package crawler

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"

	"adscan"
	"adscan/classifier/htmltext"
	"adscan/urlnorm"
)

// Page is one fetched page as handed to the caller of Run.
type Page struct {
	// Capture is the evidence: URLs, redirect chain, status, headers, time,
	// body and text digests, text, and for a flagged page a WARC record
	// and a screenshot (or why there is none).
	// Capture.Redirects lists the URLs that answered with a redirect, in
	// order, starting with RequestedURL; FinalURL answered last. Status,
	// Header and FetchedAt are of that last response; BodySHA256 is of its
	// body exactly as received (before any charset decoding). ID and ScanID
	// are left for the caller (the store) to set.
	Capture adscan.Capture
	// Depth is the link distance from a seed.
	Depth int
	// Result is what the classifier said of the page's text (no flags when
	// the page had no text: an error, a redirect, a skipped content type).
	Result adscan.Result
	// Err is why the page could not be fetched (nil on success; HTTP 4xx is
	// not an error, its status is in Capture.Status). It wraps
	// ErrPrivateAddress, ErrRedirectLoop, ErrTooManyRedirects or a network,
	// TLS or timeout error.
	Err error
	// Skipped says why the body was not read or not classified (a binary or
	// non-text content type), "" otherwise.
	Skipped string
	// Truncated reports that the body was cut at Config.MaxBodyBytes; the
	// digest and text are of the first MaxBodyBytes bytes.
	Truncated bool
	// Incomplete, for a page rendered in a browser, says why it was read
	// before it had finished loading (a hanging resource, an endless
	// script): as it stood then. "" otherwise.
	Incomplete string
	// Charset is the encoding the text was decoded from ("utf-8", "gbk", …).
	Charset string
	// Links are the page's links to crawled hosts, normalised and deduplicated;
	// ExternalLinks those to other hosts (recorded, never followed).
	Links, ExternalLinks []string
}

// buildPage turns a fetch into a Page: evidence, text, classification,
// links and, when flagged, a WARC record.
func (s *session) buildPage(it Item, f fetched, ferr error) Page {
	p := Page{Depth: it.Depth, Err: ferr, Skipped: f.skipped}
	p.Capture = adscan.Capture{Target: s.cfg.Target, RequestedURL: it.URL, Profile: s.profileName()}
	if f.rec == nil || len(f.rec.hops) == 0 {
		p.Capture.FinalURL = it.URL
		return p
	}
	hops := f.rec.hops
	last := hops[len(hops)-1]
	cp := &p.Capture
	cp.FinalURL = last.URL
	for _, h := range hops[:len(hops)-1] {
		cp.Redirects = append(cp.Redirects, h.URL)
	}
	cp.Status, cp.Header, cp.FetchedAt = last.Status, last.Header, last.At
	raw := f.rec.body.Bytes()
	if f.skipped != "" {
		raw = nil // the body was not read
	}
	if int64(len(raw)) > s.cfg.MaxBodyBytes {
		raw, p.Truncated = raw[:s.cfg.MaxBodyBytes], true
		cp.Truncated = true
	}
	sum := sha256.Sum256(raw)
	cp.BodySHA256, cp.BodySize = hex.EncodeToString(sum[:]), int64(len(raw))
	if last.Status >= 300 && last.Status < 400 {
		if loc := last.Header.Get("Location"); loc != "" {
			s.newLinkSet(last.URL).add(&p, loc)
		}
	}
	if ferr != nil || f.skipped != "" || last.Status < 200 || last.Status >= 300 {
		return p
	}
	ct := last.Header.Get("Content-Type")
	entity, err := decodeContent(raw, last.Header.Get("Content-Encoding"), s.cfg.MaxBodyBytes)
	if err != nil {
		p.Err = fmt.Errorf("crawler: decode %s: %w: %w", last.URL, ErrDecode, err)
		return p
	}
	doc, err := htmltext.Extract(entity, ct)
	if err != nil {
		p.Skipped = "not text: " + err.Error()
		return p
	}
	p.Charset = doc.Charset
	s.classify(&p, it, last.URL, doc.Text)
	if htmltext.IsHTML(entity, ct) {
		links, base := extractLinks(entity, doc.Charset)
		baseURL := last.URL
		if base != "" {
			if b, err := urlnorm.Normalize(last.URL, base); err == nil {
				baseURL = b
			}
		}
		ls := s.newLinkSet(baseURL)
		for _, l := range links {
			ls.add(&p, l)
		}
		s.attribute(&p, it, toUTF8(entity, doc.Charset))
	} else {
		s.attribute(&p, it, nil)
	}
	if p.Result.Flagged() {
		w, err := responseRecord(last.URL, last.At, last.Proto, last.Status, last.Header, raw, p.Truncated)
		if err != nil {
			s.cfg.Logger.Warn("crawler: no WARC record", "url", last.URL, "err", err)
		}
		cp.WARC = w
	}
	return p
}

// classify keeps text (made valid UTF-8) and its digest as the page's
// capture text and classifies it as the text of pageURL, unless pages
// like it are not classified (the listing pages of a profile's crawl).
func (s *session) classify(p *Page, it Item, pageURL, text string) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	th := sha256.New()
	io.WriteString(th, text)
	p.Capture.Text, p.Capture.TextSHA256 = text, hex.EncodeToString(th.Sum(nil))
	if !s.classifies(it) {
		return
	}
	site := ""
	if u, err := url.Parse(pageURL); err == nil {
		site = u.Hostname()
	}
	p.Result = s.cl.Classify(adscan.Document{Source: pageURL, Site: site, Text: text})
	p.Capture.Lexicon = p.Result.Lexicon
}

// linkSet collects a page's links, resolved and deduplicated.
type linkSet struct {
	s    *session
	base *url.URL
	seen map[string]bool
}

func (s *session) newLinkSet(base string) *linkSet {
	b, _ := url.Parse(base) // base is a URL we fetched
	return &linkSet{s: s, base: b, seen: map[string]bool{}}
}

// add resolves ref and files it under p.Links or p.ExternalLinks.
func (ls *linkSet) add(p *Page, ref string) {
	u, err := urlnorm.Resolve(ls.base, ref)
	if err != nil {
		return
	}
	n := u.String()
	if ls.seen[n] {
		return
	}
	ls.seen[n] = true
	if ls.s.allowedHost(u.Host) {
		p.Links = append(p.Links, n)
	} else {
		p.ExternalLinks = append(p.ExternalLinks, n)
	}
}

// decodeContent undoes a Content-Encoding the server applied although it
// was not asked to (gzip, deflate-free). Identity bodies are returned as they are.
func decodeContent(raw []byte, encoding string, limit int64) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		out, err := io.ReadAll(io.LimitReader(zr, limit))
		if err != nil && len(out) == 0 {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported content encoding %q", encoding)
}
