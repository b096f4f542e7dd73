package crawler

import (
	"testing"
	"time"
)

func TestDedupeKey(t *testing.T) {
	if dedupeKey("http://example.org/a/") != dedupeKey("http://example.org/a") {
		t.Error("trailing slash variants differ")
	}
	if dedupeKey("http://example.org/") != "http://example.org/" {
		t.Error("root changed")
	}
	if dedupeKey("http://example.org/a?x=1") == dedupeKey("http://example.org/a?x=2") {
		t.Error("different queries are one page")
	}
}

func TestExtractLinks(t *testing.T) {
	body := []byte(`<html><head><base href="/sub/"><meta http-equiv="refresh" content="5; URL='/next.html'"></head>
<body><a href="a.html">a</a><a href="mailto:x@y.z">m</a><a href="javascript:go()">j</a><a href="tel:123">t</a>
<a href="#top">top</a><area href="/map.html"><iframe src="/frame.html"></iframe><a>no href</a></body></html>`)
	links, base := extractLinks(body, "utf-8")
	want := []string{"/next.html", "a.html", "/map.html", "/frame.html"}
	if base != "/sub/" || len(links) != len(want) {
		t.Fatalf("links %q base %q, want %q base /sub/", links, base, want)
	}
	for i := range want {
		if links[i] != want[i] {
			t.Errorf("link %d = %q, want %q", i, links[i], want[i])
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": 0, "3": 3 * time.Second, "-1": 0, "soon": 0,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second, "Wed, 31 Dec 2025 23:00:00 GMT": 0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
