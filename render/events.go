package render

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
)

// Redirect is one HTTP redirect of the main document.
type Redirect struct {
	URL    string // the URL that answered with the redirect
	Status int
}

// docResponse is the response of the main document as the browser saw it.
type docResponse struct {
	requestID network.RequestID
	url       string
	status    int
	protocol  string
	mimeType  string
	header    http.Header
	finished  bool // the body has arrived in full
}

// pageEvents follows one tab's events: the main frame's lifecycle (the
// current document's loader and which of its milestones fired), the main
// document's response and redirects, the responses of its subresources,
// and a crash. The tab calls handle on
// its reading goroutine, so handle only records and signals; waiters wait
// on changed().
type pageEvents struct {
	frame cdp.FrameID // the main frame (a tab's target id is its main frame's id)

	mu        sync.Mutex
	signal    chan struct{} // closed and replaced on every change
	loader    cdp.LoaderID  // the main frame's current document
	fired     map[string]bool
	doc       *docResponse
	redirects []Redirect
	// docRequest is the URL of the main frame's last document request (the
	// first navigation's, a redirect hop's or a script navigation's).
	docRequest string
	crashed    bool
	dialogs    chan struct{} // a JavaScript dialog opened (to be dismissed)
	// inflight are the tab's requests under way (all frames and workers
	// that report to the tab); active is when that last changed.
	inflight map[network.RequestID]bool
	active   time.Time
	// subs are the responses of the page's subresources.
	subs subresourceLog
	// crashCtx ends when the renderer crashes, failing the steps under way.
	crashCtx context.Context
	crash    context.CancelFunc
	// paused, when set (before the tab starts), answers a document request
	// the Fetch domain paused; it runs on a goroutine of its own.
	paused func(*fetch.EventRequestPaused)
}

func newPageEvents() *pageEvents {
	crashCtx, crash := context.WithCancel(context.Background())
	return &pageEvents{signal: make(chan struct{}), fired: map[string]bool{}, dialogs: make(chan struct{}, 1),
		inflight: map[network.RequestID]bool{}, active: time.Now(), crashCtx: crashCtx, crash: crash}
}

// setFrame names the main frame once the tab exists; events seen before
// are of about:blank and do not matter.
func (e *pageEvents) setFrame(id cdp.FrameID) {
	e.mu.Lock()
	e.frame = id
	e.mu.Unlock()
}

// changed returns a channel that is closed at the next change.
func (e *pageEvents) changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.signal
}

// notify wakes the waiters; e.mu is held.
func (e *pageEvents) notify() {
	close(e.signal)
	e.signal = make(chan struct{})
}

// handle records one event of the tab.
func (e *pageEvents) handle(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.frame == "" {
		return
	}
	e.subs.observe(string(e.frame), ev)
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		if e.paused != nil {
			go e.paused(ev)
		}
		return
	case *page.EventLifecycleEvent:
		if ev.FrameID != e.frame {
			return
		}
		if ev.Name == "init" {
			e.loader, e.fired = ev.LoaderID, map[string]bool{}
		}
		if ev.LoaderID == e.loader {
			e.fired[ev.Name] = true
		}
	case *network.EventRequestWillBeSent:
		e.inflight[ev.RequestID], e.active = true, time.Now()
		if ev.FrameID != e.frame || ev.Type != network.ResourceTypeDocument {
			break
		}
		if ev.Request != nil {
			e.docRequest = ev.Request.URL
		}
		if ev.RedirectResponse != nil {
			e.redirects = append(e.redirects, Redirect{URL: ev.RedirectResponse.URL, Status: int(ev.RedirectResponse.Status)})
		} else {
			e.redirects = nil // a new navigation (the first, or a script's)
		}
	case *network.EventResponseReceived:
		if ev.FrameID != e.frame || ev.Type != network.ResourceTypeDocument || ev.Response == nil {
			return
		}
		r := ev.Response
		e.doc = &docResponse{requestID: ev.RequestID, url: r.URL, status: int(r.Status), protocol: r.Protocol,
			mimeType: r.MimeType, header: toHeader(r.Headers)}
	case *network.EventLoadingFinished:
		delete(e.inflight, ev.RequestID)
		e.active = time.Now()
		if e.doc != nil && ev.RequestID == e.doc.requestID {
			e.doc.finished = true
		}
	case *network.EventLoadingFailed:
		delete(e.inflight, ev.RequestID)
		e.active = time.Now()
	case *inspector.EventTargetCrashed:
		e.crashed = true
		e.crash()
	case *page.EventJavascriptDialogOpening:
		select {
		case e.dialogs <- struct{}{}:
		default:
		}
		return
	default:
		return
	}
	e.notify()
}

// state is a snapshot of what the events said.
type eventState struct {
	loaded, crashed bool
	// idle: Chromium's networkAlmostIdle fired (at most 2 connections for
	// 500 ms), or quiet is how long no request has been under way.
	idle       bool
	quiet      time.Duration
	doc        *docResponse
	redirects  []Redirect
	docRequest string
}

// state returns a snapshot of the events so far.
func (e *pageEvents) state() eventState {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := eventState{
		loaded:     e.fired["load"],
		idle:       e.fired["networkAlmostIdle"] || e.fired["networkIdle"],
		crashed:    e.crashed,
		redirects:  append([]Redirect(nil), e.redirects...),
		docRequest: e.docRequest,
	}
	if len(e.inflight) == 0 {
		s.quiet = time.Since(e.active)
	}
	if e.doc != nil {
		d := *e.doc
		s.doc = &d
	}
	return s
}

// toHeader turns CDP's header map into an http.Header. Chromium joins
// repeated headers with newlines; they are split again.
func toHeader(h network.Headers) http.Header {
	out := http.Header{}
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		for _, line := range strings.Split(s, "\n") {
			out.Add(k, line)
		}
	}
	return out
}
