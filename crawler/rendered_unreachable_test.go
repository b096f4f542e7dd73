package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"adscan"
	"adscan/render"
)

// TestRenderedCrawlUnreachable: a rendered page whose site cannot be
// reached fails at once with the network error a plain crawl of it reports
// — not retried, no 502 in its capture — while a 502 the site serves
// itself is recorded and retried as a 5xx; a subresource the browser could
// not get is not archived as its server's 502.
func TestRenderedCrawlUnreachable(t *testing.T) {
	path := chromiumPath(t, "rendered crawling")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String() // nothing listens there once closed
	ln.Close()
	site := newScriptedSite(t)
	pool := testPool(t, path, strings.TrimPrefix(site.URL, "http://"), closed)
	config := func(seeds ...string) Config { return retryingRenderedConfig(pool, seeds...) }

	t.Run("closed port", func(t *testing.T) {
		u := "http://" + closed + "/"
		// Without robots.txt, whose fetch comes first and would fail the
		// page before the browser is asked: the page itself is unreachable.
		cfg := config(u)
		cfg.IgnoreRobots = true
		pages, _, sum, err := renderedRun(t, context.Background(), cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[u]
		cfg.Render, cfg.Browser = false, nil
		plain, plainSum := crawl(t, cfg)
		pp := plain[u]
		if pp.Err == nil || plainSum.Retried != 0 {
			t.Fatalf("the plain crawl: err %v, retried %d; want connection refused at once", pp.Err, plainSum.Retried)
		}
		_, cause, _ := strings.Cut(pp.Err.Error(), `Get "`) // the plain crawl's words for the failure
		switch {
		case p.Err == nil:
			t.Errorf("the rendered page: no error, status %d; want the plain crawl's error", p.Capture.Status)
		case !errors.Is(p.Err, syscall.ECONNREFUSED) || errors.Is(p.Err, ErrServerError):
			t.Errorf("the rendered page: %v; want connection refused, not a server error", p.Err)
		case ErrorKind(p.Err) != ErrorKind(pp.Err) || ErrorKind(p.Err) != adscan.FetchNetwork:
			t.Errorf("the rendered page's error kind %s, the plain crawl's %s; want both %s", ErrorKind(p.Err), ErrorKind(pp.Err), adscan.FetchNetwork)
		case cause == "" || !strings.Contains(p.Err.Error(), `Get "`+cause):
			t.Errorf("the rendered page: %q; want it to say as the plain crawl does %q", p.Err, pp.Err)
		}
		t.Logf("rendered: %v\nplain:    %v", p.Err, pp.Err)
		if sum.Retried != 0 || sum.Errors != 1 || sum.Pages != 1 {
			t.Errorf("summary %+v; want 1 page failed at once (no retry)", sum)
		}
		if p.Capture.Status != 0 || len(p.Capture.WARC) != 0 {
			t.Errorf("capture status %d, %d bytes of WARC; want nothing the site did not serve", p.Capture.Status, len(p.Capture.WARC))
		}
	})

	t.Run("site serves 502", func(t *testing.T) {
		// The site's own 502, even dressed in the proxy's fields.
		site.script("/bad-gateway", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Adscan-Proxy-Answer", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
			w.Header().Set("X-Adscan-Refused", "1")
			statusPageAnswer(http.StatusBadGateway)(w, r)
		})
		cfg := config(site.URL + "/bad-gateway")
		pages, _, sum, err := renderedRun(t, context.Background(), cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[site.URL+"/bad-gateway"]
		if !errors.Is(p.Err, ErrServerError) || !strings.Contains(p.Err.Error(), "502") || p.Capture.Status != http.StatusBadGateway {
			t.Errorf("err %v, status %d; want the site's 502 recorded, a server error after the retries", p.Err, p.Capture.Status)
		}
		if n := site.count("/bad-gateway"); n != 1+cfg.Retries || sum.Retried != cfg.Retries {
			t.Errorf("asked %d times, retried %d; want %d attempts", n, sum.Retried, 1+cfg.Retries)
		}
	})

	t.Run("subresource on a closed port", func(t *testing.T) {
		site.script("/advert", htmlAnswer(strings.ReplaceAll(`<p>名校录取</p>
<iframe src="http://CLOSED/frame"></iframe><img src="http://CLOSED/pic.png">
<script>fetch("http://CLOSED/data.json").catch(() => {}); fetch("/data.json").catch(() => {});</script>`, "CLOSED", closed)))
		site.script("/data.json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":1}`))
		})
		pages, _, _, err := renderedRun(t, context.Background(), config(site.URL+"/advert"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[site.URL+"/advert"]
		if p.Err != nil || p.Capture.Status != http.StatusOK || !p.Result.Flagged() {
			t.Fatalf("err %v, status %d, flags %v; want the page flagged", p.Err, p.Capture.Status, p.Result.Flags)
		}
		warc := string(p.Capture.WARC)
		if !strings.Contains(warc, "WARC-Target-URI: "+site.URL+"/data.json") {
			t.Errorf("the WARC has no record of the site's own data.json")
		}
		if strings.Contains(warc, "WARC-Target-URI: http://"+closed) || strings.Contains(warc, " 502 Bad Gateway") {
			t.Errorf("the WARC records a 502 of %s, where nothing listens:\n%s", closed, recordTypes(p.Capture.WARC))
		}
	})
}

// TestRenderFailedRetriesAsPlainFetch: a rendered page whose site the
// browser's proxy could not reach is queued again exactly when a plain
// fetch failing with the same network error would be — a timeout — and
// otherwise fails at once with that error, of the same kind.
func TestRenderFailedRetriesAsPlainFetch(t *testing.T) {
	c, err := New(testConfig("http://example.org/"), substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	s := c.newSession()
	const u = "http://example.org/list"
	for _, tc := range []struct {
		name  string
		cause error
	}{
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}},
		{"no such host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "example.org", IsNotFound: true}}},
		{"connection closed unanswered", io.EOF},
		{"dial timeout", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}},
		{"DNS timeout", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "example.org", IsTimeout: true}}},
	} {
		plainErr := &url.Error{Op: "Get", URL: u, Err: tc.cause}
		renderErr := fmt.Errorf("render: load %s: %w: %w", u, render.ErrUnreachable, plainErr)
		p, again := s.renderFailed(context.Background(), Item{URL: u}, Page{}, renderErr)
		switch plain := retryable(plainErr, 0); {
		case plain != (again != nil):
			t.Errorf("%s: queued again %v; a plain fetch is retried: %v", tc.name, again != nil, plain)
		case again == nil && (!errors.Is(p.Err, tc.cause) || ErrorKind(p.Err) != ErrorKind(plainErr)):
			t.Errorf("%s: err %v (kind %s); want the network error, of kind %s", tc.name, p.Err, ErrorKind(p.Err), ErrorKind(plainErr))
		}
	}
}
