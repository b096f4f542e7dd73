package render

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrNavigationRefused is wrapped, with the check's own error, by the error
// of a page whose main-frame navigation OpenOptions.CheckNavigation refused.
var ErrNavigationRefused = errors.New("navigation refused")

// OpenOptions are the per-page options of Pool.OpenWith.
type OpenOptions struct {
	// CheckNavigation, when set, is asked with the URL before the browser
	// sends each request for the main frame's document: the first
	// navigation, every HTTP redirect hop, and the navigations the page
	// makes itself (meta refresh, scripts setting location). An error
	// refuses the request: the browser never sends it, and OpenWith fails
	// with an error wrapping ErrNavigationRefused and the check's error.
	// The check is called on a goroutine of its own and may block (to fetch
	// robots.txt, say); a navigation waits for it at most
	// Config.NavigationTimeout, then is refused. Documents of subframes are
	// not checked: like the page's scripts and images, they are the page's
	// resources (and where its adverts come from).
	CheckNavigation func(url string) error
}

// navRefusal is a navigation the check refused.
type navRefusal struct {
	url string
	err error
}

// enableNavigationCheck makes the browser pause every document request of
// the tab (Fetch domain, request stage) until answerPaused continues or
// fails it.
func (pg *Page) enableNavigationCheck(ctx context.Context) error {
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{
		URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest,
	}}})
	if err != nil {
		return fmt.Errorf("render: enable the navigation check: %w", err)
	}
	return nil
}

// answerPaused decides a paused document request: a subframe's is
// continued at once, the main frame's after the check allowed it; refused
// (recorded first, so the navigation's failure finds it) when the check
// says no or does not answer within NavigationTimeout. Every paused request
// is answered unless the tab is gone, which drops it.
func (pg *Page) answerPaused(ev *fetch.EventRequestPaused) {
	allow := true
	if ev.FrameID == pg.events.frame && ev.Request != nil {
		u := ev.Request.URL
		if err := pg.runCheck(u); err != nil {
			allow = false
			pg.navMu.Lock()
			if pg.navRefused == nil {
				pg.navRefused = &navRefusal{url: u, err: err}
			}
			pg.navMu.Unlock()
		}
	}
	ctx, cancel := context.WithTimeout(pg.ctx, pingTimeout)
	defer cancel()
	var err error
	if allow {
		_, err = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	} else {
		_, err = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	if err != nil && pg.ctx.Err() == nil {
		pg.pool.cfg.Logger.Debug("render: a paused request was not answered", "url", ev.Request.URL, "allow", allow, "err", err)
	}
}

// runCheck runs the caller's check of u, waiting at most NavigationTimeout
// and no longer than the tab lives.
func (pg *Page) runCheck(u string) error {
	done := make(chan error, 1)
	go func() { done <- pg.checkNav(u) }()
	timer := time.NewTimer(pg.pool.cfg.NavigationTimeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("checking the navigation to %s took more than %s: %w", u, pg.pool.cfg.NavigationTimeout, context.DeadlineExceeded)
	case <-pg.ctx.Done():
		return pg.ctx.Err()
	}
}

// refusedNavigation returns the error of the first navigation of the main
// frame the check refused, or nil.
func (pg *Page) refusedNavigation(u string) error {
	pg.navMu.Lock()
	r := pg.navRefused
	pg.navMu.Unlock()
	if r == nil {
		return nil
	}
	return fmt.Errorf("render: load %s: %w: %s: %w", u, ErrNavigationRefused, r.url, r.err)
}
