package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"adscan"
	"adscan/render"
	"adscan/urlnorm"
)

// Rendered crawling (Config.Render). Robots.txt, sitemaps and the frontier
// are the plain crawl's; only the page fetch differs: the crawler checks
// robots.txt and takes the host's turn (Config.Gate) as for a plain fetch,
// then asks the browser pool for the page and holds the turn until the
// browser has loaded it, so the page's own requests (scripts, XHR, images)
// count as one turn of the host. Every navigation of the page's main frame
// (redirect hops, meta refreshes, scripts setting location) answers to
// robots.txt before the browser sends it, as a plain fetch's redirects do;
// frames, scripts, XHR and images are the page's resources and do not.
// Every request of the browser goes through
// render's address-checking proxy: the SSRF rules hold whatever the page's
// scripts do. Limits: the pool bounds a page's time (render.Config.
// PageTimeout) and the size of its HTML and served body
// (render.Config.MaxHTMLBytes); page, depth and budget limits are the
// crawl's. A page whose main document sent no answer in time
// (render.ErrNoAnswer) or answered 5xx or 429 is retried as a plain fetch
// is (see retryLater): queued again behind the rest, after the same
// backoff or Retry-After, and failed only after the last attempt. One the
// proxy could not get from the site at all (render.ErrUnreachable: a
// refused connection, a name that does not resolve, a connection closed
// unanswered) fails with that network error, as a plain fetch does —
// retried only when the error is a timeout; the 502 the proxy answered
// the browser with is not the site's and is recorded nowhere. The
// browser's own failures are not retried. A crashed or hung browser costs
// its page (Page.Err), never the crawl.

// renderPage renders it in the browser pool and builds its Page: the
// served body's digest, the rendered text classified, the rendered DOM's
// links, and for a flagged page a WARC response record of what was served,
// a resource record of the rendered DOM, response records of its
// subresources and a screenshot of the open tab. When the attempt is worth
// another (see retryLater) it returns the item to queue again instead,
// and no Page.
func (s *session) renderPage(ctx context.Context, it Item) (Page, *Item) {
	p := Page{Depth: it.Depth}
	p.Capture = adscan.Capture{Target: s.cfg.Target, RequestedURL: it.URL, FinalURL: it.URL, Rendered: true, Profile: s.profileName()}
	pg, err := s.openInBrowser(ctx, it.URL)
	if err != nil {
		return s.renderFailed(ctx, it, p, err)
	}
	defer pg.Close()
	r := &pg.Rendered
	again, err := s.retryLater(ctx, it, nil, r.Status, r.Header, r.Started.Add(r.Duration))
	if again != nil {
		return Page{}, again
	}
	if err != nil {
		p.Err = fmt.Errorf("crawler: render %s: %w", it.URL, err)
	}
	p.Incomplete = r.Incomplete
	cp := &p.Capture
	cp.FinalURL = r.FinalURL
	for _, h := range r.Redirects {
		cp.Redirects = append(cp.Redirects, h.URL)
	}
	cp.Status, cp.Header, cp.FetchedAt = r.Status, r.Header, r.Started.UTC()
	raw := r.Served
	p.Truncated, cp.Truncated = r.ServedTruncated, r.ServedTruncated
	sum := sha256.Sum256(raw)
	cp.BodySHA256, cp.BodySize = hex.EncodeToString(sum[:]), int64(len(raw))
	ls := s.newLinkSet(r.FinalURL)
	if r.Status >= 300 && r.Status < 400 {
		if loc := r.Header.Get("Location"); loc != "" {
			ls.add(&p, loc)
		}
	}
	if r.Status != 0 && (r.Status < 200 || r.Status >= 300) {
		return p, nil
	}
	if !pageType(r.MIMEType) {
		p.Skipped = fmt.Sprintf("content type %q not crawled", r.MIMEType)
		return p, nil
	}
	p.Charset = "utf-8" // the browser's DOM text
	s.classify(&p, it, r.FinalURL, r.Text)
	links, base := extractLinks([]byte(r.HTML), "utf-8")
	if base != "" {
		if b, err := urlnorm.Normalize(r.FinalURL, base); err == nil {
			ls = s.newLinkSet(b)
		}
	}
	for _, l := range links {
		ls.add(&p, l)
	}
	s.attribute(&p, it, []byte(r.HTML))
	if p.Result.Flagged() {
		cp.WARC = s.renderedWARC(r, s.subresources(ctx, pg))
		s.screenshot(ctx, pg, cp)
	}
	return p, nil
}

