// Package render renders web pages in headless Chromium for adscan's
// crawler: the visible text of pages built by JavaScript, the rendered and
// the served HTML, and full-page screenshots of flagged pages as evidence.
//
// A Pool runs a bounded number of browsers (driven with chromedp over a
// pipe), one page at a time each, and replaces a browser after a number of
// pages, above a memory ceiling, or when it crashed or stopped answering;
// such a browser costs the page it was rendering, never the crawl.
//
// Every request a browser makes — the page, its scripts, XHR and fetch,
// images, frames, redirects, WebSockets — goes through a forward proxy in
// this process. The browser is told to use it for loopback too and to
// resolve no names itself (QUIC and non-proxied WebRTC UDP are off); the
// proxy resolves names and connects through a dialer that refuses private,
// loopback, link-local, CGNAT and cloud-metadata addresses
// (adscan.CheckPublicAddress) at dial time, unless Config.AllowPrivate is
// set. What it refuses is recorded in Rendered.Refused. A request it does
// not forward — refused, or for a site it could not reach (connection
// refused, no such host, the connection closed unanswered) — it answers
// itself (403, 502; a tunnel it cannot open fails the browser's request),
// marking the answer with a token it records and alone vouches for, so
// that such an answer is never taken for the site's: a main document the
// proxy answered fails the page (adscan.ErrPrivateAddress, ErrUnreachable
// with the network's error, as a plain fetch reports it), and a
// subresource it answered is not among Page.Subresources. OpenWith can also
// have each navigation of the main frame (redirect hops, meta refreshes,
// scripts setting location) checked before the browser sends it
// (OpenOptions.CheckNavigation: the crawler's robots.txt).
//
// A crawler calls Open for a page, classifies Rendered.Text, and — only for
// a flagged page — calls Screenshot on the same tab, so the picture shows
// what was classified — and Subresources, the responses the page's scripts,
// styles, images and XHR received (bounded, never fetched again), so that
// an archive of the page can be replayed; then it calls Close. Render is Open and Close in one
// for pages that need no picture.
package render
