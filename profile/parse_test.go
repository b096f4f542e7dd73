package profile

import (
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"adscan"
)

func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob("examples/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v, %v", files, err)
	}
	for _, f := range files {
		p, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if p.Name == "" || p.Site == "" || len(p.Search.URLs) == 0 || len(p.Detail.Follow) == 0 || len(p.Digest) != 64 {
			t.Errorf("%s: incomplete profile %+v", f, p)
		}
	}
}

func TestExampleFields(t *testing.T) {
	p, err := Load("examples/jiajiao-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "jiajiao-example" || p.Site != "https://jiajiao.example.cn/" || p.Render != adscan.RenderBrowser {
		t.Errorf("name, site, render = %q, %q, %q", p.Name, p.Site, p.Render)
	}
	if p.CrawlDelay == nil || *p.CrawlDelay != 3*time.Second || p.MaxPages != 300 || p.Listing.MaxPages != 3 {
		t.Errorf("crawl delay %v, max pages %d, listing max pages %d", p.CrawlDelay, p.MaxPages, p.Listing.MaxPages)
	}
	seeds, err := p.Seeds(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(seeds) != 16 {
		t.Fatalf("%d seeds, want 4 keywords × 4 cities: %v", len(seeds), seeds)
	}
	// The query is escaped: a space and Chinese text survive a round trip.
	u, err := url.Parse(seeds[0])
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("q") != "暑假班 数学" || q.Get("area") != "海淀区" {
		t.Errorf("first seed %s: q=%q area=%q", seeds[0], q.Get("q"), q.Get("area"))
	}
}

func TestSeedsFromRegister(t *testing.T) {
	p, err := Load("examples/fenlei-register.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Search.CitiesFromRegister {
		t.Fatal("cities: register not read")
	}
	if _, err := p.Seeds(nil); err == nil || !strings.Contains(err.Error(), "no target with a region") {
		t.Errorf("no regions: err = %v", err)
	}
	seeds, err := p.Seeds([]string{"海淀区", " ", "朝阳区", "海淀区"})
	if err != nil {
		t.Fatal(err)
	}
	if len(seeds) != 8 {
		t.Fatalf("%d seeds, want 4 keywords × 2 regions: %v", len(seeds), seeds)
	}
	// In the path the city is path-escaped.
	if want := "https://www.fenlei.example.cn/%E6%B5%B7%E6%B7%80%E5%8C%BA/jiaoyu/?kw=%E8%A1%A5%E4%B9%A0%E7%8F%AD"; seeds[0] != want {
		t.Errorf("first seed %s, want %s", seeds[0], want)
	}
	many := make([]string, 200)
	for i := range many {
		many[i] = "区" + strings.Repeat("x", i+1)
	}
	if _, err := p.Seeds(many); err == nil || !strings.Contains(err.Error(), "more than 500") {
		t.Errorf("800 seeds: err = %v", err)
	}
}

func TestFollow(t *testing.T) {
	p, err := Load("examples/jiajiao-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	link := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, c := range []struct {
		from  Kind
		depth int
		link  string
		want  Kind
	}{
		{KindListing, 0, "https://jiajiao.example.cn/post/12", KindDetail},
		{KindListing, 2, "https://jiajiao.example.cn/post/12", KindDetail},
		{KindListing, 0, "https://jiajiao.example.cn/search?area=y&page=2&q=x", KindListing},
		{KindListing, 1, "https://jiajiao.example.cn/search?area=y&page=3&q=x", KindListing},
		{KindListing, 2, "https://jiajiao.example.cn/search?area=y&page=4&q=x", ""}, // max_pages: 3
		{KindListing, 0, "https://jiajiao.example.cn/search?area=y&subpage=2&q=x", ""},
		{KindListing, 0, "https://jiajiao.example.cn/post/12/report", ""}, // ignored
		{KindListing, 0, "https://jiajiao.example.cn/login?next=/post/1", ""},
		{KindListing, 0, "https://jiajiao.example.cn/about", ""},
		{KindListing, 0, "https://other.example.cn/post/12", ""}, // another host
		{KindDetail, 0, "https://jiajiao.example.cn/post/13", ""},
	} {
		got, ok := p.Follow(c.from, c.depth, link(c.link))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("Follow(%s, %d, %s) = %q, %v; want %q", c.from, c.depth, c.link, got, ok, c.want)
		}
	}
}

