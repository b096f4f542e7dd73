package fakesite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Paths of a JSSite.
const (
	// JSPathIndex builds its advert (名校录取…) and its link to JSPathDetail
	// with a script: the served HTML holds neither. Its scripts also try to
	// reach the trap server, 169.254.169.254 and 10.0.0.1.
	JSPathIndex = "/"
	// JSPathDetail is reached only through the link the script adds.
	JSPathDetail = "/detail.html"
	// JSPathPrivate is disallowed by robots.txt; the script links it too.
	JSPathPrivate = "/private/secret.html"
	// JSPathStatic has its advert in the served HTML (for plain crawls that
	// take a screenshot of a flagged page).
	JSPathStatic = "/static.html"
	// JSPathRedirect redirects to the trap server.
	JSPathRedirect = "/go-inside"
	// JSPathHang runs a script that never ends.
	JSPathHang = "/hang.html"
)

// JSAdvert is the text JSPathIndex and JSPathStatic show once rendered; the
// default lexicon flags it (elite_admission, advance_teaching).
const JSAdvert = "本培训学校小学奥数班学员名校录取率高达95%！小升初暑期班火热报名中，报名电话010-12345678。"

// JSSite is a site whose advert only exists after its scripts ran, with a
// second loopback server, the trap, that a rendered page must never reach
// (it records every request). Both listen on loopback.
type JSSite struct {
	*httptest.Server
	Trap *httptest.Server

	mu        sync.Mutex
	requested map[string]int
	trapHits  []string
}

// NewJSSite starts a JSSite; Close closes both servers.
func NewJSSite() *JSSite {
	s := &JSSite{requested: map[string]int{}}
	s.Trap = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.trapHits = append(s.trapHits, r.URL.String())
		s.mu.Unlock()
		fmt.Fprint(w, `{"secret":"internal"}`)
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.NewReplacer("TRAP", s.Trap.URL, "PARTS", jsParts(JSAdvert)).Replace(jsIndex))
	})
	mux.HandleFunc("GET "+JSPathDetail, htmlPage("课程详情", "本周兴趣班安排：篮球、书法、围棋。"))
	mux.HandleFunc("GET "+JSPathPrivate, htmlPage("内部", "不应被抓取。"))
	mux.HandleFunc("GET "+JSPathStatic, htmlPage("喜报", JSAdvert))
	mux.HandleFunc("GET "+JSPathHang, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><body><p>加载中</p><script>for (;;) {}</script></body></html>`)
	})
	mux.HandleFunc("GET "+JSPathRedirect, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.Trap.URL+"/redirected", http.StatusFound)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requested[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	return s
}

// jsParts splits text into a JavaScript array of single characters, so the
// served HTML does not contain the text.
func jsParts(text string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range []rune(text) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", string(r))
	}
	b.WriteByte(']')
	return b.String()
}

const jsIndex = `<!doctype html>
<html><head><meta charset="utf-8"><title>课程中心</title></head>
<body><div id="app">加载中</div>
<script>
var parts = PARTS;
setTimeout(function () {
  var p = document.createElement("p");
  p.textContent = parts.join("");
  document.getElementById("app").replaceChildren(p);
  var a = document.createElement("a"); a.href = "/detail.html"; a.textContent = "课程详情";
  var b = document.createElement("a"); b.href = "/private/secret.html"; b.textContent = "内部";
  document.body.append(a, b);
}, 50);
fetch("TRAP/from-script").catch(function () {});
fetch("http://169.254.169.254/latest/meta-data/").catch(function () {});
fetch("http://10.0.0.1/").catch(function () {});
var img = new Image(); img.src = "TRAP/pixel.png";
</script></body></html>`

// Close closes the site and the trap.
func (s *JSSite) Close() {
	s.Server.Close()
	s.Trap.Close()
}

// Requested returns how often path was requested of the site.
func (s *JSSite) Requested(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requested[path]
}

// TrapHits returns the requests the trap received, in order.
func (s *JSSite) TrapHits() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.trapHits...)
}

// HostPort returns the site's "ip:port", the address a browser pool of a
// test lets through (render.Config.ExemptAddrs).
func (s *JSSite) HostPort() string {
	return strings.TrimPrefix(s.URL, "http://")
}
