package render

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestErrorStatusWithoutBody: a main document that answers an error status
// with an empty body — which Chromium replaces by an error page of its
// own — fails the page with a *StatusError carrying the status, the header
// fields and the redirects; one that answers with a body is rendered, its
// status in Rendered.Status.
func TestErrorStatusWithoutBody(t *testing.T) {
	p, s, _ := sharedFixture(t)
	s.handle("/status/busy", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	s.handle("/status/moved", redirectTo("/status/gone"))
	s.handle("/status/gone", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	s.handle("/status/busy-page", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("<p>稍后再试</p>"))
	}))

	for _, c := range []struct {
		path, final string
		status      int
		retryAfter  string
		redirects   int
	}{
		{"/status/busy", "/status/busy", http.StatusServiceUnavailable, "7", 0},
		{"/status/moved", "/status/gone", http.StatusNotFound, "", 1},
	} {
		pg, err := p.Open(context.Background(), s.URL+c.path)
		if err == nil {
			pg.Close()
			t.Errorf("%s opened (status %d); want a *StatusError", c.path, pg.Rendered.Status)
			continue
		}
		var se *StatusError
		if !errors.As(err, &se) {
			t.Errorf("%s: err = %v; want a *StatusError", c.path, err)
			continue
		}
		if se.URL != s.URL+c.final || se.Status != c.status || se.Header.Get("Retry-After") != c.retryAfter || len(se.Redirects) != c.redirects {
			t.Errorf("%s: %+v; want %s answering %d, Retry-After %q, %d redirects", c.path, se, c.final, c.status, c.retryAfter, c.redirects)
		}
		if !strings.Contains(err.Error(), c.final) || !strings.Contains(err.Error(), http.StatusText(c.status)) {
			t.Errorf("%s: message %q does not name the URL and status", c.path, err)
		}
	}

	r, err := p.Render(context.Background(), s.URL+"/status/busy-page")
	if err != nil || r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Text, "稍后再试") {
		t.Errorf("a 503 with a body: err %v, rendered %+v; want it rendered with status 503", err, r)
	}
}

// TestNoAnswerIsErrNoAnswer: a main document that sends nothing within
// NavigationTimeout fails the page with ErrNoAnswer (and
// context.DeadlineExceeded), naming the URL.
func TestNoAnswerIsErrNoAnswer(t *testing.T) {
	p, s, _ := sharedFixture(t)
	s.handle("/status/silent", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	pg, err := p.Open(context.Background(), s.URL+"/status/silent")
	if err == nil {
		pg.Close()
		t.Fatalf("a page that never answers opened (status %d)", pg.Rendered.Status)
	}
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), s.URL+"/status/silent") {
		t.Errorf("err = %v; want ErrNoAnswer and context.DeadlineExceeded, naming the URL", err)
	}
}

// TestSiteServed502: a main document the site itself answers 502 is the
// site's answer — with a body it is rendered, its status 502; without one
// it is a *StatusError 502 — even when the site sends the fields of the
// proxy's own answers.
func TestSiteServed502(t *testing.T) {
	p, s, _ := sharedFixture(t)
	forge := func(w http.ResponseWriter) {
		w.Header().Set(ownAnswerHeader, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		w.Header().Set("X-Adscan-Refused", "1")
	}
	s.handle("/status/bad-gateway-page", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forge(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<p>网关错误</p>"))
	}))
	s.handle("/status/bad-gateway", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forge(w)
		w.WriteHeader(http.StatusBadGateway)
	}))

	r, err := p.Render(context.Background(), s.URL+"/status/bad-gateway-page")
	if err != nil || r.Status != http.StatusBadGateway || !strings.Contains(r.Text, "网关错误") {
		t.Errorf("the site's 502 with a body: err %v, rendered %+v; want it rendered with status 502", err, r)
	} else if r.Header.Get(ownAnswerHeader) != "" {
		t.Errorf("the site's answer reached the browser with the proxy's field")
	}
	_, err = p.Render(context.Background(), s.URL+"/status/bad-gateway")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusBadGateway {
		t.Errorf("the site's 502 without a body: err %v; want a *StatusError 502", err)
	}
}
