package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"adscan"
)

// Errors of a page (wrapped; test with errors.Is).
var (
	// ErrPageClosed: the Page was closed (by Close, HoldTimeout or Pool.Close).
	ErrPageClosed = errors.New("the page is closed")
	// ErrCrashed: the page's renderer or its browser crashed.
	ErrCrashed = errors.New("the browser crashed")
	// ErrPageBusy: the page kept its main thread busy — an endless script
	// that went on after it was told to stop, or a DOM too large to lay out
	// (a 50 MB DOM takes Chromium tens of seconds) — so its DOM could not be
	// read in time.
	ErrPageBusy = errors.New("the page kept the browser busy")
	// ErrNoAnswer: the main document sent no response within
	// Config.NavigationTimeout (the error wraps context.DeadlineExceeded
	// too). A page whose document arrived but did not finish loading is
	// read as it stands instead (Rendered.Incomplete).
	ErrNoAnswer = errors.New("no answer")
	// ErrUnreachable: the site sent no response for the main document
	// because the proxy could not get one — the name did not resolve, the
	// connection was refused or failed, the site closed it unanswered — and
	// answered the browser itself. The error wraps too a *url.Error naming
	// the URL asked for and the network's error (a *net.OpError,
	// *net.DNSError, io.EOF…), as a plain fetch reports it: errors.As finds
	// a net.Error, with its Timeout.
	ErrUnreachable = errors.New("the site could not be reached")
)

// StatusError is the error of a page whose main document answered with an
// HTTP error status (4xx or 5xx) and an empty body: Chromium shows an error
// page of its own for it (net::ERR_HTTP_RESPONSE_CODE_FAILURE), so there is
// no page to read — but the status and header fields (a 503's or 429's
// Retry-After) are the site's answer.
type StatusError struct {
	// URL is the main document's URL, after the Redirects.
	URL       string
	Redirects []Redirect
	Status    int
	Header    http.Header
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("render: %s answered %d %s with an empty body", e.URL, e.Status, http.StatusText(e.Status))
}

// closeTimeout bounds closing a tab; a browser that cannot close one in
// time is killed.
const closeTimeout = 10 * time.Second

// Rendered is what a browser made of one URL.
type Rendered struct {
	// URL is the URL asked for; FinalURL the document's URL in the end,
	// after HTTP redirects and script navigations.
	URL, FinalURL string
	// Redirects are the HTTP redirects of the main document, in order.
	Redirects []Redirect
	// Status, Protocol, MIMEType and Header describe the main document's
	// response; Status is 0 when the browser saw none (a page that never
	// answered is an error instead).
	Status   int
	Protocol string
	MIMEType string
	Header   http.Header
	// Title is document.title.
	Title string
	// HTML is the rendered DOM serialised (doctype and
	// document.documentElement.outerHTML), at most Config.MaxHTMLBytes;
	// HTMLTruncated says it was cut there (len(HTML) is where).
	HTML          string
	HTMLTruncated bool
	// Text is the visible text, document.body.innerText, followed by that
	// of the page's frames (an advert in an iframe is on the page as a
	// reader sees it), each after a blank line in document order, at most
	// maxFrameTexts of them; at most Config.MaxTextBytes in all, and
	// TextTruncated says it was cut there.
	Text          string
	TextTruncated bool
	// Served is the main document's body as served, at most
	// Config.MaxHTMLBytes (ServedTruncated then). The browser hands it over
	// after undoing any Content-Encoding; ServedConverted says it handed it
	// over as text, converted to UTF-8 from the page's charset, rather than
	// as the raw bytes. ServedNote says why Served is empty when it is.
	Served          []byte
	ServedTruncated bool
	ServedConverted bool
	ServedNote      string
	// Refused are the browser's requests for this page that the proxy
	// refused (private, loopback, link-local, metadata addresses), in
	// order; RefusedMore counts those beyond the first 1000.
	Refused     []Refusal
	RefusedMore int
	// Incomplete, when not empty, says why the page was read before it had
	// finished loading (it is read as it stood).
	Incomplete string
	// Started is when rendering began; Duration how long Open took.
	Started  time.Time
	Duration time.Duration
}

