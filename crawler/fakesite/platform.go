package fakesite

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Platform is a fake tutoring classifieds platform built by JavaScript:
// its search pages (/search?q=…&city=…&page=N) and its detail pages
// (/post/ID) are empty shells whose scripts fetch their content as JSON
// (/api/search, /api/post/ID) and build the page — result lists with links
// to detail pages and a 下一页 link, the advert, its publisher. A plain
// fetch sees none of it. The home page links a few searches in its served
// HTML, so a plain crawl has pages to visit. It records every request with
// its time.
type Platform struct {
	*httptest.Server
	requestLog
}

// PlatformRequest is one request the platform received.
type PlatformRequest struct {
	Path string // with the query
	At   time.Time
}

// PlatformAd is one advert on the platform.
type PlatformAd struct {
	ID        int
	City      string
	Title     string
	Body      string
	Publisher string
	// Violates says the default lexicon flags the advert (it was checked
	// with adscan classify); the others are compliant (art, sports,
	// adults, a parent's advice).
	Violates bool
	// PlainPublisher shows the publisher without the .publisher .name
	// element a profile's selector finds, only as "发布机构：NAME" text.
	PlainPublisher bool
}

// PlatformPageSize is how many results a search page lists.
const PlatformPageSize = 2

// PlatformAds are the platform's adverts, in the order searches list
// them. The searches 暑假 and 英语 in 海淀区 and 朝阳区 reach all of them;
// ad 3 only on page 2 of 暑假 in 海淀区.
var PlatformAds = []PlatformAd{
	{ID: 1, City: "海淀区", Violates: true, Publisher: "学霸堂培训学校", Title: "小学数学暑假班火热报名中",
		Body: "学霸堂培训学校小学数学暑期培优班，七月开课，提前学习下学期课程，三年级升四年级同步衔接，小班授课，报名电话010-12345678。"},
	{ID: 2, City: "海淀区", Publisher: "彩虹画室", Title: "少儿美术暑假兴趣班",
		Body: "彩虹画室少儿美术暑假兴趣班招生：素描、水彩、手工，培养孩子的艺术兴趣和审美能力。"},
	{ID: 3, City: "海淀区", Violates: true, Publisher: "智优培训中心", Title: "小升初奥数冲刺班",
		Body: "智优培训中心小升初数学奥数冲刺班招生，往届学员获全国数学竞赛一等奖，期末成绩排名全区第一，暑假班名额有限，报名从速。"},
	{ID: 4, City: "海淀区", Publisher: "飞跃体育俱乐部", Title: "青少年篮球暑假训练营",
		Body: "暑假篮球训练营，专业教练指导，增强体质，培养团队精神。"},
	{ID: 5, City: "朝阳区", Violates: true, Publisher: "启航教育", Title: "初中数学物理一对一辅导",
		Body: "启航教育初中数学、物理一对一辅导，去年学员中考名校录取率高达百分之九十五！暑假班火热报名中，咨询电话010-87654321。"},
	{ID: 6, City: "朝阳区", Publisher: "一位家长", Title: "家长经验分享：如何安排孩子的暑假",
		Body: "暑假到了，建议家长帮助孩子制定作息计划，多读书、多运动，适当参加兴趣活动，不要盲目报班。"},
	{ID: 7, City: "朝阳区", Violates: true, Publisher: "博雅外语培训", PlainPublisher: true, Title: "小学英语暑假集训班",
		Body: "博雅外语培训小学英语暑假集训班，每晚21:30至22:30在线直播授课，课程费用可分期付款，零首付先学后付，报名电话010-55556666。"},
	{ID: 8, City: "朝阳区", Publisher: "新语成人外语", Title: "成人英语口语周末班",
		Body: "职场英语口语培训，面向在职成人，周末小班，商务英语、雅思口语。"},
}

