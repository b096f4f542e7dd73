package fakesite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// generatedText is the filler of generated pages: ordinary Chinese prose
// about a youth activity centre, about 1.5 KB.
var generatedText = strings.Repeat("本中心面向社区青少年开放，开设篮球、足球、书法、绘画、舞蹈和编程等兴趣课程。"+
	"周末组织亲子阅读和自然观察活动，欢迎家长带孩子参加。报名请到前台登记，咨询电话见页面底部。", 6)

// generatedAd is on every fifth generated page, so a classifier has work to
// do: subject tutoring for pupils, admission claims, holiday classes.
const generatedAd = "暑假小学数学、英语培训班火热报名中，提前学习下学期课程，去年学员名校录取率高达百分之九十！"

// NewGenerated starts a site of n linked pages, /p/0.html … /p/{n-1}.html,
// every one reachable from /p/0.html: page i links to 2i+1, 2i+2 and i+1,
// and back to /p/0.html; every fifth page carries a tutoring advert. robots.txt allows everything; there is no sitemap.
// Close it when done.
func NewGenerated(n int) *Site {
	s := &Site{requested: map[string]int{}, agents: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	mux.HandleFunc("GET /p/{page}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("page"), ".html"))
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>活动中心 第%d页</title>`+
			`<script>var page = %d;</script><style>body{font-family:sans-serif}</style></head><body>`+
			`<nav><a href="/p/0.html">首页</a></nav><h1>第%d页</h1><p>%s</p><ul>`, i, i, i, generatedText)
		if i%5 == 0 {
			fmt.Fprintf(w, `<p class="ad">%s</p>`, generatedAd)
		}
		for _, j := range []int{2*i + 1, 2*i + 2, i + 1} {
			if j < n {
				fmt.Fprintf(w, `<li><a href="/p/%d.html">第%d页</a></li>`, j, j)
			}
		}
		fmt.Fprint(w, `</ul><footer>联系电话：010-12345678 <a href="mailto:info@example.org">邮箱</a></footer></body></html>`)
	})
	s.Server = httptest.NewServer(s.record(mux))
	return s
}