// Page is a URL rendered in a browser tab that stays open — holding one of
// the pool's browsers — until Close, so that the caller can classify the
// text first and then take a Screenshot of exactly what was classified.
// A Page left open for Config.HoldTimeout is closed for the caller.
// Its methods are safe to call from several goroutines.
type Page struct {
	// Rendered is what the browser made of the URL.
	Rendered Rendered

	pool   *Pool
	slot   *slot
	proxy  *proxy
	ctx    context.Context // the tab's chromedp context
	cancel context.CancelFunc
	events *pageEvents
	hold   *time.Timer
	// checkNav is OpenOptions.CheckNavigation; navRefused the first
	// main-frame navigation it refused.
	checkNav   func(url string) error
	navMu      sync.Mutex
	navRefused *navRefusal

	mu     sync.Mutex
	closed bool
}

// checkURL returns u parsed when it is an absolute http(s) URL with a host.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("render: %q is not a URL: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("render: %w", adscan.Errorf(adscan.EINVALID, "%q is not an http(s) URL", raw))
	}
	return u, nil
}

// opContext returns a context for one step on the tab: a child of the
// tab's context (never the first Run's, so the tab outlives it) that ends
// at the deadline, when parent ends, or when the renderer crashes.
func (pg *Page) opContext(parent context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithDeadline(pg.ctx, deadline)
	stop := context.AfterFunc(parent, cancel)
	stopCrash := context.AfterFunc(pg.events.crashCtx, cancel)
	return ctx, func() { stop(); stopCrash(); cancel() }
}

// startTab opens the tab in a browser context of its own whose traffic
// goes through the page's proxy. A browser that cannot open a tab before
// the deadline is killed (ErrBrowserHung).
func (pg *Page) startTab(ctx context.Context, deadline time.Time) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(pg.ctx) }() // the first Run: it gets the tab's own context
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			if !pg.slot.b.alive() {
				err = fmt.Errorf("%w: %w", ErrCrashed, err)
			}
			return fmt.Errorf("render: open a tab: %w", err)
		}
	case <-timer.C:
		pg.slot.b.killHung()
		<-done
		return fmt.Errorf("render: open a tab: %w", ErrBrowserHung)
	case <-ctx.Done():
		pg.cancel()
		<-done
		return fmt.Errorf("render: open a tab: %w", ctx.Err())
	}
	c := chromedp.FromContext(pg.ctx)
	pg.events.setFrame(cdp.FrameID(c.Target.TargetID))
	go pg.dismissDialogs()

	sctx, cancel := pg.opContext(ctx, deadline)
	defer cancel()
	// Downloads are refused in the page's browser context (the browser-wide
	// setting covers the default context only): a link to a file must not
	// write to our disk.
	if _, err := chromedp.CallBrowser(sctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: c.BrowserContextID,
	}); err != nil {
		return fmt.Errorf("render: refuse downloads: %w", err)
	}
	// A fixed viewport makes the layout (innerText) and the screenshot the
	// same on every machine; the network buffers keep the served body.
	if _, err := chromedp.Call(sctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: ScreenshotWidth, Height: viewportHeight, DeviceScaleFactor: 1,
	}); err != nil {
		return fmt.Errorf("render: set the viewport: %w", err)
	}
	buf := int64(max(pg.pool.cfg.MaxHTMLBytes, 16<<20))
	total := 4 * buf
	if _, err := chromedp.Call(sctx, network.Enable, network.EnableParams{MaxTotalBufferSize: &total, MaxResourceBufferSize: &buf}); err != nil {
		return fmt.Errorf("render: enable the network domain: %w", err)
	}
	if pg.checkNav != nil {
		return pg.enableNavigationCheck(sctx)
	}
	return nil
}

// dismissDialogs answers every alert, confirm and prompt with "cancel": a
// dialog would otherwise block the page's scripts and our commands.
func (pg *Page) dismissDialogs() {
	for {
		select {
		case <-pg.ctx.Done():
			return
		case <-pg.events.dialogs:
			ctx, cancel := context.WithTimeout(pg.ctx, pingTimeout)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			cancel()
		}
	}
}