// renderFailed finishes p, the page of it, when the browser could not
// open it (err). A main document that sent no answer in time, that the
// proxy could not get from the site (render.ErrUnreachable: retried, as a
// plain fetch is, only for a network timeout), or that answered 5xx or 429
// with an empty body may be worth another attempt: then it returns the
// item to queue again (see retryLater). A bodiless answer is
// otherwise recorded as a plain fetch records it: its status, header
// fields and redirects, an error only for a 5xx or 429 on the last attempt.
// Any other failure is p's error at once.
func (s *session) renderFailed(ctx context.Context, it Item, p Page, err error) (Page, *Item) {
	var se *render.StatusError
	switch {
	case errors.As(err, &se):
		at := time.Now()
		again, err := s.retryLater(ctx, it, nil, se.Status, se.Header, at)
		if again != nil {
			return Page{}, again
		}
		if err != nil {
			p.Err = fmt.Errorf("crawler: render %s: %w", it.URL, err)
		}
		cp := &p.Capture
		cp.FinalURL, cp.Status, cp.Header, cp.FetchedAt = se.URL, se.Status, se.Header, at.UTC()
		for _, h := range se.Redirects {
			cp.Redirects = append(cp.Redirects, h.URL)
		}
		sum := sha256.Sum256(nil)
		cp.BodySHA256 = hex.EncodeToString(sum[:])
		return p, nil
	case errors.Is(err, render.ErrNoAnswer), errors.Is(err, render.ErrUnreachable):
		// No answer from the site: retried when a plain fetch failing with
		// the same network error would be (a timeout), failed at once
		// otherwise (a refused connection, a name that does not resolve).
		again, rerr := s.retryLater(ctx, it, err, 0, nil, time.Time{})
		if again != nil {
			return Page{}, again
		}
		err = rerr
	}
	p.Err = fmt.Errorf("crawler: render %s: %w", it.URL, err)
	return p, nil
}

// openInBrowser takes the host's turn (robots.txt was checked by the
// caller), opens rawURL in the pool and releases the turn once the page has
// loaded. Every navigation of the page's main frame — each redirect hop,
// meta refresh or script setting location — answers to robots.txt before
// the browser sends it (see navigationCheck); a refused one fails the page
// with an error wrapping ErrDisallowed that names the refused URL.
func (s *session) openInBrowser(ctx context.Context, rawURL string) (*render.Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	u := req.URL
	release, err := s.takeTurnHeld(ctx, req, s.policies.delayOf(u), s.browserHold())
	if err != nil {
		return nil, err
	}
	held := &heldTurn{host: u.Host}
	held.on.Store(true)
	defer func() { held.on.Store(false); release() }()
	var opts render.OpenOptions
	if !s.cfg.IgnoreRobots {
		opts.CheckNavigation = s.navigationCheck(context.WithValue(ctx, heldTurnKey{}, held))
	}
	return s.cfg.Browser.OpenWith(ctx, rawURL, opts)
}

// navigationCheck returns the check of a rendered page's navigations: the
// URL's host's robots.txt policy, loaded on first use through the crawl's
// own client (taking that host's turn, as any robots.txt fetch does). A
// URL robots.txt disallows is refused with an error wrapping ErrDisallowed;
// when the host's robots.txt cannot be fetched the navigation is refused
// with that error, as a plain crawl's redirect is.
func (s *session) navigationCheck(ctx context.Context) func(string) error {
	return func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("crawler: navigation to %q: %w", raw, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil // not fetched from a host: no robots.txt applies
		}
		p, _ := s.policies.get(ctx, u)
		if p.err != nil {
			return fmt.Errorf("crawler: navigation to %s: %w", raw, p.err)
		}
		if !p.allowed(u, s.cfg.UserAgent) {
			return fmt.Errorf("%w: navigation to %s", ErrDisallowed, raw)
		}
		return nil
	}
}