func TestFindAdvertiser(t *testing.T) {
	p, err := Load("examples/jiajiao-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	html := []byte(`<html><body><div class="publisher"><span class="name">
		  启航  教育 </span></div><p>发布机构：别的名字</p></body></html>`)
	if got := p.FindAdvertiser(html, "发布机构：别的名字"); got != "启航 教育" {
		t.Errorf("by selector: %q", got)
	}
	if got := p.FindAdvertiser([]byte(`<p>no publisher</p>`), "课程介绍。发布机构：学霸堂培训学校，电话……"); got != "学霸堂培训学校" {
		t.Errorf("by pattern: %q", got)
	}
	if got := p.FindAdvertiser([]byte(`<p>x</p>`), "没有署名"); got != "" {
		t.Errorf("nobody named: %q", got)
	}
	long := `<div class="publisher"><b class="name">` + strings.Repeat("长", 100) + `</b></div>`
	if got := p.FindAdvertiser([]byte(long), ""); len(got) > adscan.MaxTargetLabel || !strings.HasPrefix(got, "长长") {
		t.Errorf("long name: %d bytes", len(got))
	}
}

// TestProblems checks that each mistake is reported on its line, all of
// them at once.
func TestProblems(t *testing.T) {
	bad := `name: Bad Name
site: https://jiajiao.example.cn/
render: chrome
crawl_delay: soon
max_pages: 0
colour: blue
search:
  urls:
    - https://jiajiao.example.cn/s?q={keyword}&p={page}
    - https://elsewhere.example.com/s?q={keyword}
    - https://jiajiao.example.cn/s?c={city}
  keywords: [数学, 数学]
listing:
  follow: ['(unclosed']
  max_pages: 1000
detail:
  follow: []
advertiser:
  selector: 'div[['
  pattern: '(a)(b)'
`
	got := Check([]byte(bad))
	want := []struct {
		line  int
		field string
		msg   string
	}{
		{1, "name", "lower-case letters"},
		{3, "render", `render "chrome"`},
		{4, "crawl_delay", "want a duration"},
		{5, "max_pages", "from 1 to 10000"},
		{6, "colour", `unknown field "colour"`},
		{9, "search.urls[0]", "unknown placeholder {page}"},
		{10, "search.urls[1]", "not the site's"},
		{11, "search.urls[2]", "search.cities lists none"},
		{12, "search.keywords[1]", "listed twice"},
		{14, "listing.follow[0]", "not a regular expression"},
		{15, "listing.max_pages", "from 1 to 100"},
		{17, "detail.follow", "missing detail.follow"},
		{19, "advertiser.selector", "not a CSS selector"},
		{20, "advertiser.pattern", "2 groups"},
	}
	if len(got) != len(want) {
		for _, p := range got {
			t.Log(p.Format("bad.yaml"))
		}
		t.Fatalf("%d problems, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Field != w.field || !strings.Contains(g.Msg, w.msg) {
			t.Errorf("problem %d = %d %s %q; want line %d, field %s, containing %q", i, g.Line, g.Field, g.Msg, w.line, w.field, w.msg)
		}
		// The console shows each in 简体中文, naming the field as the file does.
		if !strings.HasPrefix(g.ZH, strings.Split(w.field, "[")[0]) && !strings.Contains(g.ZH, w.field) {
			t.Errorf("problem %d (%s): 简体中文 %q does not name its field", i, g.Msg, g.ZH)
		}
	}
	_, err := Parse([]byte(bad), "bad.yaml")
	pe, ok := err.(*ProblemsError)
	if !ok || !strings.HasPrefix(pe.Error(), "bad.yaml:1: name:") {
		t.Errorf("Parse error %v", err)
	}
}

func TestProblemsOfShape(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		line       int
		msg        string
	}{
		{"empty", "", 1, "the file is empty"},
		{"syntax", "name: a\nsite: [\n", 3, "YAML syntax"},
		{"not a mapping", "- a\n- b\n", 1, "want a mapping"},
		{"missing fields", "title: x\n", 1, "missing name"},
		{"site not http", "name: a\nsite: ftp://a.example.cn/\n", 2, "http:// or https://"},
		{"keywords unused", "name: a\nsite: https://a.example.cn/\nsearch:\n  urls: [https://a.example.cn/list]\n  keywords: [数学]\ndetail:\n  follow: [x]\n", 5, "no search URL uses {keyword}"},
		{"cities word", "name: a\nsite: https://a.example.cn/\nsearch:\n  urls: ['https://a.example.cn/{city}']\n  cities: all\ndetail:\n  follow: [x]\n", 5, "the word register"},
		{"placeholder in host", "name: a\nsite: https://a.example.cn/\nsearch:\n  urls: ['https://{city}.a.example.cn/']\n  cities: [x]\ndetail:\n  follow: [x]\n", 4, "not the host"},
		{"advertiser empty", "name: a\nsite: https://a.example.cn/\nsearch:\n  urls: [https://a.example.cn/]\ndetail:\n  follow: [x]\nadvertiser: {}\n", 7, "give selector"},
		{"pattern matches nothing", "name: a\nsite: https://a.example.cn/\nsearch:\n  urls: [https://a.example.cn/]\ndetail:\n  follow: [x]\nadvertiser:\n  pattern: '.*'\n", 8, "matches empty text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Check([]byte(c.yaml))
			if len(got) == 0 {
				t.Fatalf("no problem, want line %d %q", c.line, c.msg)
			}
			for _, p := range got {
				if p.Line == c.line && strings.Contains(p.Msg, c.msg) {
					if p.ZH == "" {
						t.Errorf("%q has no 简体中文 text", p.Msg)
					}
					return
				}
			}
			t.Errorf("no problem on line %d saying %q; got %v", c.line, c.msg, got)
		})
	}
}

func TestMinimalProfileDefaults(t *testing.T) {
	p, err := Parse([]byte("name: mini\nsite: HTTPS://Mini.Example.CN\nsearch:\n  urls: [https://mini.example.cn/list]\ndetail:\n  follow: ['^/d/']\n"), "mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{Name: "mini", Site: "https://mini.example.cn/", MaxPages: DefaultMaxPages}
	if p.Name != want.Name || p.Site != want.Site || p.MaxPages != want.MaxPages || p.CrawlDelay != nil ||
		p.Listing.MaxPages != DefaultListingMaxPages || p.Render != adscan.RenderPlain {
		t.Errorf("defaults: %+v", p)
	}
	if !reflect.DeepEqual(p.Hosts(), []string{"mini.example.cn"}) {
		t.Errorf("hosts %v", p.Hosts())
	}
	seeds, err := p.Seeds(nil)
	if err != nil || !reflect.DeepEqual(seeds, []string{"https://mini.example.cn/list"}) {
		t.Errorf("seeds %v, %v", seeds, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("err = %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestAdvertiserPatternBounded: a pattern whose compiled program is huge
// (seconds a page) or that is too long is a problem, named on its line.
func TestAdvertiserPatternBounded(t *testing.T) {
	for _, pat := range []string{`((?:.?){1000}){20}x`, strings.Repeat("a", 501)} {
		y := "name: p\nsite: https://jiajiao.example.cn/\nsearch:\n  urls: [https://jiajiao.example.cn/s]\ndetail:\n  follow: ['/post/']\nadvertiser:\n  pattern: '" + pat + "'\n"
		got := Check([]byte(y))
		if len(got) != 1 || got[0].Line != 8 || got[0].Field != "advertiser.pattern" {
			t.Errorf("pattern %.30q: problems %v, want one on line 8", pat, got)
		}
	}
}

// TestParseForStoreChecksSearchHosts: every search URL answers to the
// private-address rule, and an IP address has no www. twin.
func TestParseForStoreChecksSearchHosts(t *testing.T) {
	for _, c := range []struct{ site, search string }{
		{"https://www.169.254.169.254/", "http://169.254.169.254/latest/meta-data"},
		{"https://jiajiao.example.cn/", "http://127.0.0.1/s"},
	} {
		y := "name: p\nsite: " + c.site + "\nsearch:\n  urls: [" + c.search + "]\ndetail:\n  follow: ['/post/']\n"
		if _, err := ParseForStore([]byte(y), "p.yaml", false); err == nil {
			t.Errorf("site %s, search %s: accepted", c.site, c.search)
		}
	}
	y := "name: p\nsite: http://127.0.0.1:8080/\nsearch:\n  urls: ['http://127.0.0.1:8080/s?q=x']\ndetail:\n  follow: ['/post/']\n"
	if _, err := ParseForStore([]byte(y), "p.yaml", true); err != nil {
		t.Errorf("a loopback platform allowed explicitly: %v", err)
	}
}

// TestProblemsNamedOnce: a bad detail pattern is that problem alone (no
// "missing detail.follow" besides), and search URLs that would use up a
// scan's pages are named.
func TestProblemsNamedOnce(t *testing.T) {
	y := "name: p\nsite: https://jiajiao.example.cn/\nsearch:\n  urls: [https://jiajiao.example.cn/s]\ndetail:\n  follow: ['(unclosed']\n"
	got := Check([]byte(y))
	if len(got) != 1 || got[0].Field != "detail.follow[0]" {
		t.Errorf("problems %v, want one, of detail.follow[0]", got)
	}
	y = "name: p\nsite: https://jiajiao.example.cn/\nmax_pages: 3\nsearch:\n  urls: ['https://jiajiao.example.cn/s?q={keyword}']\n  keywords: [数学, 英语, 语文]\ndetail:\n  follow: ['/post/']\n"
	got = Check([]byte(y))
	if len(got) != 1 || got[0].Line != 5 || !strings.Contains(got[0].Msg, "search pages only") {
		t.Errorf("problems %v, want one on line 5 about search pages only", got)
	}
}
