package fakesite

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// PlainPlatform is the Platform's adverts served as plain HTML: the same
// search pages (/search?q=…&city=…&page=N, PlatformPageSize results a
// page, a 下一页 link), detail pages (/post/ID, the publisher in
// .publisher .name or as 发布机构：NAME text) and report links, each in
// the served HTML, so a profile with render: plain crawls it without a
// browser. It records every request with its time.
type PlainPlatform struct {
	*httptest.Server
	requestLog
}

// PlainPlatformProfileYAML is PlatformProfileYAML with render: plain, for
// a PlainPlatform at base.
func PlainPlatformProfileYAML(name, base, cities string, maxListing int, delay time.Duration) string {
	return strings.Replace(PlatformProfileYAML(name, base, cities, maxListing, delay), "render: browser", "render: plain", 1)
}

// NewPlainPlatform starts the plain platform on loopback.
func NewPlainPlatform() *PlainPlatform {
	p := &PlainPlatform{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeHTML(w, plainPage("假家教平台", `<p>热门搜索：<a href="/search?q=%E6%9A%91%E5%81%87&amp;city=%E6%B5%B7%E6%B7%80%E5%8C%BA">海淀区 暑假</a></p>`))
	})
	mux.HandleFunc("GET /search", p.search)
	mux.HandleFunc("GET /post/{id}", p.post)
	mux.HandleFunc("GET /post/{id}/report", func(w http.ResponseWriter, _ *http.Request) {
		writeHTML(w, plainPage("举报", "<p>举报已收到。</p>"))
	})
	p.Server = httptest.NewServer(p.record(mux))
	return p
}

// PostURL returns the URL of ad id's detail page.
func (p *PlainPlatform) PostURL(id int) string { return fmt.Sprintf("%s/post/%d", p.URL, id) }

func (p *PlainPlatform) search(w http.ResponseWriter, r *http.Request) {
	sr := searchPage(r)
	var b strings.Builder
	b.WriteString("<ul>")
	for _, ad := range sr.ads {
		fmt.Fprintf(&b, `<li><a href="/post/%d">%s</a><p>%s</p><a href="/post/%d/report">举报</a></li>`,
			ad.ID, html.EscapeString(ad.Title), html.EscapeString(ad.Body), ad.ID)
	}
	fmt.Fprintf(&b, "</ul><nav>第 %d / %d 页", sr.page, sr.pages)
	if sr.next != "" {
		fmt.Fprintf(&b, ` <a class="next" href="%s">下一页</a>`, html.EscapeString(sr.next))
	}
	b.WriteString("</nav>")
	writeHTML(w, plainPage("搜索", b.String()))
}

func (p *PlainPlatform) post(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	for _, ad := range PlatformAds {
		if ad.ID != id {
			continue
		}
		pub := `<div class="publisher">发布机构：<span class="name">` + html.EscapeString(ad.Publisher) + `</span></div>`
		if ad.PlainPublisher {
			pub = `<div class="contact">发布机构：` + html.EscapeString(ad.Publisher) + `</div>`
		}
		writeHTML(w, plainPage(ad.Title, fmt.Sprintf(`<h1>%s</h1><p>%s</p>%s<a href="/post/%d/report">举报此信息</a>`,
			html.EscapeString(ad.Title), html.EscapeString(ad.Body), pub, ad.ID)))
		return
	}
	http.NotFound(w, r)
}

// plainPage is a platform page with main's HTML.
func plainPage(title, main string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>` + html.EscapeString(title) + `</title></head>
<body><header><a href="/">假家教平台</a> <a href="/login">登录</a></header><main>` + main + `</main></body></html>`
}
