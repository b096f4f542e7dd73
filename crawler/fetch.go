package crawler

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"

	"adscan/netguard"
)

// Errors a fetch can end with (wrapped; test with errors.Is).
var (
	// ErrRedirectLoop: a redirect chain came back to a URL it had visited twice.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrTooManyRedirects: a fetch was redirected more than 10 times.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrDisallowed: robots.txt disallows the URL for our User-Agent.
	ErrDisallowed = errors.New("disallowed by robots.txt")
	// ErrServerError: the server still answered 5xx (or 429) after the retries.
	ErrServerError = errors.New("server error")
	// ErrDecode: the body could not be decoded as text.
	ErrDecode = errors.New("cannot decode the body")
)

// session is the per-Run machinery: one colly collector (its transport,
// limits and robots cache) and the host policies.
type session struct {
	*Crawler
	collector *colly.Collector
	client    *http.Client // robots.txt and sitemaps
	policies  *hostPolicies
	// gate spaces requests per host: Config.Gate, else local; local also
	// stands in while Config.Gate fails.
	gate         HostGate
	local        *LocalGate
	waited       atomic.Int64 // nanoseconds waited for host turns
	gateFailures atomic.Int64
}

func (c *Crawler) newSession() *session {
	s := &session{Crawler: c, local: &LocalGate{}}
	s.gate = c.cfg.Gate
	if s.gate == nil {
		s.gate = s.local
	}
	base := &http.Transport{
		Proxy:                 nil, // a proxy would be dialled instead of the target, defeating the address check
		DialContext:           netguard.Dialer(c.cfg.Timeout, c.cfg.AllowPrivate, c.exemptAddrs, "crawling private addresses needs --allow-private-targets").DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   max(c.cfg.Parallelism, 2),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   c.cfg.Timeout,
		ResponseHeaderTimeout: c.cfg.Timeout,
		DisableCompression:    true, // keep bodies as served; gzip sent anyway is decoded for extraction
	}
	col := &colly.Collector{}
	col.Init() // not NewCollector: that reads COLLY_* environment variables
	col.UserAgent = c.cfg.UserAgent
	col.Headers = &http.Header{
		"Accept":          {"text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"},
		"Accept-Language": {"zh-CN,zh;q=0.9,en;q=0.5"},
	}
	col.IgnoreRobotsTxt = c.cfg.IgnoreRobots
	col.AllowURLRevisit = true // the crawler dedupes; retries refetch
	col.ParseHTTPErrorResponse = true
	col.MaxBodySize = int(c.cfg.MaxBodyBytes + 1) // one more byte tells a cut body
	col.SetRequestTimeout(c.cfg.Timeout)
	s.policies = &hostPolicies{collector: col, cfg: &s.cfg, policies: map[string]*policyLoad{}, served: map[string]robotsEntry{}}
	rt := &recordingTransport{base: base, policies: s.policies, turn: s.takeTurn}
	col.WithTransport(rt)
	col.SetRedirectHandler(s.checkRedirect)
	s.collector = col
	s.client = &http.Client{Transport: rt, Timeout: c.cfg.Timeout, CheckRedirect: s.checkSideRedirect}
	s.policies.client = s.client
	return s
}

// checkRedirect is the collector's redirect policy: at most 10 hops, no
// loops, robots.txt obeyed on the new URL, and a redirect off the site is
// not followed (the redirect response is the page; its target an external link).
func (s *session) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("%w (%d) at %s", ErrTooManyRedirects, len(via), req.URL)
	}
	seen := 0
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			seen++
		}
	}
	if seen >= 2 { // one repeat is allowed: sites redirect to themselves to set a cookie
		return fmt.Errorf("%w: %s requested again", ErrRedirectLoop, req.URL)
	}
	if !s.allowedHost(req.URL.Host) {
		return http.ErrUseLastResponse
	}
	p, _ := s.policies.get(req.Context(), req.URL)
	if p.err != nil {
		return p.err
	}
	if !p.allowed(req.URL, s.cfg.UserAgent) {
		return fmt.Errorf("%w: redirect to %s", ErrDisallowed, req.URL)
	}
	return nil
}

// checkSideRedirect is the redirect policy for robots.txt and sitemaps.
func (s *session) checkSideRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("%w (%d) at %s", ErrTooManyRedirects, len(via), req.URL)
	}
	if !s.allowedHost(req.URL.Host) {
		return http.ErrUseLastResponse
	}
	return nil
}

// fetched is the outcome of one fetch.
type fetched struct {
	rec *fetchRecord
	// skipped names why the body was not read (a content type not crawled).
	skipped string
}

