package crawler

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// robotsSite is a site whose robots.txt disallows /private/, with pages
// that lead the browser there by a redirect and by a script, and records
// every request it is sent.
type robotsSite struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func newRobotsSite(t *testing.T) *robotsSite {
	s := &robotsSite{}
	mux := http.NewServeMux()
	html := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><html><body>" + body + "</body></html>"))
		}
	}
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.Handle("/redirect-private", http.RedirectHandler("/private/r", http.StatusFound))
	mux.Handle("/redirect-ok", http.RedirectHandler("/landing", http.StatusFound))
	mux.Handle("/script", html(`<p>moving</p><script>location.href = "/private/s"</script>`))
	mux.Handle("/landing", html("<p>landed</p>"))
	mux.Handle("/private/", html("<p>secret</p>"))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.URL.Path)
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *robotsSite) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

// TestRenderedCrawlObeysRobotsOnNavigation: a rendered page that
// redirects, or whose script navigates, to a path robots.txt disallows
// is skipped as disallowed, naming that URL, and the path is never requested;
// an allowed redirect is followed.
func TestRenderedCrawlObeysRobotsOnNavigation(t *testing.T) {
	path := chromiumPath(t, "rendered crawling")
	site := newRobotsSite(t)
	pool := testPool(t, path, strings.TrimPrefix(site.URL, "http://"))

	cfg := testConfig(site.URL+"/redirect-private", site.URL+"/script", site.URL+"/redirect-ok")
	cfg.Render, cfg.Browser, cfg.MaxDepth = true, pool, 0
	pages, _ := crawl(t, cfg)
	for path, refused := range map[string]string{"/redirect-private": "/private/r", "/script": "/private/s"} {
		p, ok := pages[site.URL+path]
		switch {
		case !ok:
			t.Errorf("%s: no page", path)
		case p.Err != nil || !strings.Contains(p.Skipped, "disallowed by robots.txt") || !strings.Contains(p.Skipped, site.URL+refused):
			t.Errorf("%s: err %v, skipped %q; want it skipped as disallowed, naming %s (as a plain crawl skips a disallowed redirect)", path, p.Err, p.Skipped, refused)
		}
	}
	if p := pages[site.URL+"/redirect-ok"]; p.Err != nil || p.Capture.FinalURL != site.URL+"/landing" {
		t.Errorf("/redirect-ok: err %v, final URL %s; want /landing", p.Err, p.Capture.FinalURL)
	}
	hits := site.requests()
	for _, h := range hits {
		if strings.HasPrefix(h, "/private/") {
			t.Errorf("the site was asked for the disallowed %s", h)
		}
	}
	t.Logf("requests: %v", hits)
}
