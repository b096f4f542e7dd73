package render

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"adscan"
)

// jsPage writes its advert with a script after fetching it: the served
// HTML does not hold the text, the rendered DOM does.
const jsPage = `<!doctype html><html><head><meta charset="utf-8"><title>暑期班</title></head>
<body><div id="app">加载中</div>
<script>
fetch('/data.json').then(r => r.json()).then(d => {
	document.getElementById('app').textContent = d.ad;
	document.title = d.title;
});
</script></body></html>`

const jsData = `{"ad":"暑假数学提前学，名校录取率98%","title":"某某教育 暑期班"}`

func TestRenderRunsScripts(t *testing.T) {
	s := newSite(t, map[string]string{"/": jsPage, "/data.json": jsData})
	p := newTestPool(t, testConfig(t), s)
	r, err := p.Render(context.Background(), s.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "名校录取率98%") || strings.Contains(r.Text, "加载中") {
		t.Errorf("rendered text %q, want the script's advert", r.Text)
	}
	if strings.Contains(string(r.Served), "名校录取") || !strings.Contains(string(r.Served), "加载中") {
		t.Errorf("served HTML %q, want the page as served", r.Served)
	}
	if !strings.Contains(r.HTML, `<div id="app">暑假数学提前学`) || !strings.HasPrefix(r.HTML, "<!DOCTYPE html>") {
		t.Errorf("rendered HTML %q", r.HTML)
	}
	if r.Status != 200 || r.FinalURL != s.URL+"/" || r.Title != "某某教育 暑期班" || r.MIMEType != "text/html" {
		t.Errorf("status %d, final URL %q, title %q, MIME %q", r.Status, r.FinalURL, r.Title, r.MIMEType)
	}
	if len(r.Refused) != 0 || r.Incomplete != "" {
		t.Errorf("refused %v, incomplete %q", r.Refused, r.Incomplete)
	}
	t.Logf("rendered in %s", r.Duration)
}

// TestBrowserRequestsGoThroughTheGuard: a page's scripts, images, frames,
// redirects and WebSockets aimed at another loopback server, at cloud
// metadata and at a private address are refused by the proxy and listed in
// Rendered.Refused; the other server sees no request at all.
func TestBrowserRequestsGoThroughTheGuard(t *testing.T) {
	other := newSite(t, map[string]string{"/": "internal", "/secret.json": `{"secret":1}`})
	otherPort := other.URL[strings.LastIndex(other.URL, ":")+1:]
	attack := `<!doctype html><html><head><meta charset="utf-8"><title>attack</title></head><body>
<p>可见文本</p>
<img src="OTHER/img.png">
<img src="/bounce">
<iframe src="OTHER/frame"></iframe>
<img src="http://169.254.169.254/latest/meta-data/iam.png">
<script>
fetch("OTHER/secret.json").catch(() => {});
fetch("http://localhost:PORT/by-name").catch(() => {});
fetch("https://127.0.0.1:PORT/tls").catch(() => {});
fetch("http://169.254.169.254/latest/meta-data/").catch(() => {});
fetch("http://10.20.30.40/admin").catch(() => {});
var x = new XMLHttpRequest(); x.open("GET", "OTHER/xhr"); x.send();
try { new WebSocket("ws://127.0.0.1:PORT/ws"); } catch (e) {}
</script></body></html>`
	attack = strings.NewReplacer("OTHER", other.URL, "PORT", otherPort).Replace(attack)
	var s *site
	s = newSite(t, map[string]string{"/": attack})
	bounce := newSite(t, nil) // redirects to the other server
	bounce.Config.Handler = http.RedirectHandler(other.URL+"/redirected", http.StatusFound)
	s.Config.Handler = withRoute(s.Config.Handler, "/bounce", http.RedirectHandler(other.URL+"/bounced.png", http.StatusFound))

	p := newTestPool(t, testConfig(t), s, bounce)
	r, err := p.Render(context.Background(), s.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "可见文本") {
		t.Errorf("text %q", r.Text)
	}
	want := []string{
		other.URL + "/img.png", other.URL + "/bounced.png", other.URL + "/frame",
		"169.254.169.254/latest/meta-data/iam.png", other.URL + "/secret.json", "localhost:" + otherPort + "/by-name",
		"CONNECT 127.0.0.1:" + otherPort, "169.254.169.254/latest/meta-data/:", "10.20.30.40/admin", other.URL + "/xhr",
	}
	var got []string
	for _, rf := range r.Refused {
		got = append(got, rf.String())
	}
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no refusal of %s in:\n%s", w, all)
		}
	}
	if hits := other.requests(); len(hits) != 0 {
		t.Errorf("the other server was reached: %v", hits)
	}

	// A redirect of the main document to the other server fails the page.
	_, err = p.Render(context.Background(), bounce.URL+"/")
	if !errors.Is(err, adscan.ErrPrivateAddress) || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("redirect to loopback: %v, want adscan.ErrPrivateAddress", err)
	}
	// So does a main document on a private address.
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.20.30.40/", "https://127.0.0.1:" + otherPort + "/"} {
		if _, err := p.Render(context.Background(), u); !errors.Is(err, adscan.ErrPrivateAddress) {
			t.Errorf("render %s: %v, want adscan.ErrPrivateAddress", u, err)
		}
	}
	if hits := other.requests(); len(hits) != 0 {
		t.Errorf("the other server was reached: %v", hits)
	}
}

// withRoute serves path with h and everything else with next.
func withRoute(next http.Handler, path string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
