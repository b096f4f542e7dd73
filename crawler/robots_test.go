package crawler

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestRobotsServerErrorDisallowsAll: a robots.txt answered with 5xx means
// "crawl nothing for now" (Google's rule); the seed is reported, not fetched.
func TestRobotsServerErrorDisallowsAll(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "<p>page</p>")
	}))
	defer srv.Close()
	pages, sum := crawl(t, testConfig(srv.URL+"/"))
	p := pages[srv.URL+"/"]
	if p.Skipped != ErrDisallowed.Error() || p.Err != nil || sum.Disallowed == 0 || sum.Errors != 0 {
		t.Errorf("seed %+v, summary %+v", p, sum)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 1 || paths[0] != "/robots.txt" {
		t.Errorf("requested %v, want only /robots.txt", paths)
	}
}

// TestGzipSitemap: a Sitemap: line naming a gzip-compressed sitemap.
func TestGzipSitemap(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/maps/all.xml.gz\n", srv.URL)
		case "/maps/all.xml.gz":
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			fmt.Fprintf(zw, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/only-in-map.html</loc></url></urlset>`, srv.URL)
			zw.Close()
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(b.Bytes())
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<title>t</title><p>页面</p>")
		}
	}))
	defer srv.Close()
	pages, sum := crawl(t, testConfig(srv.URL+"/"))
	p, ok := pages[srv.URL+"/only-in-map.html"]
	if !ok || p.Capture.Status != 200 || sum.Sitemaps != 1 || !strings.Contains(p.Capture.Text, "页面") {
		t.Errorf("page from gzip sitemap: %v %+v; summary %+v", ok, p, sum)
	}
}