// load navigates to u and waits for the load event (up to
// NavigationTimeout) and then for the network to go quiet (up to
// SettleTime). It returns a note when the page had not loaded in time, and
// an error when nothing could be loaded at all.
func (pg *Page) load(ctx context.Context, u string, start, deadline time.Time) (incomplete string, err error) {
	cfg := pg.pool.cfg
	navDeadline := minTime(start.Add(cfg.NavigationTimeout), deadline)
	nctx, cancel := pg.opContext(ctx, navDeadline)
	res, err := chromedp.Call(nctx, page.Navigate, page.NavigateParams{URL: u})
	cancel()
	if err := pg.refusedNavigation(u); err != nil {
		return "", err
	}
	timedOut := err != nil && ctx.Err() == nil && pg.ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded)
	switch {
	case timedOut && pg.events.state().doc != nil:
		// The document arrived but the page did not let the navigation
		// finish (its scripts hold the main thread): read it as it stands.
		if err := pg.unservedDocument(u); err != nil {
			return "", err
		}
		return fmt.Sprintf("the page had not finished loading after %s", cfg.NavigationTimeout), nil
	case timedOut:
		return "", fmt.Errorf("render: navigate to %s: %w within %s: %w", u, ErrNoAnswer, cfg.NavigationTimeout, err)
	case err != nil:
		return "", fmt.Errorf("render: navigate to %s: %w", u, pg.why(err))
	case res.ErrorText != "":
		return "", pg.navigationFailed(u, res.ErrorText)
	}

	if err := pg.unservedDocument(u); err != nil {
		return "", err
	}
	if !pg.waitFor(ctx, navDeadline, func(s eventState) bool { return s.loaded }) {
		if err := pg.failure(ctx); err != nil {
			return "", fmt.Errorf("render: load %s: %w", u, err)
		}
		return fmt.Sprintf("the page had not finished loading after %s", cfg.NavigationTimeout), nil
	}
	if err := pg.unservedDocument(u); err != nil {
		return "", err // a script navigated to a refused or unreachable address
	}
	pg.settle(ctx, minTime(time.Now().Add(cfg.SettleTime), deadline))
	if err := pg.failure(ctx); err != nil {
		return "", fmt.Errorf("render: load %s: %w", u, err)
	}
	return "", pg.unservedDocument(u)
}

// navigationFailed returns the error of a navigation to u that the browser
// failed (errorText, net::ERR_…): the proxy's refusal or failure to open a
// tunnel for the main document (https), the proxy's own answer, the
// site's error status with an empty body (a *StatusError), or else the
// browser's error.
func (pg *Page) navigationFailed(u, errorText string) error {
	target := pg.events.state().docRequest // after the redirects
	if target == "" {
		target = u
	}
	if r, ok := pg.refusedHost(target); ok {
		reason := strings.TrimSuffix(r.Reason, ": "+adscan.ErrPrivateAddress.Error())
		return fmt.Errorf("render: navigate to %s: refused: %s: %w", u, reason, adscan.ErrPrivateAddress)
	}
	if errorText == "net::ERR_TUNNEL_CONNECTION_FAILED" {
		if err := pg.proxy.FailedTunnel(hostPort(target)); err != nil {
			return fmt.Errorf("render: navigate to %s: %w: %w", u, ErrUnreachable, &url.Error{Op: "Get", URL: target, Err: err})
		}
	}
	if err := pg.unservedDocument(u); err != nil {
		return err
	}
	if err := pg.statusError(errorText); err != nil {
		return err
	}
	return fmt.Errorf("render: navigate to %s: %s", u, errorText)
}

// statusError returns a *StatusError when the navigation failed (errorText)
// because the main document answered an error status with an empty body,
// nil otherwise. The browser reports the response before the navigation's
// failure, so it has been recorded by now.
func (pg *Page) statusError(errorText string) error {
	st := pg.events.state()
	if errorText != "net::ERR_HTTP_RESPONSE_CODE_FAILURE" || st.doc == nil || st.doc.status < 400 {
		return nil
	}
	return &StatusError{URL: st.doc.url, Redirects: st.redirects, Status: st.doc.status, Header: st.doc.header}
}