// browserHold is how long a rendered page holds its host's turn at most:
// the pool's page timeout and some slack.
func (s *session) browserHold() time.Duration {
	return s.cfg.Browser.Config().PageTimeout + 5*time.Second
}

// renderedWARC returns the WARC records of a flagged rendered page: a
// response record of the main document as served (the browser hands the
// body over decoded from any Content-Encoding, and converted to UTF-8 when
// it could not give the raw bytes), a resource record of the rendered DOM
// that refers to it, and a response record of each subresource the page
// received (its scripts, XHR and fetch, styles, images), concurrent to the
// main document's, so that a replay tool runs the page's scripts against
// what they received then. A record that cannot be made is logged and
// left out.
//
// The records are bounded: the served body and the DOM at
// render.Config.MaxHTMLBytes each, the subresources at
// render.Config.MaxSubresourceBytes together (URLs, header fields and
// bodies), each record's WARC header under 1 KB but for its URL; so a
// capture's WARC is at most 2×MaxHTMLBytes + MaxSubresourceBytes + the main
// document's URL and header fields + 1 KB per record (with the defaults,
// about 20 MB and 202 records). A body or header cut at its cap is marked
// WARC-Truncated: length.
func (s *session) renderedWARC(r *render.Rendered, subs *render.Subresources) []byte {
	var out []byte
	header := storedHeader(r.Header)
	resp, err := responseRecord(r.FinalURL, r.Started, httpVersion(r.Protocol), r.Status, header, r.Served, r.ServedTruncated)
	if err != nil {
		s.cfg.Logger.Warn("crawler: no WARC response record", "url", r.FinalURL, "err", err)
	} else {
		out = append(out, resp...)
	}
	dom, err := renderedRecord(r.FinalURL, recordID(resp), r.Started.Add(r.Duration), []byte(r.HTML), r.HTMLTruncated)
	if err != nil {
		s.cfg.Logger.Warn("crawler: no WARC record of the rendered DOM", "url", r.FinalURL, "err", err)
	} else {
		out = append(out, dom...)
	}
	if subs == nil {
		return out
	}
	for _, sub := range subs.List {
		rec, err := subresourceRecord(recordID(resp), sub)
		if err != nil {
			s.cfg.Logger.Warn("crawler: no WARC record of a subresource", "url", r.FinalURL, "subresource", sub.URL, "err", err)
			continue
		}
		out = append(out, rec...)
	}
	return out
}

// subresourceRecord returns the WARC response record of one subresource
// of a rendered page, concurrent to the page's response record pageID.
// The body is stored as the browser handed it over: decoded from any
// Content-Encoding, and — when the browser converted it to UTF-8 text —
// its Content-Type's charset says utf-8.
func subresourceRecord(pageID string, sub render.Subresource) ([]byte, error) {
	header := storedHeader(sub.Header)
	if sub.BodyConverted {
		if ct := header.Get("Content-Type"); ct != "" {
			if mt, params, err := mime.ParseMediaType(ct); err == nil && params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8") {
				params["charset"] = "utf-8"
				header.Set("Content-Type", mime.FormatMediaType(mt, params))
			}
		}
	}
	return concurrentResponseRecord(sub.URL, pageID, sub.Received, httpVersion(sub.Protocol), sub.Status, header, sub.Body,
		sub.BodyTruncated || sub.HeaderTruncated)
}

// storedHeader returns the header fields of a response the browser
// received as a WARC record stores them with the decoded, de-chunked body:
// without Content-Encoding, Content-Length and Transfer-Encoding, which
// would misdescribe it.
func storedHeader(h http.Header) http.Header {
	header := h.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Del("Content-Encoding")
	header.Del("Content-Length")
	header.Del("Transfer-Encoding")
	return header
}