// fetch GETs rawURL through the collector and returns what was served.
// accept decides from the final status and Content-Type whether the body is
// read; when it says no the body is left unread and skipped is set.
func (s *session) fetch(ctx context.Context, rawURL string, accept func(status int, contentType string) bool) (fetched, error) {
	rec := &fetchRecord{limit: s.cfg.MaxBodyBytes + 1}
	col := s.collector.Clone()
	col.Context = context.WithValue(ctx, fetchKey{}, rec)
	var skipped string
	col.OnResponseHeaders(func(r *colly.Response) {
		if ct := r.Headers.Get("Content-Type"); !accept(r.StatusCode, ct) {
			skipped = fmt.Sprintf("content type %q not crawled", ct)
			r.Request.Abort()
		}
	})
	err := col.Request(http.MethodGet, rawURL, nil, nil, nil)
	switch {
	case errors.Is(err, colly.ErrAbortedAfterHeaders) && skipped != "":
		err = nil
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		err = ErrDisallowed
	}
	if err == nil && len(rec.hops) == 0 {
		err = fmt.Errorf("no response")
	}
	return fetched{rec: rec, skipped: skipped}, err
}

// retryable reports whether a failed fetch (err, or a served status) is
// worth another attempt: timeouts, 5xx and 429.
func retryable(err error, status int) bool {
	if err != nil {
		var ne net.Error
		return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	}
	return status >= 500 || status == http.StatusTooManyRequests
}

// fetchWithRetries fetches rawURL, retrying timeouts and 5xx/429 responses
// up to Config.Retries times in line, waiting retryWait between attempts.
// It returns the last outcome; a 5xx still served after the last retry is
// an error.
func (s *session) fetchWithRetries(ctx context.Context, rawURL string, accept func(int, string) bool) (fetched, error) {
	for attempt := 0; ; attempt++ {
		f, err := s.fetch(ctx, rawURL, accept)
		status, wait := 0, s.retryWait(attempt, nil, time.Time{})
		if err == nil {
			last := f.rec.hops[len(f.rec.hops)-1]
			status, wait = last.Status, s.retryWait(attempt, last.Header, last.At)
		}
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		if !retryable(err, status) {
			return f, err
		}
		if attempt >= s.cfg.Retries {
			if err == nil {
				err = fmt.Errorf("%w %d after %d attempts", ErrServerError, status, attempt+1)
			}
			return f, err
		}
		s.cfg.Logger.Debug("crawler: retrying", "url", rawURL, "attempt", attempt+1, "status", status, "err", err, "wait", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return f, ctx.Err()
		}
	}
}

// fetchOnce fetches the page of it once. When the fetch is worth another
// attempt it returns the item to queue again instead (see retryLater), so
// that one slow page does not stall its crawl: the rest of the queue goes
// first. Otherwise it returns the outcome; a 5xx still served on the last
// attempt is an error.
func (s *session) fetchOnce(ctx context.Context, it Item, accept func(int, string) bool) (fetched, *Item, error) {
	f, err := s.fetch(ctx, it.URL, accept)
	var (
		status int
		header http.Header
		at     time.Time
	)
	if err == nil {
		last := f.rec.hops[len(f.rec.hops)-1]
		status, header, at = last.Status, last.Header, last.At
	}
	again, err := s.retryLater(ctx, it, err, status, header, at)
	return f, again, err
}

// retryLater decides what follows an attempt at the page of it that
// failed with err, or was answered with status and header fields (at at).
// Plain and rendered pages share it. When the attempt is worth another
// (see retryable) and it has attempts left, it returns the item to queue
// again — Attempt counted, After set retryWait from now. Otherwise it
// returns nil and the attempt's error: err; for a 5xx or 429 answered on
// the last attempt, an error wrapping ErrServerError that names the status
// and the attempts; nil for an answer not worth retrying.
func (s *session) retryLater(ctx context.Context, it Item, err error, status int, header http.Header, at time.Time) (*Item, error) {
	if ctx.Err() != nil || !retryable(err, status) {
		return nil, err
	}
	if it.Attempt < s.cfg.Retries {
		wait := s.retryWait(it.Attempt, header, at)
		s.cfg.Logger.Debug("crawler: will retry later", "url", it.URL, "attempt", it.Attempt+1, "status", status, "err", err, "wait", wait)
		again := it
		again.Attempt++
		again.After = time.Now().Add(wait)
		return &again, nil
	}
	if err == nil {
		err = fmt.Errorf("%w %d after %d attempts", ErrServerError, status, it.Attempt+1)
	}
	return nil, err
}

// retryWait returns how long to wait before retrying a fetch that had
// attempt earlier retries: RetryBackoff, doubled with each of them, or
// what the answer's Retry-After (header, read at at) asks for, capped at
// MaxCrawlDelay, when that is longer.
func (s *session) retryWait(attempt int, header http.Header, at time.Time) time.Duration {
	return max(s.cfg.RetryBackoff<<min(attempt, 16), min(retryAfter(header.Get("Retry-After"), at), s.cfg.MaxCrawlDelay))
}

// retryAfter returns the wait a Retry-After value (seconds or an HTTP date)
// asks for, or 0.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// pageType reports whether a page with this Content-Type is read in full:
// HTML, XHTML, plain text, or no type at all (then the body is sniffed).
func pageType(contentType string) bool {
	switch mediaType(contentType) {
	case "", "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}

// acceptPage accepts the body of redirects, errors and text pages.
func acceptPage(status int, contentType string) bool {
	return status < 200 || status >= 300 || pageType(contentType)
}

// sameSiteURL reports whether u (normalised) is on an allowed host.
func (c *Crawler) sameSiteURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && c.allowedHost(p.Host)
}