// unservedDocument returns an error when the main document is not the
// site's: one wrapping ErrNavigationRefused when the navigation check
// refused a navigation of the main frame; when the document is an answer
// the proxy made up itself (see proxy.Answered) — to a redirect, or a
// script's navigation, too — one wrapping adscan.ErrPrivateAddress for a
// refusal, ErrUnreachable for a site it could not get a response from.
func (pg *Page) unservedDocument(u string) error {
	if err := pg.refusedNavigation(u); err != nil {
		return err
	}
	doc := pg.events.state().doc
	if doc == nil {
		return nil
	}
	a, ok := pg.proxy.Answered(doc.header.Get(ownAnswerHeader), doc.url)
	switch {
	case !ok:
		return nil
	case errors.Is(a.Err, adscan.ErrPrivateAddress):
		reason := strings.TrimSuffix(refusalReason(a.Err), ": "+adscan.ErrPrivateAddress.Error())
		return fmt.Errorf("render: load %s: the main document %s was refused: %s: %w", u, doc.url, reason, adscan.ErrPrivateAddress)
	}
	return fmt.Errorf("render: load %s: %w: %w", u, ErrUnreachable, &url.Error{Op: urlOp(a.Method), URL: doc.url, Err: a.Err})
}

// urlOp returns a request method as http.Client names it in a *url.Error
// ("Get", "Post").
func urlOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// waitFor waits until cond holds for the events, the deadline passes, ctx
// ends or the renderer crashes; it reports whether cond held.
func (pg *Page) waitFor(ctx context.Context, deadline time.Time, cond func(eventState) bool) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		changed := pg.events.changed()
		s := pg.events.state()
		if cond(s) {
			return true
		}
		if s.crashed {
			return false
		}
		select {
		case <-changed:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		case <-pg.ctx.Done():
			return false
		}
	}
}

// quietPeriod is how long the network must be quiet after the load event
// for the page to count as settled.
const quietPeriod = 300 * time.Millisecond

// settle waits until no request has been under way for quietPeriod (so
// what scripts fetched after the load event is rendered) or Chromium
// reports the network almost idle, up to the deadline.
func (pg *Page) settle(ctx context.Context, deadline time.Time) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		changed := pg.events.changed()
		s := pg.events.state()
		if s.idle || s.crashed || s.quiet >= quietPeriod {
			return
		}
		wait := quietPeriod // under way: wake at the next change, or recheck
		if s.quiet > 0 {
			wait = quietPeriod - s.quiet
		}
		tick := time.NewTimer(wait)
		select {
		case <-changed:
		case <-tick.C:
		case <-timer.C:
			tick.Stop()
			return
		case <-ctx.Done():
			tick.Stop()
			return
		case <-pg.ctx.Done():
			tick.Stop()
			return
		}
		tick.Stop()
	}
}

