// Package fakesite serves, on loopback, the kinds of website adscan's
// crawler meets in the wild — robots.txt rules, sitemaps, a GBK page that
// declares its charset only in <meta>, an endless calendar, a redirect loop,
// slow, huge and binary responses, external and mailto/javascript links,
// malformed HTML — and records which paths were requested, so tests can
// assert what a crawler did and did not fetch.
package fakesite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Paths of the standard site.
const (
	PathIndex       = "/"
	PathAbout       = "/about.html"
	PathGBK         = "/gbk.html"
	PathCalendar    = "/calendar"
	PathLoop        = "/loop/a"
	PathSlow        = "/slow.html"
	PathHuge        = "/huge.html"
	PathBinary      = "/files/brochure.pdf"
	PathPrivate     = "/private/secret.html" // disallowed by robots.txt
	PathSitemapOnly = "/hidden/sitemap-only.html"
	PathMalformed   = "/malformed.html"
	PathScript      = "/script.html"  // 名校录取 only inside <script>
	PathFlagged     = "/flagged.html" // 名校录取 in the visible text
	PathRedirect    = "/moved"        // 301 to /about.html
	PathOffsite     = "/go-elsewhere" // 302 to another host
	PathServerError = "/flaky.html"   // 503 on the first request, then 200
)

// ExternalURL is the off-site link on the index page.
const ExternalURL = "https://external.example.org/partner"

// GBKText is the visible text of the GBK page, as it must come out decoded.
const GBKText = "海淀区青少年课外活动中心欢迎您"

// Options change the standard site.
type Options struct {
	CrawlDelay int           // seconds, in robots.txt; 0 leaves the line out
	SlowDelay  time.Duration // how long /slow.html takes; default 3s
	HugeBytes  int           // size of /huge.html; default 16 MiB
}

// Site is a running fake website.
type Site struct {
	*httptest.Server
	opts Options

	mu        sync.Mutex
	requested map[string]int // path (with query) → count
	agents    map[string]bool
}

// New starts the standard site on loopback. Close it when done.
func New(opts Options) *Site {
	if opts.SlowDelay == 0 {
		opts.SlowDelay = 3 * time.Second
	}
	if opts.HugeBytes == 0 {
		opts.HugeBytes = 16 << 20
	}
	s := &Site{opts: opts, requested: map[string]int{}, agents: map[string]bool{}}
	s.Server = httptest.NewServer(s.record(s.routes()))
	return s
}

// Requested returns how often path (e.g. "/about.html", or with its query
// "/calendar?month=2026-01") was requested.
func (s *Site) Requested(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requested[path]
}

// RequestedPaths returns every requested path (with query), sorted.
func (s *Site) RequestedPaths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.requested))
	for p := range s.requested {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// UserAgents returns the User-Agent values seen, sorted.
func (s *Site) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.agents))
	for a := range s.agents {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func (s *Site) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requested[r.URL.RequestURI()]++
		s.agents[r.UserAgent()] = true
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (s *Site) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.HandleFunc("GET /sitemap.xml", s.sitemapIndex)
	mux.HandleFunc("GET /sitemap-pages.xml", s.sitemapPages)
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET "+PathAbout, htmlPage("关于我们", "本中心提供体育、美术和编程兴趣课程。", PathIndex))
	mux.HandleFunc("GET "+PathSitemapOnly, htmlPage("站点地图专页", "这个页面只在站点地图中出现。"))
	mux.HandleFunc("GET "+PathPrivate, htmlPage("内部", "不应被抓取。"))
	mux.HandleFunc("GET "+PathFlagged, htmlPage("喜报", "本培训学校小学奥数班学员名校录取率高达95%！小升初暑期班火热报名中，报名电话010-12345678。", PathAbout))
	mux.HandleFunc("GET "+PathGBK, s.gbk)
	mux.HandleFunc("GET "+PathCalendar, s.calendar)
	mux.HandleFunc("GET /loop/{name}", s.loop)
	mux.HandleFunc("GET "+PathSlow, s.slow)
	mux.HandleFunc("GET "+PathHuge, s.huge)
	mux.HandleFunc("GET "+PathBinary, s.binary)
	mux.HandleFunc("GET "+PathMalformed, s.malformed)
	mux.HandleFunc("GET "+PathScript, s.script)
	mux.HandleFunc("GET "+PathServerError, s.flaky)
	mux.Handle("GET "+PathRedirect, http.RedirectHandler(PathAbout, http.StatusMovedPermanently))
	mux.Handle("GET "+PathOffsite, http.RedirectHandler("http://elsewhere.example.net/landing", http.StatusFound))
	return mux
}