// subresources returns the responses the flagged page's subresources
// received, to be archived with it; nil, logged, when they cannot be read.
func (s *session) subresources(ctx context.Context, pg *render.Page) *render.Subresources {
	subs, err := pg.Subresources(ctx)
	if err != nil {
		s.cfg.Logger.Warn("crawler: no subresources of a flagged page", "url", pg.Rendered.FinalURL, "err", err)
		return nil
	}
	if subs.Omitted > 0 {
		s.cfg.Logger.Info("crawler: subresources of a flagged page left out of its WARC", "url", pg.Rendered.FinalURL,
			"kept", len(subs.List), "omitted", subs.Omitted, "why", strings.Join(subs.Why, "; "))
	}
	return subs
}

// screenshot takes the flagged page's screenshot from its open tab into
// cp, or records in cp why there is none.
func (s *session) screenshot(ctx context.Context, pg *render.Page, cp *adscan.Capture) {
	shot, err := pg.Screenshot(ctx)
	if err != nil {
		cp.ScreenshotError, cp.ScreenshotErrorKind = err.Error(), adscan.ScreenshotCaptureFailed
		s.cfg.Logger.Warn("crawler: no screenshot of a flagged page", "url", cp.FinalURL, "err", err)
		return
	}
	cp.Screenshot = &adscan.Screenshot{PNG: shot.PNG, SHA256: shot.SHA256, Width: shot.Width, Height: shot.Height,
		Truncated: shot.Truncated, TakenAt: shot.TakenAt}
}

// screenshotPlain gives a flagged page of a plain crawl its screenshot:
// the page's final URL rendered once in the browser pool (robots.txt
// checked again, the host's turn taken), so the picture is of the page as
// a browser shows it now — moments after the fetch whose text was
// classified, not a rendering of the served bytes. Without a browser, or
// when rendering fails, the capture records why there is no screenshot.
func (s *session) screenshotPlain(ctx context.Context, p *Page) {
	cp := &p.Capture
	if s.cfg.Browser == nil {
		cp.ScreenshotError, cp.ScreenshotErrorKind = s.cfg.NoBrowser, adscan.ScreenshotNoBrowser
		if s.cfg.ScreenshotsOff {
			cp.ScreenshotErrorKind = adscan.ScreenshotOff
		}
		if cp.ScreenshotError == "" {
			cp.ScreenshotError = "no browser on this worker"
		}
		return
	}
	u, err := url.Parse(cp.FinalURL)
	if err != nil {
		cp.ScreenshotError, cp.ScreenshotErrorKind = fmt.Sprintf("the page's URL %q does not parse: %v", cp.FinalURL, err), adscan.ScreenshotBadURL
		return
	}
	if pol, _ := s.policies.get(ctx, u); pol.err == nil && !pol.allowed(u, s.cfg.UserAgent) {
		cp.ScreenshotError, cp.ScreenshotErrorKind = "robots.txt disallows "+cp.FinalURL, adscan.ScreenshotRobots
		return
	}
	pg, err := s.openInBrowser(ctx, cp.FinalURL)
	if err != nil {
		switch {
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			cp.ScreenshotError, cp.ScreenshotErrorKind = "the crawl was stopped before the screenshot", adscan.ScreenshotStopped
		case errors.Is(err, ErrDisallowed):
			cp.ScreenshotError, cp.ScreenshotErrorKind = fmt.Sprintf("rendering %s for its screenshot: %v", cp.FinalURL, err), adscan.ScreenshotRobots
		default:
			cp.ScreenshotError, cp.ScreenshotErrorKind = fmt.Sprintf("rendering %s for its screenshot failed: %v", cp.FinalURL, err), adscan.ScreenshotRenderFailed
		}
		return
	}
	defer pg.Close()
	s.screenshot(ctx, pg, cp)
}

// httpVersion turns the protocol the browser names ("http/1.1", "h2",
// "h3") into the HTTP version of a status line, as Go names it for plain
// crawls ("HTTP/1.1", "HTTP/2.0"): WARC readers parse the status line.
func httpVersion(protocol string) string {
	switch p := strings.ToLower(protocol); {
	case p == "http/1.0":
		return "HTTP/1.0"
	case p == "h2":
		return "HTTP/2.0"
	case p == "h3" || strings.HasPrefix(p, "h3-") || p == "quic":
		return "HTTP/3.0"
	}
	return "HTTP/1.1"
}
