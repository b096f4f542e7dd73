package crawler

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRedirectChainHasNoRobotsTxt: a redirect to an origin whose robots.txt
// is not loaded yet makes the crawler read it on the way; that request is
// not a hop of the page's redirect chain.
func TestRedirectChainHasNoRobotsTxt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			w.Write([]byte("User-agent: *\nAllow: /\n"))
		case r.Host != strings.TrimPrefix(r.Host, "127.0.0.1"):
			// Send 127.0.0.1 visitors to the same server under another origin.
			http.Redirect(w, r, "http://localhost:"+r.Host[strings.LastIndex(r.Host, ":")+1:]+"/page", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<p>页面</p>"))
		}
	}))
	defer srv.Close()
	cfg := testConfig(srv.URL + "/")
	cfg.MaxDepth = 0
	cfg.AllowedHosts = []string{"localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]}
	pages, _ := crawl(t, cfg)
	p, ok := pages[srv.URL+"/"]
	if !ok || p.Err != nil {
		t.Fatalf("seed page: %+v", p)
	}
	if !strings.HasSuffix(p.Capture.FinalURL, "/page") {
		t.Errorf("final URL %s (status %d, redirects %v, skipped %q), want the redirect target", p.Capture.FinalURL, p.Capture.Status, p.Capture.Redirects, p.Skipped)
	}
	for _, r := range p.Capture.Redirects {
		if strings.Contains(r, "robots.txt") {
			t.Errorf("redirect chain %v holds a robots.txt fetch", p.Capture.Redirects)
		}
	}
}

// TestOffSiteSitemapIgnored: robots.txt may name sitemaps on any host; the
// crawler reads only the site's own.
func TestOffSiteSitemapIgnored(t *testing.T) {
	var other atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
	}))
	defer elsewhere.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nSitemap: " + elsewhere.URL + "/internal/admin?x=1\n"))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<p>首页</p>"))
	}))
	defer site.Close()
	crawl(t, testConfig(site.URL+"/"))
	if n := other.Load(); n != 0 {
		t.Errorf("the other host got %d requests from a sitemap line", n)
	}
}