// PlatformProfileYAML returns a profile of the platform at base (its
// URL): keywords 暑假 and 英语, cities as given (a YAML flow list such as
// "[海淀区, 朝阳区]", or "register"), rendered in a browser, listing pages
// up to maxListing per search, the given crawl delay; detail pages name
// their publisher in .publisher .name or as 发布机构：NAME.
func PlatformProfileYAML(name, base, cities string, maxListing int, delay time.Duration) string {
	return fmt.Sprintf(`name: %s
title: 假家教平台
site: %s/
render: browser
crawl_delay: %s
max_pages: 100
search:
  urls: ['%s/search?q={keyword}&city={city}']
  keywords: [暑假, 英语]
  cities: %s
listing:
  follow: ['^/search\?(.*&)?page=[0-9]+(&|$)']
  max_pages: %d
detail:
  follow: ['^/post/[0-9]+$']
ignore: ['^/post/[0-9]+/report$']
advertiser:
  selector: '.publisher .name'
  pattern: '发布机构[：:]\s*([^\s，。]+)'
`, name, base, delay, base, cities, maxListing)
}

// NewPlatform starts the platform on loopback.
func NewPlatform() *Platform {
	p := &Platform{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeHTML(w, platformHome)
	})
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, platformSearch) })
	mux.HandleFunc("GET /post/{id}", func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, platformPost) })
	mux.HandleFunc("GET /post/{id}/report", func(w http.ResponseWriter, _ *http.Request) {
		writeHTML(w, `<!doctype html><html><head><meta charset="utf-8"><title>举报</title></head><body><p>举报已收到。</p></body></html>`)
	})
	mux.HandleFunc("GET /about", func(w http.ResponseWriter, _ *http.Request) {
		writeHTML(w, `<!doctype html><html><head><meta charset="utf-8"><title>关于</title></head><body><p>本平台提供信息发布服务。</p><a href="/">首页</a></body></html>`)
	})
	mux.HandleFunc("GET /api/search", p.apiSearch)
	mux.HandleFunc("GET /api/post/{id}", p.apiPost)
	p.Server = httptest.NewServer(p.record(mux))
	return p
}

// requestLog records the requests a fake platform receives, with their
// times.
type requestLog struct {
	mu       sync.Mutex
	requests []PlatformRequest
}

// record returns h, recording each request before h serves it.
func (l *requestLog) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.requests = append(l.requests, PlatformRequest{Path: r.URL.RequestURI(), At: time.Now()})
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Requests returns the requests received so far, in order.
func (l *requestLog) Requests() []PlatformRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]PlatformRequest(nil), l.requests...)
}

func writeHTML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, body)
}

// HostPort returns the platform's "ip:port" (render.Config.ExemptAddrs).
func (p *Platform) HostPort() string { return strings.TrimPrefix(p.URL, "http://") }

// PostURL returns the URL of ad id's detail page.
func (p *Platform) PostURL(id int) string { return fmt.Sprintf("%s/post/%d", p.URL, id) }

// search returns the ads of city whose title or body holds every term of q.
func search(q, city string) []PlatformAd {
	var out []PlatformAd
	for _, ad := range PlatformAds {
		if ad.City != city {
			continue
		}
		all := strings.TrimSpace(q) != ""
		for _, term := range strings.Fields(q) {
			all = all && strings.Contains(ad.Title+ad.Body, term)
		}
		if all {
			out = append(out, ad)
		}
	}
	return out
}

// searchResults is one page of a search's results.
type searchResults struct {
	ads         []PlatformAd // this page's
	page, pages int
	next        string // the next page's path, "" on the last
}

// searchPage answers a search request (/search or /api/search with q,
// city and page), PlatformPageSize results a page.
func searchPage(r *http.Request) searchResults {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	ads := search(q.Get("q"), q.Get("city"))
	res := searchResults{page: page, pages: max((len(ads)+PlatformPageSize-1)/PlatformPageSize, 1)}
	res.ads = ads[min((page-1)*PlatformPageSize, len(ads)):min(page*PlatformPageSize, len(ads))]
	if page < res.pages {
		res.next = "/search?" + url.Values{"q": {q.Get("q")}, "city": {q.Get("city")}, "page": {strconv.Itoa(page + 1)}}.Encode()
	}
	return res
}

