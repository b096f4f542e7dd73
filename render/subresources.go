package render

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Subresource is one response the browser received for a page besides its
// main document — a script, stylesheet, image, font, frame, XHR or fetch —
// as the browser received it through the proxy. Nothing is fetched again
// to make it: the body is the one the browser kept.
type Subresource struct {
	// URL is the URL asked for; Type the browser's resource type
	// ("Script", "XHR", "Fetch", "Stylesheet", "Image", …).
	URL  string
	Type string
	// Status, Protocol, MIMEType and Header describe the response. Header
	// is as the browser reported it, cut to maxSubresourceHeader bytes
	// (HeaderTruncated then).
	Status          int
	Protocol        string
	MIMEType        string
	Header          http.Header
	HeaderTruncated bool
	// Body is the body the browser received, undone of any
	// Content-Encoding, at most Config.MaxHTMLBytes and what was left of
	// Config.MaxSubresourceBytes (BodyTruncated then). BodyConverted says
	// the browser handed it over as text converted to UTF-8 rather than as
	// the raw bytes. A redirect has no body.
	Body          []byte
	BodyTruncated bool
	BodyConverted bool
	// Redirect says the response was an HTTP redirect (to the next
	// Subresource of the same request).
	Redirect bool
	// Received is when the browser had the response's header.
	Received time.Time
}

// Size returns the bytes a subresource counts against
// Config.MaxSubresourceBytes: its URL, header fields and body.
func (s Subresource) Size() int { return len(s.URL) + headerSize(s.Header) + len(s.Body) }

// Subresources are the responses of a page's subresources that
// Page.Subresources kept, and what it left out.
type Subresources struct {
	// List holds the kept responses, those a page needs to be replayed
	// first (frames, scripts, XHR and fetch, stylesheets), then the others
	// (images, fonts, media), each group in the order it was requested.
	List []Subresource
	// Bytes is the sum of their Size.
	Bytes int
	// Omitted counts responses left out: beyond Config.MaxSubresources or
	// Config.MaxSubresourceBytes, a body the browser did not keep, URLs
	// longer than maxSubresourceURL, requests other than GET, or beyond
	// the first maxTrackedRequests requests of the page. Why says why, one
	// sentence per reason, in order of first occurrence.
	Omitted int
	Why     []string
}

// Bounds of the record of a page's requests, against what its scripts may
// do: a page can make any number of requests with long URLs and headers.
const (
	maxTrackedRequests   = 1000
	maxSubresourceURL    = 8 << 10
	maxSubresourceHeader = 16 << 10
	// subresourcesTimeout bounds Page.Subresources as a whole.
	subresourcesTimeout = 15 * time.Second
)

// subEntry is one request of the page the events follow.
type subEntry struct {
	id        network.RequestID
	url, typ  string
	method    string
	status    int
	protocol  string
	mimeType  string
	header    http.Header
	headerCut bool
	answer    string // its ownAnswerHeader field: the proxy's own answer, if the proxy says so
	redirect  bool
	size      int64 // decoded body bytes received (Network.dataReceived)
	received  time.Time
	finished  bool // loadingFinished: the body arrived in full
	failed    bool
}

// subresourceLog follows the page's requests other than the main frame's
// documents, in the order they were sent. Its methods are called with
// pageEvents.mu held.
type subresourceLog struct {
	entries   []*subEntry
	current   map[network.RequestID]*subEntry // the entry a request ID now stands for
	untracked int                             // requests beyond maxTrackedRequests
}

// observe records one network event of the tab in the log; main is the
// main frame, whose documents are the page itself and not subresources.
func (l *subresourceLog) observe(main string, ev any) {
	if l.current == nil {
		l.current = map[network.RequestID]*subEntry{}
	}
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request == nil || (string(ev.FrameID) == main && ev.Type == network.ResourceTypeDocument) {
			return
		}
		prev := l.current[ev.RequestID]
		if prev != nil && ev.RedirectResponse != nil {
			prev.setResponse(ev.RedirectResponse)
			prev.redirect, prev.finished = true, true
		}
		if len(l.entries) >= maxTrackedRequests {
			delete(l.current, ev.RequestID)
			l.untracked++
			return
		}
		e := &subEntry{id: ev.RequestID, url: ev.Request.URL, typ: string(ev.Type), method: ev.Request.Method}
		l.entries = append(l.entries, e)
		l.current[ev.RequestID] = e
	case *network.EventResponseReceived:
		if e := l.current[ev.RequestID]; e != nil && ev.Response != nil {
			e.setResponse(ev.Response)
		}
	case *network.EventDataReceived:
		if e := l.current[ev.RequestID]; e != nil {
			e.size += ev.DataLength
		}
	case *network.EventLoadingFinished:
		if e := l.current[ev.RequestID]; e != nil {
			e.finished = true
		}
	case *network.EventLoadingFailed:
		if e := l.current[ev.RequestID]; e != nil {
			e.failed = true
		}
	}
}

// setResponse records a response's status line and header.
func (e *subEntry) setResponse(r *network.Response) {
	e.status, e.protocol, e.mimeType = int(r.Status), r.Protocol, r.MimeType
	h := toHeader(r.Headers)
	e.answer = h.Get(ownAnswerHeader)
	e.header, e.headerCut = cutHeader(h, maxSubresourceHeader)
	e.received = time.Now().UTC()
}

// snapshot returns copies of the log's entries and the untracked count.
func (l *subresourceLog) snapshot() ([]subEntry, int) {
	out := make([]subEntry, len(l.entries))
	for i, e := range l.entries {
		out[i] = *e
	}
	return out, l.untracked
}