// failure returns why the page cannot go on: the caller's context ended,
// the renderer or the browser crashed; nil when it can.
func (pg *Page) failure(ctx context.Context) error {
	switch {
	case pg.events.state().crashed:
		return fmt.Errorf("the page's renderer: %w", ErrCrashed)
	case pg.ctx.Err() != nil:
		return pg.why(pg.ctx.Err())
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return nil
}

// why adds ErrCrashed to err when the browser is gone: its context ended,
// or err holds the browser process's exit (chromedp returns that from the
// call the death interrupted, before it cancels the browser's context).
func (pg *Page) why(err error) error {
	var exit *exec.ExitError
	if (!pg.slot.b.alive() || errors.As(err, &exit)) && !errors.Is(err, ErrCrashed) {
		return fmt.Errorf("%w: %w", ErrCrashed, err)
	}
	return err
}

// refusedHost returns the proxy's refusal of a request to u's host and
// port, if any.
func (pg *Page) refusedHost(u string) (Refusal, bool) {
	want := hostPort(u)
	refused, _ := pg.proxy.Refused()
	for _, r := range refused {
		got := r.URL // "host:port" for a tunnel
		if r.Method != http.MethodConnect {
			got = hostPort(r.URL)
		}
		if got != "" && got == want {
			return r, true
		}
	}
	return Refusal{}, false
}

// hostPort returns the "host:port" an http(s) URL connects to ("" for
// anything else).
func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	port := u.Port()
	switch {
	case port != "":
	case u.Scheme == "https":
		port = "443"
	case u.Scheme == "http":
		port = "80"
	default:
		return ""
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// unblock makes sure the page's main thread answers. A script that runs on
// is terminated (Runtime.terminateExecution is served off the main
// thread); native work such as laying out a huge DOM cannot be stopped.
// It returns ErrPageBusy when the thread stays busy.
func (pg *Page) unblock(ctx context.Context, deadline time.Time) error {
	if pg.responsive(ctx, minTime(time.Now().Add(time.Second), deadline)) {
		return nil
	}
	if err := pg.failure(ctx); err != nil {
		return err
	}
	tctx, cancel := pg.opContext(ctx, minTime(time.Now().Add(time.Second), deadline))
	chromedp.Call(tctx, runtime.TerminateExecution, cdp.Empty{}) // unanswered while native code runs
	cancel()
	if pg.responsive(ctx, minTime(time.Now().Add(2*time.Second), deadline)) {
		return nil
	}
	if err := pg.failure(ctx); err != nil {
		return err
	}
	return ErrPageBusy
}

// responsive reports whether the page evaluates a trivial expression
// before the deadline.
func (pg *Page) responsive(ctx context.Context, deadline time.Time) bool {
	ectx, cancel := pg.opContext(ctx, deadline)
	defer cancel()
	_, err := chromedp.Call(ectx, runtime.Evaluate, runtime.EvaluateParams{Expression: "1"})
	return err == nil
}

// extractScript serialises the DOM and reads the visible text, cutting both
// in the page (in UTF-16 units; Go cuts again in bytes) so that a 50 MB DOM
// never crosses the pipe whole. It runs in an isolated world, where the
// page's scripts cannot have replaced outerHTML or innerText.
const extractScript = `(function (capHTML, capText) {
	var d = document, de = d.documentElement;
	var h = de ? de.outerHTML : "";
	if (d.doctype) h = new XMLSerializer().serializeToString(d.doctype) + "\n" + h;
	var t = d.body ? d.body.innerText : (de ? de.textContent : "");
	return {url: d.URL, title: d.title,
		html: h.length > capHTML ? h.slice(0, capHTML) : h, htmlCut: h.length > capHTML,
		text: t.length > capText ? t.slice(0, capText) : t, textCut: t.length > capText};
})(%d, %d)`

// extracted is what extractScript returns.
type extracted struct {
	URL     string `json:"url"`
	Title   string `json:"title"`
	HTML    string `json:"html"`
	HTMLCut bool   `json:"htmlCut"`
	Text    string `json:"text"`
	TextCut bool   `json:"textCut"`
}

// evalIsolated evaluates expr in a fresh isolated world of the main frame,
// where the page's scripts cannot have replaced the built-in functions,
// returning the result by value.
func (pg *Page) evalIsolated(ctx context.Context, expr string, timeout time.Duration) (*runtime.EvaluateResult, error) {
	return pg.evalIsolatedIn(ctx, pg.events.frame, expr, timeout)
}

// evalIsolatedIn is evalIsolated in the given frame.
func (pg *Page) evalIsolatedIn(ctx context.Context, frame cdp.FrameID, expr string, timeout time.Duration) (*runtime.EvaluateResult, error) {
	world, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{
		FrameID: frame, WorldName: "adscan-render",
	})
	if err != nil {
		return nil, fmt.Errorf("create an isolated world: %w", err)
	}
	res, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{
		Expression:    expr,
		ContextID:     world.ExecutionContextID,
		ReturnByValue: new(true),
		Timeout:       runtime.TimeDelta(max(timeout.Milliseconds(), 1)),
	})
	if err != nil {
		return nil, err
	}
	if res.ExceptionDetails != nil {
		return nil, &chromedp.ExceptionError{ExceptionDetails: res.ExceptionDetails}
	}
	return &res, nil
}

// extract reads the rendered DOM, its text, title and URL into r.
func (pg *Page) extract(ctx context.Context, deadline time.Time, r *Rendered) error {
	cfg := pg.pool.cfg
	ectx, cancel := pg.opContext(ctx, deadline)
	defer cancel()
	res, err := pg.evalIsolated(ectx, fmt.Sprintf(extractScript, cfg.MaxHTMLBytes, cfg.MaxTextBytes), time.Until(deadline))
	if err != nil {
		return fmt.Errorf("render: read the DOM of %s: %w", r.URL, pg.why(err))
	}
	var x extracted
	if res.Result == nil || json.Unmarshal([]byte(res.Result.Value), &x) != nil {
		return fmt.Errorf("render: read the DOM of %s: unexpected result", r.URL)
	}
	var cut bool
	r.FinalURL, r.Title = x.URL, x.Title
	r.HTML, cut = cutUTF8(x.HTML, cfg.MaxHTMLBytes)
	r.HTMLTruncated = x.HTMLCut || cut
	r.Text, cut = cutUTF8(x.Text, cfg.MaxTextBytes)
	r.TextTruncated = x.TextCut || cut
	if !r.TextTruncated {
		pg.addFrameTexts(ectx, deadline, r)
	}
	return nil
}

