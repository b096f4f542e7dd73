package crawler

import (
	"context"
	"errors"
	"net"

	"adscan"
	"adscan/render"
)

// ErrorKind names why a page's fetch failed, for the scan's error list:
// refused_address, robots, redirect_loop, too_many_redirects, timeout,
// http_status, decode, network, no_browser, browser or other.
func ErrorKind(err error) adscan.FetchErrorKind {
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, render.ErrNoChromium):
		return adscan.FetchNoBrowser
	case errors.Is(err, render.ErrCrashed), errors.Is(err, render.ErrBrowserHung), errors.Is(err, render.ErrPageBusy):
		return adscan.FetchBrowser
	case errors.Is(err, adscan.ErrPrivateAddress):
		return adscan.FetchRefusedAddress
	case errors.Is(err, ErrDisallowed):
		return adscan.FetchRobots
	case errors.Is(err, ErrRedirectLoop):
		return adscan.FetchRedirectLoop
	case errors.Is(err, ErrTooManyRedirects):
		return adscan.FetchTooManyRedirects
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return adscan.FetchTimeout
	case errors.Is(err, ErrServerError):
		return adscan.FetchHTTPStatus
	case errors.Is(err, ErrDecode):
		return adscan.FetchDecode
	case errors.As(err, &ne):
		return adscan.FetchNetwork
	}
	return adscan.FetchOther
}