// headerSize returns the bytes of h's fields as a WARC record writes them
// ("Name: value\r\n").
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// cutHeader returns h's fields, by name, up to max bytes (headerSize), and
// whether any was left out.
func cutHeader(h http.Header, max int) (http.Header, bool) {
	if headerSize(h) <= max {
		return h, false
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out, n := http.Header{}, 0
	for _, k := range names {
		for _, v := range h[k] {
			if n+len(k)+len(v)+4 > max {
				return out, true
			}
			n += len(k) + len(v) + 4
			out[k] = append(out[k], v)
		}
	}
	return out, true
}

// replayFirst says whether a resource type is needed to replay a page's
// text (documents of frames, scripts, data, styles) rather than its looks.
func replayFirst(typ string) bool {
	switch network.ResourceType(typ) {
	case network.ResourceTypeImage, network.ResourceTypeMedia, network.ResourceTypeFont,
		network.ResourceTypeTextTrack, network.ResourceTypePing, network.ResourceTypeCSPViolationReport:
		return false
	}
	return true
}

// hasBody says whether a response of this status carries a body.
func hasBody(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// Subresources returns the responses the browser received for the page's
// subresources so far, with their bodies as the browser kept them, for a
// caller that archives the page so that it can be replayed: what the
// browser already received, never fetched again. Bounds: the first
// maxTrackedRequests requests of the page, GET requests with http(s) URLs
// of at most maxSubresourceURL bytes, at most Config.MaxSubresources
// responses and Config.MaxSubresourceBytes bytes (Subresource.Size), a
// body at most Config.MaxHTMLBytes. Requests that failed or had not
// finished are left out, as are the answers the proxy made up itself (a
// refusal, a 502 for a server it could not reach: the server sent nothing)
// and bodies the browser did not keep (its buffers hold the newest tens of
// megabytes). It takes at most subresourcesTimeout; what it has not read
// by then is left out. It returns an error wrapping ErrPageClosed after
// Close.
func (pg *Page) Subresources(ctx context.Context) (*Subresources, error) {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.closed {
		return nil, fmt.Errorf("render: subresources of %s: %w", pg.Rendered.URL, ErrPageClosed)
	}
	cfg := pg.pool.cfg
	deadline := time.Now().Add(subresourcesTimeout)
	pg.events.mu.Lock()
	entries, untracked := pg.events.subs.snapshot()
	pg.events.mu.Unlock()

	out := &Subresources{}
	omit := func(why string) {
		out.Omitted++
		for _, w := range out.Why {
			if w == why {
				return
			}
		}
		out.Why = append(out.Why, why)
	}
	for range untracked {
		omit(fmt.Sprintf("the page made more than %d requests", maxTrackedRequests))
	}
	var first, later []subEntry
	for _, e := range entries {
		switch {
		case !strings.HasPrefix(e.url, "http://") && !strings.HasPrefix(e.url, "https://"):
			// data:, blob: and the like: in the page itself, or made by it
		case e.failed || !e.finished || e.status == 0:
		case pg.madeUp(e):
			// The proxy's own answer (a refusal, a site it could not
			// reach): the site sent nothing to keep.
		case e.method != http.MethodGet:
			omit("requests other than GET are not kept")
		case len(e.url) > maxSubresourceURL:
			omit(fmt.Sprintf("URLs longer than %d bytes are not kept", maxSubresourceURL))
		case replayFirst(e.typ):
			first = append(first, e)
		default:
			later = append(later, e)
		}
	}
	for _, e := range append(first, later...) {
		if len(out.List) >= cfg.MaxSubresources {
			omit(fmt.Sprintf("a page keeps at most %d subresources", cfg.MaxSubresources))
			continue
		}
		s := Subresource{URL: e.url, Type: e.typ, Status: e.status, Protocol: e.protocol, MIMEType: e.mimeType,
			Header: e.header, HeaderTruncated: e.headerCut, Redirect: e.redirect, Received: e.received}
		left := cfg.MaxSubresourceBytes - out.Bytes - s.Size()
		body := hasBody(e.status) && !e.redirect
		if left < 0 || (body && (left == 0 || min(e.size, int64(cfg.MaxHTMLBytes)) > int64(left))) {
			omit(fmt.Sprintf("a page keeps at most %d bytes of subresources", cfg.MaxSubresourceBytes))
			continue
		}
		if body {
			if time.Now().After(deadline) {
				omit(fmt.Sprintf("reading the bodies took more than %s", subresourcesTimeout))
				continue
			}
			if err := pg.subresourceBody(ctx, deadline, e.id, &s, min(left, cfg.MaxHTMLBytes)); err != nil {
				omit("the browser did not keep some bodies")
				continue
			}
		}
		out.List = append(out.List, s)
		out.Bytes += s.Size()
	}
	return out, nil
}

// madeUp reports whether e's response is one the proxy made up itself.
func (pg *Page) madeUp(e subEntry) bool {
	_, ok := pg.proxy.Answered(e.answer, e.url)
	return ok
}

// subresourceBody reads the body of request id into s, cut to max bytes.
func (pg *Page) subresourceBody(ctx context.Context, deadline time.Time, id network.RequestID, s *Subresource, max int) error {
	bctx, cancel := pg.opContext(ctx, minTime(time.Now().Add(5*time.Second), deadline))
	defer cancel()
	body, err := chromedp.Call(bctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil {
		return err
	}
	if body.Base64encoded {
		raw := body.Body
		if len(raw) > max {
			raw, s.BodyTruncated = raw[:max], true
		}
		s.Body = raw
		return nil
	}
	text, cut := cutUTF8(string(body.Body), max)
	s.Body, s.BodyTruncated, s.BodyConverted = []byte(text), cut, true
	return nil
}
