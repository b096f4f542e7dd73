package render

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// site is an httptest server with fixed pages that records every request.
type site struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []string
	routes map[string]http.Handler
}

// newSite starts a site (see startSite) that is closed when the test ends.
func newSite(t testing.TB, pages map[string]string) *site {
	s := startSite(pages)
	t.Cleanup(s.Close)
	return s
}

// startSite serves pages (path → HTML) and, for any other path, 404. A page
// whose path ends in ".js" or ".json" is served with that content type.
func startSite(pages map[string]string) *site {
	s := &site{routes: map[string]http.Handler{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.Method+" "+r.URL.RequestURI())
		h := s.routes[r.URL.Path]
		s.mu.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, ".js"):
			w.Header().Set("Content-Type", "text/javascript")
		case strings.HasSuffix(r.URL.Path, ".json"):
			w.Header().Set("Content-Type", "application/json")
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.Write([]byte(body))
	}))
	return s
}

// handle serves path with h from now on.
func (s *site) handle(path string, h http.Handler) {
	s.mu.Lock()
	s.routes[path] = h
	s.mu.Unlock()
}

// hostPort returns the site's "127.0.0.1:port".
func (s *site) hostPort() string { return strings.TrimPrefix(s.URL, "http://") }

// requests returns the requests the site has seen.
func (s *site) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}
