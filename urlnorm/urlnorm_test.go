package urlnorm

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ base, ref, want string }{
		{"", "HTTP://Example.ORG:80/a/b#frag", "http://example.org/a/b"},
		{"", "https://example.org:443", "https://example.org/"},
		{"", "https://example.org:8443/x", "https://example.org:8443/x"},
		{"", "http://example.org/?utm_source=a&b=2&a=1&spm=x.y&fbclid=z", "http://example.org/?a=1&b=2"},
		{"", "http://example.org/p?from=singlemessage&isappinstalled=0&id=3", "http://example.org/p?id=3"},
		{"", "http://example.org/p?from=home", "http://example.org/p?from=home"},
		{"", "http://example.org/a;jsessionid=ABC123?x=1", "http://example.org/a?x=1"},
		{"", "http://example.org/a?PHPSESSID=1&x=1", "http://example.org/a?x=1"},
		{"", "http://user:pw@example.org/", "http://example.org/"},
		{"http://example.org/a/b.html", "../c.html", "http://example.org/c.html"},
		{"http://example.org/a/", `\x\y.html`, "http://example.org/x/y.html"},
		{"http://example.org/", "  /sp ace.html ", "http://example.org/sp%20ace.html"},
		{"http://example.org/", "/课程/介绍.html", "http://example.org/%E8%AF%BE%E7%A8%8B/%E4%BB%8B%E7%BB%8D.html"},
		{"", "http://北京大学.cn/", "http://xn--1lq90ic7fzpc.cn/"},
		{"http://example.org/a", "?page=2", "http://example.org/a?page=2"},
	} {
		got, err := Normalize(tc.base, tc.ref)
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", tc.base, tc.ref, got, err, tc.want)
		}
	}
	for _, ref := range []string{"ftp://example.org/", "mailto:a@example.org", "javascript:void(0)", "http://", "::"} {
		if got, err := Normalize("", ref); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", ref, got)
		}
	}
}
