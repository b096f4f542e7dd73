package evidence

import "testing"

// TestSURT checks keys against what warcio.js's getSurt gives for the same
// URLs (the warcio test in warcio_test.go compares whole indexes).
func TestSURT(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.xinghuo.example/summer?b=2&a=1": "example,xinghuo)/summer?a=1&b=2",
		"http://WWW2.Example.COM/A/B":                "com,example,www2)/a/b", // warcio drops only a lower-case www
		"http://example.com":                         "com,example)/",
		"http://example.com:80/x":                    "com,example)/x",
		"https://example.com:8443/x":                 "com,example:8443)/x",
		"http://127.0.0.1:8080/p?z&a":                "1,0,0,127:8080)/p?a&z",
		"https://example.com/x#frag":                 "com,example)/x",
		"http://例子.中国/课程":                            "xn--fiqs8s,xn--fsqu00a)/%E8%AF%BE%E7%A8%8B",
		"urn:view:https://Example.com/":              "urn:view:https://Example.com/",
		"urn:adscan:case:c1":                         "urn:adscan:case:c1",
	} {
		if got := surt(in); got != want {
			t.Errorf("surt(%q) = %q, want %q", in, got, want)
		}
	}
}
