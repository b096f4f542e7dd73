package crawler

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// TestGzipBombBounded serves a small gzip body that inflates to 256 MiB, on
// a page and as a sitemap: the crawl must stay within MaxBodyBytes of
// decoded content instead of inflating it all.
func TestGzipBombBounded(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 256 {
		zw.Write(zeros)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nSitemap: /sitemap.xml.gz\n"))
		case "/sitemap.xml.gz":
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(bomb.Bytes())
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}
	}))
	defer srv.Close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pages, _ := crawl(t, testConfig(srv.URL+"/bomb.html"))
	runtime.ReadMemStats(&after)
	if _, ok := pages[srv.URL+"/bomb.html"]; !ok {
		t.Fatalf("the bomb page was not handed over: %v", pages)
	}
	if alloc := (after.TotalAlloc - before.TotalAlloc) >> 20; alloc > 64 {
		t.Errorf("the crawl allocated %d MiB for a %d KiB gzip bomb; decoding must stop at MaxBodyBytes", alloc, bomb.Len()>>10)
	}
}
