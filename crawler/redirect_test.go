package crawler

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRedirectChainBounded: a chain of 20 distinct redirects is cut after 10 redirects (11 requests).
func TestRedirectChainBounded(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if n < 20 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n+1), http.StatusFound)
			return
		}
		fmt.Fprint(w, "end")
	}))
	defer srv.Close()
	cfg := testConfig(srv.URL + "/r/0")
	cfg.MaxDepth = -1
	pages, _ := crawl(t, cfg)
	p := pages[srv.URL+"/r/0"]
	if !errors.Is(p.Err, ErrTooManyRedirects) || hits.Load() != 11 || len(p.Capture.Redirects) != 10 {
		t.Errorf("err %v after %d requests, chain %v; want ErrTooManyRedirects after following 10", p.Err, hits.Load(), p.Capture.Redirects)
	}
}
