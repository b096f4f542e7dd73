package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"adscan"
	"adscan/crawler/fakesite"
)

// TestDialRefusesPrivate proves the check happens when connecting: a host
// name (not a literal address) that resolves to loopback is refused, and the
// server never sees a request.
func TestDialRefusesPrivate(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	seed := strings.Replace(site.URL, "127.0.0.1", "localhost", 1) + "/"
	cfg := testConfig(seed)
	cfg.AllowPrivate = false
	pages, sum := crawl(t, cfg)
	p, ok := pages[seed]
	if !ok || !errors.Is(p.Err, adscan.ErrPrivateAddress) {
		t.Fatalf("seed page %+v, want an adscan.ErrPrivateAddress error", p)
	}
	if !strings.Contains(p.Err.Error(), "loopback") || sum.Errors != 1 || sum.Pages != 1 {
		t.Errorf("error %q, summary %+v", p.Err, sum)
	}
	if got := site.RequestedPaths(); len(got) != 0 {
		t.Errorf("refused crawl reached the server: %v", got)
	}
}

// TestRedirectToPrivateRefused: a redirect cannot lead past the check. The
// first server is let through as if it were public; the loopback server it
// redirects to must be refused when dialled.
func TestRedirectToPrivateRefused(t *testing.T) {
	inner := fakesite.New(fakesite.Options{})
	defer inner.Close()
	var outerHits atomic.Int32
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outerHits.Add(1)
		http.Redirect(w, r, inner.URL+"/", http.StatusFound)
	}))
	defer outer.Close()
	seed := strings.Replace(outer.URL, "127.0.0.1", "localhost", 1) + "/"
	cfg := testConfig(seed)
	cfg.AllowPrivate, cfg.IgnoreRobots = false, true
	cfg.AllowedHosts = []string{strings.TrimPrefix(inner.URL, "http://")}
	c, err := New(cfg, substringClassifier{})
	if err != nil {
		t.Fatal(err)
	}
	c.exemptAddrs = map[string]bool{strings.TrimPrefix(outer.URL, "http://"): true}
	var got Page
	if _, err := c.Run(context.Background(), nil, func(p Page) error { got = p; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(got.Err, adscan.ErrPrivateAddress) {
		t.Errorf("redirect to loopback: err = %v, want adscan.ErrPrivateAddress", got.Err)
	}
	if outerHits.Load() == 0 || len(got.Capture.Redirects) != 0 {
		t.Errorf("the first server was not reached (%d hits); redirects %v", outerHits.Load(), got.Capture.Redirects)
	}
	if paths := inner.RequestedPaths(); len(paths) != 0 {
		t.Errorf("redirect target was reached: %v", paths)
	}
}

func TestNewRejectsBadSeeds(t *testing.T) {
	for _, seed := range []string{"ftp://example.org/", "not a url", "http://", "mailto:a@b.c", "http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/"} {
		_, err := New(Config{Seeds: []string{seed}}, substringClassifier{})
		if err == nil || !strings.Contains(err.Error(), seed) {
			t.Errorf("New(%q) = %v, want an error naming the seed", seed, err)
		}
	}
	if _, err := New(Config{}, substringClassifier{}); err == nil {
		t.Error("New without seeds: no error")
	}
	if _, err := New(Config{Seeds: []string{"http://example.org"}}, nil); err == nil {
		t.Error("New without classifier: no error")
	}
}

func TestUnreachableAndTLSErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/"
	closed.Close()
	tlsSite := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSite.Close()
	for _, tc := range []struct{ seed, want string }{
		{closedURL, "connection refused"},
		{tlsSite.URL + "/", "certificate"},
	} {
		pages, sum := crawl(t, testConfig(tc.seed))
		p := pages[tc.seed]
		if p.Err == nil || !strings.Contains(p.Err.Error(), tc.want) || !strings.Contains(p.Err.Error(), tc.seed) || sum.Errors != 1 {
			t.Errorf("%s: err = %v, want one error naming the URL and %q", tc.seed, p.Err, tc.want)
		}
	}
}