func (p *Platform) apiSearch(w http.ResponseWriter, r *http.Request) {
	sr := searchPage(r)
	type item struct {
		ID    int    `json:"id"`
		Title string `json:"title"`
		Short string `json:"short"`
	}
	res := struct {
		Items []item `json:"items"`
		Page  int    `json:"page"`
		Pages int    `json:"pages"`
		Next  string `json:"next,omitempty"`
	}{Items: []item{}, Page: sr.page, Pages: sr.pages, Next: sr.next}
	for _, ad := range sr.ads {
		res.Items = append(res.Items, item{ID: ad.ID, Title: ad.Title, Short: ad.Body})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func (p *Platform) apiPost(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	for _, ad := range PlatformAds {
		if ad.ID == id {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"id": ad.ID, "title": ad.Title, "body": ad.Body,
				"publisher": ad.Publisher, "plain_publisher": ad.PlainPublisher})
			return
		}
	}
	http.Error(w, `{"error":"no such post"}`, http.StatusNotFound)
}

const platformHead = `<!doctype html>
<html><head><meta charset="utf-8"><title>假家教平台</title></head>
<body><header><a href="/">假家教平台</a> <a href="/about">关于我们</a> <a href="/login">登录</a></header>
<main id="app">加载中……</main>
`

const platformHome = platformHead + `<p>热门搜索：<a href="/search?q=%E6%9A%91%E5%81%87&city=%E6%B5%B7%E6%B7%80%E5%8C%BA">海淀区 暑假</a>
<a href="/search?q=%E8%8B%B1%E8%AF%AD&city=%E6%9C%9D%E9%98%B3%E5%8C%BA">朝阳区 英语</a></p>
</body></html>`

const platformSearch = platformHead + `<script>
var app = document.getElementById("app");
fetch("/api/search" + location.search).then(function (r) { return r.json(); }).then(function (res) {
  var ul = document.createElement("ul");
  res.items.forEach(function (it) {
    var li = document.createElement("li");
    var a = document.createElement("a"); a.href = "/post/" + it.id; a.textContent = it.title;
    var p = document.createElement("p"); p.textContent = it.short;
    var rep = document.createElement("a"); rep.href = "/post/" + it.id + "/report"; rep.textContent = "举报";
    li.append(a, p, rep);
    ul.append(li);
  });
  var nav = document.createElement("nav");
  nav.textContent = "第 " + res.page + " / " + res.pages + " 页 ";
  if (res.next) {
    var n = document.createElement("a"); n.href = res.next; n.className = "next"; n.textContent = "下一页";
    nav.append(n);
  }
  app.replaceChildren(res.items.length ? ul : document.createTextNode("没有找到相关信息。"), nav);
});
</script></body></html>`

const platformPost = platformHead + `<script>
var app = document.getElementById("app");
var id = location.pathname.split("/")[2];
fetch("/api/post/" + id).then(function (r) { return r.json(); }).then(function (ad) {
  var h = document.createElement("h1"); h.textContent = ad.title;
  var p = document.createElement("p"); p.textContent = ad.body;
  var pub = document.createElement("div");
  if (ad.plain_publisher) {
    pub.className = "contact"; pub.textContent = "发布机构：" + ad.publisher;
  } else {
    pub.className = "publisher"; pub.textContent = "发布机构：";
    var n = document.createElement("span"); n.className = "name"; n.textContent = ad.publisher;
    pub.append(n);
  }
  var rep = document.createElement("a"); rep.href = "/post/" + ad.id + "/report"; rep.textContent = "举报此信息";
  app.replaceChildren(h, p, pub, rep);
});
</script></body></html>`
