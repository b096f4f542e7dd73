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
	mu   sync.Mutex
	hits []string
}

// newSite serves pages (path → HTML) and, for any other path, 404. A page
// whose path ends in ".js" or ".json" is served with that content type.
func newSite(t testing.TB, pages map[string]string) *site {
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.Method+" "+r.URL.RequestURI())
		s.mu.Unlock()
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
	t.Cleanup(s.Close)
	return s
}

// hostPort returns the site's "127.0.0.1:port".
func (s *site) hostPort() string { return strings.TrimPrefix(s.URL, "http://") }

// requests returns the requests the site has seen.
func (s *site) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}
