package render

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
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

// TestRenderRunsScripts: text a script fetches and writes is in the
// rendered text and HTML, and not in the served HTML.
func TestRenderRunsScripts(t *testing.T) {
	p, s, _ := sharedFixture(t)
	r, err := p.Render(context.Background(), s.URL+"/js")
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
	if r.Status != 200 || r.FinalURL != s.URL+"/js" || r.Title != "某某教育 暑期班" || r.MIMEType != "text/html" ||
		r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("status %d, final URL %q, title %q, MIME %q, header %v", r.Status, r.FinalURL, r.Title, r.MIMEType, r.Header)
	}
	if len(r.Refused) != 0 || r.Incomplete != "" || r.HTMLTruncated || r.TextTruncated || r.ServedTruncated {
		t.Errorf("refused %v, incomplete %q, truncated %v %v %v", r.Refused, r.Incomplete, r.HTMLTruncated, r.TextTruncated, r.ServedTruncated)
	}
}

// attackPage aims scripts, images, a frame, a redirect and a WebSocket at
// the other loopback server (OTHER, PORT), at cloud metadata and at a
// private address.
const attackPage = `<!doctype html><html><head><meta charset="utf-8"><title>attack</title></head><body>
<p>可见文本</p>
<img src="OTHER/img.png">
<img src="/bounce.png">
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

// TestBrowserRequestsGoThroughTheGuard: a page's requests aimed at another
// loopback server, at cloud metadata and at a private address are refused
// by the proxy and listed in Rendered.Refused; the other server sees no
// request at all. A main document there, or redirected there, fails the
// page with adscan.ErrPrivateAddress.
func TestBrowserRequestsGoThroughTheGuard(t *testing.T) {
	p, s, other := sharedFixture(t)
	r, err := p.Render(context.Background(), s.URL+"/attack")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "可见文本") {
		t.Errorf("text %q", r.Text)
	}
	otherPort := port(other.URL)
	want := []string{
		"GET " + other.URL + "/img.png:", "GET " + other.URL + "/bounced.png:", "GET " + other.URL + "/frame:",
		"GET http://169.254.169.254/latest/meta-data/iam.png:", "GET " + other.URL + "/secret.json:",
		"GET http://localhost:" + otherPort + "/by-name:", "CONNECT 127.0.0.1:" + otherPort + ":",
		"GET http://169.254.169.254/latest/meta-data/:", "GET http://10.20.30.40/admin:", "GET " + other.URL + "/xhr:",
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
	if !strings.Contains(all, "127.0.0.1 is a loopback address") || !strings.Contains(all, "169.254.169.254 is a cloud metadata address") ||
		!strings.Contains(all, "10.20.30.40 is a private address") {
		t.Errorf("refusals do not say why:\n%s", all)
	}

	for _, u := range []string{s.URL + "/redirect", "http://169.254.169.254/latest/meta-data/", "http://10.20.30.40/", "https://127.0.0.1:" + otherPort + "/"} {
		_, err := p.Render(context.Background(), u)
		if !errors.Is(err, adscan.ErrPrivateAddress) {
			t.Errorf("render %s: %v, want adscan.ErrPrivateAddress", u, err)
		} else {
			t.Logf("render %s: %v", u, err)
		}
	}
	if hits := other.requests(); len(hits) != 0 {
		t.Errorf("the other server was reached: %v", hits)
	}
}

// redirectTo redirects every request to u.
func redirectTo(u string) http.Handler { return http.RedirectHandler(u, http.StatusFound) }

// TestDownloadsAreRefused: a URL that answers with a file to save is not
// rendered, and nothing is saved.
func TestDownloadsAreRefused(t *testing.T) {
	p, s, _ := sharedFixture(t)
	home := os.Getenv("HOME")
	before, _ := os.ReadDir(filepath.Join(home, "Downloads"))
	s.handle("/brochure.zip", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", `attachment; filename="brochure.zip"`)
		w.Write([]byte("PK\x03\x04 not really a zip"))
	}))
	_, err := p.Render(context.Background(), s.URL+"/brochure.zip")
	if err == nil {
		t.Error("a download rendered as a page")
	} else {
		t.Logf("download: %v", err)
	}
	after, _ := os.ReadDir(filepath.Join(home, "Downloads"))
	if len(after) != len(before) {
		t.Errorf("a file was saved in %s/Downloads", home)
	}
}

// TestDialogsAreDismissed: alert and confirm do not block the page.
func TestDialogsAreDismissed(t *testing.T) {
	p, s, _ := sharedFixture(t)
	s.handle("/dialogs", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><meta charset="utf-8"><script>alert("报名"); if (!confirm("确定?")) document.write("<p>取消了</p>");</script><p>对话框之后</p>`)
	}))
	r, err := p.Render(context.Background(), s.URL+"/dialogs")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "取消了") || !strings.Contains(r.Text, "对话框之后") || r.Incomplete != "" {
		t.Errorf("text %q, incomplete %q", r.Text, r.Incomplete)
	}
}

// htmlHandler serves page as UTF-8 HTML.
func htmlHandler(page string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
}