func (s *Site) robots(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\n")
	if s.opts.CrawlDelay > 0 {
		fmt.Fprintf(w, "Crawl-delay: %d\n", s.opts.CrawlDelay)
	}
	fmt.Fprintf(w, "\nSitemap: %s/sitemap.xml\n", s.URL)
}

func (s *Site) sitemapIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>%s/sitemap-pages.xml</loc></sitemap>
</sitemapindex>`, s.URL)
}

func (s *Site) sitemapPages(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>%[1]s/</loc></url>
  <url><loc>%[1]s%[2]s</loc></url>
  <url><loc>http://other-host.example.com/not-ours.html</loc></url>
</urlset>`, s.URL, PathSitemapOnly)
}

func (s *Site) index(w http.ResponseWriter, _ *http.Request) {
	links := []string{
		PathAbout, PathAbout + "#team", PathAbout + "?utm_source=wechat&utm_medium=share", // one page
		PathGBK, PathCalendar + "?month=2026-01", PathLoop, PathSlow, PathHuge, PathBinary,
		PathPrivate, PathMalformed, PathScript, PathFlagged, PathRedirect, PathOffsite, PathServerError,
		ExternalURL, "mailto:info@example.org", "javascript:void(0)", "tel:010-12345678",
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!DOCTYPE html><html><head><title>青少年活动中心</title></head><body><h1>欢迎</h1><ul>`)
	for _, l := range links {
		fmt.Fprintf(w, `<li><a href="%s">%s</a></li>`, l, l)
	}
	fmt.Fprint(w, `</ul></body></html>`)
}

// htmlPage serves a small UTF-8 page with a title, a paragraph and links.
func htmlPage(title, text string, links ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>%s</title></head><body><p>%s</p>`, title, text)
		for _, l := range links {
			fmt.Fprintf(w, `<a href="%s">%s</a> `, l, l)
		}
		fmt.Fprint(w, `</body></html>`)
	}
}

func (s *Site) gbk(w http.ResponseWriter, _ *http.Request) {
	page := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>活动中心</title></head>` +
		`<body><p>` + GBKText + `</p><a href="/关于/简介.html">简介</a></body></html>`
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(page))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html") // no charset: only the <meta> says GBK
	w.Write(b)
}

// calendar links every month to the next and the previous one, forever.
func (s *Site) calendar(w http.ResponseWriter, r *http.Request) {
	m, err := time.Parse("2006-01", r.URL.Query().Get("month"))
	if err != nil {
		m = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<html><body><h1>活动日历 %s</h1><a href="?month=%s">上个月</a> <a href="%s?month=%s">下个月</a></body></html>`,
		m.Format("2006-01"), m.AddDate(0, -1, 0).Format("2006-01"), PathCalendar, m.AddDate(0, 1, 0).Format("2006-01"))
}

// loop redirects /loop/a → /loop/b → /loop/a → …
func (s *Site) loop(w http.ResponseWriter, r *http.Request) {
	next := "/loop/b"
	if r.PathValue("name") == "b" {
		next = "/loop/a"
	}
	http.Redirect(w, r, next, http.StatusFound)
}

func (s *Site) slow(w http.ResponseWriter, r *http.Request) {
	select {
	case <-time.After(s.opts.SlowDelay):
	case <-r.Context().Done():
		return
	}
	htmlPage("慢页面", "终于加载完成。")(w, r)
}

func (s *Site) huge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<html><head><title>大页面</title></head><body><p>开头的文字。</p>`)
	chunk := []byte(strings.Repeat("<p>填充内容填充内容填充内容。</p>\n", 256))
	for n := 0; n < s.opts.HugeBytes; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
			return
		}
	}
	fmt.Fprint(w, `</body></html>`)
}

func (s *Site) binary(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Write([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"))
	w.Write(make([]byte, 64<<10))
}

func (s *Site) malformed(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<html><head><title>格式错误</title><body><div><p>未闭合的段落<table><tr><td>单元格
<b><i>交错的标签</b></i> 3 < 5 && 7 > 2 <a href="/about.html">关于<a href='/gbk.html'>GBK
<p>最后一段`)
}

func (s *Site) script(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<html><head><title>课程表</title><script>var banner = "名校录取喜报";</script>
<style>.x:after{content:"名校录取"}</style></head><body><p>本周兴趣班安排：篮球、书法。</p>
<script type="text/javascript">document.title = "名校录取";</script><template><p>名校录取</p></template></body></html>`)
}

// flaky answers 503 to its first request and the page afterwards.
func (s *Site) flaky(w http.ResponseWriter, r *http.Request) {
	if s.Requested(PathServerError) <= 1 {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	htmlPage("恢复", "服务器恢复了。")(w, r)
}
