package render

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// closedAddr returns "127.0.0.1:port" of a port nothing listens on.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestProxyMarksItsOwnAnswers: a plain request the proxy cannot forward
// (nothing listens there) gets a 502 of the proxy's own, whose token the
// proxy vouches for — for that URL only, with the dial's error; a token it
// did not make up is not its answer. A tunnel it cannot open is kept with
// the dial's error.
func TestProxyMarksItsOwnAnswers(t *testing.T) {
	closed := closedAddr(t)
	p := startTestProxy(t, closed)
	client := proxyClient(p)
	u := "http://" + closed + "/page?q=%E4%B8%AD&x=1"
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token := resp.Header.Get(ownAnswerHeader)
	if resp.StatusCode != http.StatusBadGateway || token == "" {
		t.Fatalf("GET %s: %d, token %q; want the proxy's 502 with a token", u, resp.StatusCode, token)
	}
	a, ok := p.Answered(token, u)
	if !ok || !errors.Is(a.Err, syscall.ECONNREFUSED) || a.Method != http.MethodGet {
		t.Errorf("Answered(token, %s) = %+v, %v; want the proxy's answer, with connection refused", u, a, ok)
	}
	if _, ok := p.Answered(token, u+"#part"); !ok {
		t.Errorf("Answered with the URL's fragment: not the proxy's answer")
	}
	for _, c := range []struct{ token, url string }{
		{token, "http://" + closed + "/other"},
		{token, "https://" + closed + "/page?q=%E4%B8%AD&x=1"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", u},
		{"", u},
	} {
		if a, ok := p.Answered(c.token, c.url); ok {
			t.Errorf("Answered(%q, %s) = %+v; want none", c.token, c.url, a)
		}
	}

	if resp, err := client.Get("https://" + closed + "/"); err == nil {
		resp.Body.Close()
		t.Fatalf("GET https://%s/ through the proxy: %d, want a failed tunnel", closed, resp.StatusCode)
	}
	if err := p.FailedTunnel(closed); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("FailedTunnel(%s) = %v, want connection refused", closed, err)
	}
	if err := p.FailedTunnel("127.0.0.1:1"); err != nil {
		t.Errorf("FailedTunnel of a host never asked for = %v", err)
	}
}

// TestProxyAnswerCannotBeForged: a site that closes the connection
// unanswered gets the proxy's own 502 sent in its place; the token a page
// could read from it, served back by the site on its own answer, does not
// reach the browser — the field is the proxy's — and the site's own 502 is
// passed on as the site's.
func TestProxyAnswerCannotBeForged(t *testing.T) {
	s := newSite(t, nil)
	var replay atomic.Value // the token the site serves back
	s.handle("/flaky", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _ := replay.Load().(string)
		if token == "" { // the first time: close the connection unanswered
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		w.Header().Set(ownAnswerHeader, token)
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "upstream busy")
	}))
	p := startTestProxy(t, s.hostPort())
	client := proxyClient(p)
	u := s.URL + "/flaky"
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token := resp.Header.Get(ownAnswerHeader)
	a, ok := p.Answered(token, u)
	if resp.StatusCode != http.StatusBadGateway || !ok || a.Err == nil {
		t.Fatalf("a connection closed unanswered: %d, the proxy's own %v (%v); want the proxy's 502", resp.StatusCode, ok, a.Err)
	}
	t.Logf("closed unanswered: %v", a.Err)
	replay.Store(token)

	resp, err = client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "upstream busy") {
		t.Errorf("the site's own 502: %d %q", resp.StatusCode, body)
	}
	if got := resp.Header.Get(ownAnswerHeader); got != "" {
		t.Errorf("the site's answer reached the browser with the proxy's field %q", got)
	}
}