// maxFrameTexts bounds the frames whose text a page's Text takes in.
const maxFrameTexts = 20

// frameTextScript reads a frame's visible text, cut in the frame to the
// given UTF-16 units; none from a frame shown at no size (display:none, a
// 0×0 tracker), whose innerText would be its raw text, scripts included.
const frameTextScript = `(function (cap) {
	if (!window.innerWidth || !window.innerHeight) return "";
	var t = document.body ? document.body.innerText : "";
	return t.length > cap ? t.slice(0, cap) : t;
})(%d)`

// addFrameTexts appends to r.Text the visible text of the page's frames,
// depth first in document order, each after a blank line, within
// Config.MaxTextBytes. A frame that cannot be read (detached meanwhile,
// too slow) is left out; the page's own text stands.
func (pg *Page) addFrameTexts(ctx context.Context, deadline time.Time, r *Rendered) {
	res, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil || res.FrameTree == nil {
		return
	}
	var frames []cdp.FrameID
	var walk func(ts []*page.FrameTree)
	walk = func(ts []*page.FrameTree) {
		for _, t := range ts {
			if len(frames) == maxFrameTexts {
				return
			}
			if t.Frame != nil {
				frames = append(frames, t.Frame.ID)
			}
			walk(t.ChildFrames)
		}
	}
	walk(res.FrameTree.ChildFrames)
	limit := pg.pool.cfg.MaxTextBytes
	for _, f := range frames {
		sep := "\n\n"
		if r.Text == "" {
			sep = ""
		}
		left := limit - len(r.Text) - len(sep)
		if left <= 0 {
			r.TextTruncated = true
			return
		}
		if time.Now().After(deadline) {
			return
		}
		res, err := pg.evalIsolatedIn(ctx, f, fmt.Sprintf(frameTextScript, left), time.Until(deadline))
		var t string
		if err != nil || res.Result == nil || json.Unmarshal([]byte(res.Result.Value), &t) != nil {
			pg.pool.cfg.Logger.Debug("render: a frame's text is left out", "url", r.URL, "frame", f, "err", err)
			continue
		}
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		t, cut := cutUTF8(t, left)
		r.Text += sep + t
		if cut {
			r.TextTruncated = true
			return
		}
	}
}

// served fills r.Served with the main document's body as the browser
// received it, or r.ServedNote with why it cannot.
func (pg *Page) served(ctx context.Context, deadline time.Time, doc *docResponse, r *Rendered) {
	switch {
	case doc == nil:
		r.ServedNote = "the browser saw no response for the main document"
		return
	case !doc.finished:
		r.ServedNote = "the main document's body had not arrived in full"
		return
	}
	bctx, cancel := pg.opContext(ctx, minTime(time.Now().Add(5*time.Second), deadline))
	defer cancel()
	body, err := chromedp.Call(bctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: doc.requestID})
	if err != nil {
		r.ServedNote = "the browser did not keep the main document's body: " + err.Error()
		return
	}
	r.ServedConverted = !body.Base64encoded
	r.Served = body.Body
	if len(r.Served) > pg.pool.cfg.MaxHTMLBytes {
		s, _ := cutUTF8(string(r.Served), pg.pool.cfg.MaxHTMLBytes)
		r.Served, r.ServedTruncated = []byte(s), true
	}
}

// cutUTF8 returns s cut to at most n bytes at a character boundary, and
// whether it was cut.
func cutUTF8(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// newTab prepares (but does not start) a tab in browser s.b whose traffic
// goes through px.
func newTab(p *Pool, s *slot, px *proxy, opts OpenOptions) *Page {
	ev := newPageEvents()
	pg := &Page{pool: p, slot: s, proxy: px, events: ev, checkNav: opts.CheckNavigation}
	if opts.CheckNavigation != nil {
		ev.paused = pg.answerPaused
	}
	ctx, cancel := chromedp.NewContext(s.b.ctx,
		chromedp.WithNewBrowserContext(func(params *target.CreateBrowserContextParams) {
			params.ProxyServer = px.URL()
			params.ProxyBypassList = "<-loopback>"
		}),
		chromedp.WithListener(ev.handle))
	pg.ctx, pg.cancel = ctx, cancel
	return pg
}
