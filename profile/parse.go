package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"gopkg.in/yaml.v3"

	"adscan"
	"adscan/urlnorm"
	"adscan/yamlcheck"
)

// MaxFileBytes bounds a profile file.
const MaxFileBytes = 256 << 10

// topFields are the fields of a profile, in the order the README lists them.
var topFields = []string{"name", "title", "description", "site", "render", "crawl_delay", "max_pages",
	"search", "listing", "detail", "ignore", "advertiser"}

// Load reads and parses the profile file at path. It returns an error
// naming the file if it cannot be read, or a *ProblemsError listing every
// problem.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: read %s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse decodes and checks a profile. name labels problems (usually the
// file name). If anything is wrong, the error is a *ProblemsError listing
// every problem with its line.
func Parse(data []byte, name string) (*Profile, error) {
	p, probs := parse(data)
	if len(probs) > 0 {
		return nil, &ProblemsError{Name: name, Problems: probs}
	}
	sum := sha256.Sum256(data)
	p.Digest = hex.EncodeToString(sum[:])
	return p, nil
}

// Check returns every problem of the profile in data, in line order; none
// means Parse would succeed.
func Check(data []byte) []Problem {
	_, probs := parse(data)
	return probs
}

// decoder turns a yaml.Node tree into a Profile, reporting every value it
// cannot use, with its line.
type decoder struct{ ps problems }

func parse(data []byte) (*Profile, []Problem) {
	d := &decoder{}
	if len(data) > MaxFileBytes {
		d.ps.Add(1, "", "the file has %d bytes; a profile has at most %d", len(data), MaxFileBytes).ZHf("文件有 %d 字节，平台方案最多 %d 字节。", len(data), MaxFileBytes)
		return nil, d.ps.Sorted()
	}
	root := yamlcheck.Parse(data, &d.ps)
	if root == nil {
		return nil, d.ps.Sorted()
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		d.ps.Add(1, "", "the file is empty; a profile needs at least name, site, search.urls and detail.follow").ZHf("文件是空的：平台方案至少要有 name、site、search.urls 和 detail.follow。")
		return nil, d.ps.Sorted()
	}
	doc := root.Content[0]
	f := d.mapping(doc, "", topFields...)
	if f == nil {
		return nil, d.ps.Sorted()
	}
	p := &Profile{MaxPages: DefaultMaxPages, Listing: Listing{MaxPages: DefaultListingMaxPages}}
	p.Name = d.name(f["name"], doc)
	p.Title = d.text(f["title"], "title")
	p.Description = d.text(f["description"], "description")
	p.Site = d.site(f["site"], doc)
	p.Render = d.render(f["render"])
	p.CrawlDelay = d.delay(f["crawl_delay"])
	if n, ok := d.integer(f["max_pages"], "max_pages", 1, adscan.MaxTargetPages); ok {
		p.MaxPages = n
	}
	d.search(f["search"], doc, p)
	d.listing(f["listing"], p)
	p.Detail.Follow = d.patterns(d.field(f["detail"], "detail", "follow"), "detail.follow")
	if len(p.Detail.Follow) == 0 && !d.ps.Seen("detail") && !d.ps.SeenUnder("detail.follow") {
		d.ps.Add(lineOf(f["detail"], doc), "detail.follow", "missing detail.follow: the patterns of links on a listing page that lead to detail pages (e.g. '^/ad/[0-9]+$')").ZHf("缺少 detail.follow：列表页上通往详情页的链接的模式（如 '^/ad/[0-9]+$'）。")
	}
	p.Ignore = d.patterns(f["ignore"], "ignore")
	d.advertiser(f["advertiser"], p)
	if d.ps.Len() > 0 {
		return nil, d.ps.Sorted()
	}
	p.hosts = nil
	p.hosts = p.Hosts()
	return p, nil
}

// lineOf is the line of n, else of parent, else 1.
func lineOf(n, parent *yaml.Node) int {
	switch {
	case n != nil:
		return n.Line
	case parent != nil && parent.Line > 0:
		return parent.Line
	}
	return 1
}

// mapping checks that n is a mapping with only the allowed keys and returns
// its values by key. Unknown and repeated keys are problems.
func (d *decoder) mapping(n *yaml.Node, path string, allowed ...string) map[string]*yaml.Node {
	what := "the profile"
	if path != "" {
		what = path
	}
	if n.Kind != yaml.MappingNode {
		d.ps.Add(n.Line, path, "%s: want a mapping (key: value lines) with %s; got %s", what, strings.Join(allowed, ", "), yamlcheck.KindName(n)).ZHf("%s 应为映射（“键: 值”的若干行），可用的键为 %s。", what, strings.Join(allowed, "、"))
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !yamlcheck.KnownKey(&d.ps, k, path, what, allowed, out) {
			continue
		}
		key := k.Value
		if v.Kind == yaml.AliasNode {
			d.ps.Add(v.Line, yamlcheck.Join(path, key), "%s: YAML aliases (*name) are not supported; write the value out", yamlcheck.Join(path, key)).ZHf("%s：不支持 YAML 别名（*name），请直接写出值。", yamlcheck.Join(path, key))
			continue
		}
		if v.Tag == "!!null" {
			continue // "key:" with nothing is as if it were left out
		}
		out[key] = v
	}
	return out
}

// field returns the value of key in the mapping n (nil when n is nil or
// not a mapping, which is reported).
func (d *decoder) field(n *yaml.Node, path, key string, others ...string) *yaml.Node {
	if n == nil {
		return nil
	}
	f := d.mapping(n, path, append([]string{key}, others...)...)
	return f[key]
}

// scalar returns the text of a scalar node, reporting anything else.
func (d *decoder) scalar(n *yaml.Node, path string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.ps.Add(n.Line, path, "%s: want text, got %s", path, yamlcheck.KindName(n)).ZHf("%s 应为文字。", path)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) text(n *yaml.Node, path string) string {
	s, _ := d.scalar(n, path)
	return strings.TrimSpace(s)
}

func (d *decoder) name(n, doc *yaml.Node) string {
	s, ok := d.scalar(n, "name")
	if !ok {
		if n == nil {
			d.ps.Add(lineOf(nil, doc), "name", "missing name: the profile's ID in scans and schedules (lower-case letters, digits and '-', e.g. jiajiao-example)").ZHf("缺少 name：方案在扫描和计划中的名称（小写字母、数字和“-”，如 jiajiao-example）。")
		}
		return ""
	}
	name, err := adscan.ParseProfileName(s)
	if err != nil {
		d.ps.Add(n.Line, "name", "name: %s", adscan.ErrorMessage(err)).ZHf("name：%s", adscan.MessageZH(err))
	}
	return name
}

// site checks the platform's home URL: an absolute http(s) URL, returned
// in canonical form. Private addresses are allowed here; a scan checks
// them as it checks any target.
func (d *decoder) site(n, doc *yaml.Node) string {
	s, ok := d.scalar(n, "site")
	if !ok {
		if n == nil {
			d.ps.Add(lineOf(nil, doc), "site", "missing site: the platform's home URL (e.g. https://jiajiao.example.cn/); its cases are filed under it").ZHf("缺少 site：平台的首页网址（如 https://jiajiao.example.cn/），其案件归于该网站。")
		}
		return ""
	}
	u, err := adscan.ParseTargetURL(s, true)
	if err != nil {
		d.ps.Add(n.Line, "site", "site: %s", adscan.ErrorMessage(err)).ZHf("site：%s", adscan.MessageZH(err))
		return ""
	}
	return u
}

func (d *decoder) render(n *yaml.Node) adscan.RenderMode {
	s, ok := d.scalar(n, "render")
	if !ok {
		return adscan.RenderPlain
	}
	m, err := adscan.ParseRenderMode(s)
	if err != nil {
		d.ps.Add(n.Line, "render", "render %q: want plain (the served HTML) or browser (rendered in headless Chromium)", s).ZHf("render“%s”无效：应为 plain（直接抓取）或 browser（以浏览器渲染）。", s)
	}
	return m
}

func (d *decoder) delay(n *yaml.Node) *time.Duration {
	s, ok := d.scalar(n, "crawl_delay")
	if !ok {
		return nil
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || v < 0 || v > MaxCrawlDelay {
		d.ps.Add(n.Line, "crawl_delay", "crawl_delay %q: want a duration from 0s to %s, e.g. 2s or 500ms", s, MaxCrawlDelay).ZHf("crawl_delay“%s”无效：应为 0s 到 %s 之间的时长，如 2s 或 500ms。", s, MaxCrawlDelay)
		return nil
	}
	return &v
}

// integer decodes a whole number in [lo, hi].
func (d *decoder) integer(n *yaml.Node, path string, lo, hi int) (int, bool) {
	if n == nil {
		return 0, false
	}
	var i int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil || i < lo || i > hi {
		d.ps.Add(n.Line, path, "%s: want a whole number from %d to %d, got %s", path, lo, hi, yamlcheck.KindName(n)).ZHf("%s 应为 %d 到 %d 之间的整数。", path, lo, hi)
		return 0, false
	}
	return i, true
}

// strs decodes a list of non-empty texts of at most maxBytes each.
func (d *decoder) strs(n *yaml.Node, path string, maxItems, maxBytes int) ([]string, []int) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		d.ps.Add(n.Line, path, "%s: want a list (lines starting with '- '), got %s", path, yamlcheck.KindName(n)).ZHf("%s 应为列表（以“- ”开头的若干行）。", path)
		return nil, nil
	}
	if len(n.Content) > maxItems {
		d.ps.Add(n.Line, path, "%s: %d entries; at most %d", path, len(n.Content), maxItems).ZHf("%s 有 %d 项，最多 %d 项。", path, len(n.Content), maxItems)
		return nil, nil
	}
	var out []string
	var lines []int
	for i, e := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		s, ok := d.scalar(e, p)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			d.ps.Add(e.Line, p, "%s is empty", p).ZHf("%s 是空的。", p)
		case len(s) > maxBytes:
			d.ps.Add(e.Line, p, "%s has %d bytes; at most %d", p, len(s), maxBytes).ZHf("%s 有 %d 字节，最多 %d 字节。", p, len(s), maxBytes)
		case slices.Contains(out, s):
			d.ps.Add(e.Line, p, "%s: %q is listed twice", p, s).ZHf("%s：“%s”重复列出。", p, s)
		default:
			out = append(out, s)
			lines = append(lines, e.Line)
		}
	}
	return out, lines
}

// patterns decodes a list of regular expressions.
func (d *decoder) patterns(n *yaml.Node, path string) []Pattern {
	srcs, lines := d.strs(n, path, 50, 500)
	var out []Pattern
	for i, s := range srcs {
		re, err := regexp.Compile(s)
		if err != nil {
			d.ps.Add(lines[i], fmt.Sprintf("%s[%d]", path, i), "%s: %q is not a regular expression: %v", path, s, strings.TrimPrefix(err.Error(), "error parsing regexp: ")).ZHf("%s：“%s”不是有效的正则表达式。", path, s)
			continue
		}
		out = append(out, Pattern{Source: s, re: re})
	}
	return out
}

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

func (d *decoder) search(n, doc *yaml.Node, p *Profile) {
	if n == nil {
		d.ps.Add(lineOf(nil, doc), "search", "missing search: at least search.urls, the search or listing URLs a scan starts from").ZHf("缺少 search：至少要有 search.urls，即扫描起始的搜索页或列表页网址。")
		return
	}
	f := d.mapping(n, "search", "urls", "keywords", "cities")
	if f == nil {
		return
	}
	p.Search.Keywords, _ = d.strs(f["keywords"], "search.keywords", maxTerms, maxTermBytes)
	if c := f["cities"]; c != nil && c.Kind == yaml.ScalarNode {
		if strings.TrimSpace(c.Value) != "register" {
			d.ps.Add(c.Line, "search.cities", "search.cities: want a list of cities (区) or the word register (every region in the register), got %q", c.Value).ZHf("search.cities 应为城区列表，或写 register（使用登记册中的全部区域）。")
		}
		p.Search.CitiesFromRegister = true
	} else {
		p.Search.Cities, _ = d.strs(c, "search.cities", maxTerms, maxTermBytes)
	}
	urls, lines := d.strs(f["urls"], "search.urls", 50, 2000)
	if len(urls) == 0 && !d.ps.Seen("search.urls") {
		d.ps.Add(lineOf(f["urls"], n), "search.urls", "missing search.urls: the search or listing URLs a scan starts from, with {keyword} and {city} where those go").ZHf("缺少 search.urls：扫描起始的搜索页或列表页网址，在相应位置写 {keyword} 和 {city}。")
	}
	usesKeyword, usesCity := false, false
	for i, u := range urls {
		path := fmt.Sprintf("search.urls[%d]", i)
		if msg, zh := d.template(u, p.Site); msg != "" {
			d.ps.Add(lines[i], path, "%s: %s", path, msg).ZHf("%s：%s", path, zh)
			continue
		}
		k, c := strings.Contains(u, PlaceholderKeyword), strings.Contains(u, PlaceholderCity)
		usesKeyword, usesCity = usesKeyword || k, usesCity || c
		if k && len(p.Search.Keywords) == 0 && !d.ps.Seen("search.keywords") {
			d.ps.Add(lines[i], path, "%s uses {keyword}, and search.keywords lists none", path).ZHf("%s 用了 {keyword}，但 search.keywords 没有列出关键词。", path)
		}
		if c && len(p.Search.Cities) == 0 && !p.Search.CitiesFromRegister && !d.ps.Seen("search.cities") {
			d.ps.Add(lines[i], path, "%s uses {city}, and search.cities lists none (list some, or write cities: register)", path).ZHf("%s 用了 {city}，但 search.cities 没有列出城区（请列出，或写 cities: register）。", path)
		}
		p.Search.URLs = append(p.Search.URLs, u)
	}
	if len(p.Search.Keywords) > 0 && len(p.Search.URLs) == len(urls) && len(urls) > 0 && !usesKeyword {
		d.ps.Add(f["keywords"].Line, "search.keywords", "search.keywords: no search URL uses {keyword}").ZHf("search.keywords：没有哪个搜索网址用到 {keyword}。")
	}
	if (len(p.Search.Cities) > 0 || p.Search.CitiesFromRegister) && len(p.Search.URLs) == len(urls) && len(urls) > 0 && !usesCity {
		d.ps.Add(f["cities"].Line, "search.cities", "search.cities: no search URL uses {city}").ZHf("search.cities：没有哪个搜索网址用到 {city}。")
	}
	if !p.Search.CitiesFromRegister && d.ps.Len() == 0 {
		n := 0
		for _, u := range p.Search.URLs {
			m := 1
			if strings.Contains(u, PlaceholderKeyword) {
				m *= len(p.Search.Keywords)
			}
			if strings.Contains(u, PlaceholderCity) {
				m *= len(p.Search.Cities)
			}
			n += m
		}
		switch {
		case n > MaxSeeds:
			d.ps.Add(f["urls"].Line, "search.urls", "search.urls: %d search URLs with every keyword and city; at most %d", n, MaxSeeds).ZHf("search.urls：按全部关键词和城区展开后有 %d 个搜索网址，最多 %d 个。", n, MaxSeeds)
		case n >= p.MaxPages:
			d.ps.Add(f["urls"].Line, "search.urls", "search.urls: %d search URLs with every keyword and city, and max_pages is %d: a scan would fetch search pages only; raise max_pages or list fewer keywords or cities", n, p.MaxPages).ZHf("search.urls：展开后有 %d 个搜索网址，而 max_pages 为 %d，扫描只会抓取搜索页；请提高 max_pages，或减少关键词或城区。", n, p.MaxPages)
		}
	}
}

// template checks a search URL template against the site; it returns what
// is wrong, in English and 简体中文, or "".
func (d *decoder) template(t, site string) (msg, zh string) {
	for _, ph := range placeholderRE.FindAllString(t, -1) {
		if ph != PlaceholderKeyword && ph != PlaceholderCity {
			return fmt.Sprintf("unknown placeholder %s (known: %s, %s)", ph, PlaceholderKeyword, PlaceholderCity),
				fmt.Sprintf("未知的占位符 %s（可用：%s、%s）。", ph, PlaceholderKeyword, PlaceholderCity)
		}
	}
	u, err := url.Parse(fill(t, "x", "x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http(s) URL", t), fmt.Sprintf("“%s”不是以 http:// 或 https:// 开头的完整网址。", t)
	}
	if rest := t[len(u.Scheme)+3:]; strings.Contains(strings.SplitN(rest, "/", 2)[0], "{") {
		return "placeholders go in the path or the query, not the host", "占位符只能写在路径或查询参数中，不能写在域名里。"
	}
	if _, err := urlnorm.Normalize("", fill(t, "x", "x")); err != nil {
		return fmt.Sprintf("%q: %v", t, err), fmt.Sprintf("“%s”不是有效的网址。", t)
	}
	if site == "" {
		return "", ""
	}
	s, _ := url.Parse(site)
	if !sameSite(u.Hostname(), s.Hostname()) {
		return fmt.Sprintf("host %s is not the site's (%s) or one of its subdomains", u.Hostname(), s.Hostname()),
			fmt.Sprintf("域名 %s 不是方案网站 %s 或其子域名。", u.Hostname(), s.Hostname())
	}
	return "", ""
}

// sameSite reports whether host is site's host, its www. twin or a
// subdomain. An IP address is only itself.
func sameSite(host, site string) bool {
	host, site = strings.ToLower(host), strings.ToLower(site)
	if net.ParseIP(host) != nil || net.ParseIP(strings.TrimPrefix(site, "www.")) != nil {
		return host == site
	}
	host, site = strings.TrimPrefix(host, "www."), strings.TrimPrefix(site, "www.")
	return host == site || strings.HasSuffix(host, "."+site)
}

// maxAdvertiserPattern and maxPatternProgram bound a profile's advertiser
// pattern, which runs over every detail page's text: Go's regexps run in
// linear time, but in time linear in the compiled program too, and
// ((.?){1000}){20} compiles to a program that takes seconds a page.
const (
	maxAdvertiserPattern = 500
	maxPatternProgram    = 5000
)

// programSize is the number of instructions pat compiles to (0 when it
// does not parse).
func programSize(pat string) int {
	re, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return 0
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0
	}
	return len(prog.Inst)
}

func (d *decoder) listing(n *yaml.Node, p *Profile) {
	if n == nil {
		return
	}
	f := d.mapping(n, "listing", "follow", "max_pages")
	p.Listing.Follow = d.patterns(f["follow"], "listing.follow")
	if v, ok := d.integer(f["max_pages"], "listing.max_pages", 1, MaxListingPages); ok {
		p.Listing.MaxPages = v
	}
}

func (d *decoder) advertiser(n *yaml.Node, p *Profile) {
	if n == nil {
		return
	}
	f := d.mapping(n, "advertiser", "selector", "pattern")
	if f == nil {
		return
	}
	if sel, ok := d.scalar(f["selector"], "advertiser.selector"); ok {
		s, err := cascadia.Compile(strings.TrimSpace(sel))
		if err != nil || strings.TrimSpace(sel) == "" {
			d.ps.Add(f["selector"].Line, "advertiser.selector", "advertiser.selector %q is not a CSS selector: %v", sel, err).ZHf("advertiser.selector“%s”不是有效的 CSS 选择器。", sel)
		} else {
			p.Advertiser.Selector, p.Advertiser.sel = strings.TrimSpace(sel), s
		}
	}
	if pat, ok := d.scalar(f["pattern"], "advertiser.pattern"); ok {
		re, err := regexp.Compile(pat)
		switch {
		case len(pat) > maxAdvertiserPattern:
			d.ps.Add(f["pattern"].Line, "advertiser.pattern", "advertiser.pattern is %d bytes; at most %d", len(pat), maxAdvertiserPattern).ZHf("advertiser.pattern 有 %d 字节，最多 %d 字节。", len(pat), maxAdvertiserPattern)
		case err == nil && programSize(pat) > maxPatternProgram:
			d.ps.Add(f["pattern"].Line, "advertiser.pattern", "advertiser.pattern %q is too large once compiled (repetition counts multiply it); write it without large {n} counts", pat).ZHf("advertiser.pattern“%s”编译后过大（重复次数相乘）；请不要使用大的 {n} 次数。", pat)
		case err != nil:
			d.ps.Add(f["pattern"].Line, "advertiser.pattern", "advertiser.pattern %q is not a regular expression: %v", pat, strings.TrimPrefix(err.Error(), "error parsing regexp: ")).ZHf("advertiser.pattern“%s”不是有效的正则表达式。", pat)
		case re.NumSubexp() > 1:
			d.ps.Add(f["pattern"].Line, "advertiser.pattern", "advertiser.pattern has %d groups; want at most one, around the name", re.NumSubexp()).ZHf("advertiser.pattern 有 %d 个分组，最多一个（括住名称）。", re.NumSubexp())
		case re.MatchString(""):
			d.ps.Add(f["pattern"].Line, "advertiser.pattern", "advertiser.pattern %q matches empty text; it would name nobody", pat).ZHf("advertiser.pattern“%s”能匹配空文字，找不到任何发布者。", pat)
		default:
			p.Advertiser.Pattern, p.Advertiser.re = pat, re
		}
	}
	if f["selector"] == nil && f["pattern"] == nil {
		d.ps.Add(n.Line, "advertiser", "advertiser: give selector (a CSS selector), pattern (a regular expression on the page's text) or both").ZHf("advertiser：请给出 selector（CSS 选择器）或 pattern（页面文字上的正则表达式），或两者都给。")
	}
}

// ParseForStore parses a profile a regulator registers and returns it as
// the store keeps it (data as given, the digest left to the store). Bad
// YAML is a *ProblemsError; a site on a private, loopback or link-local
// address, unless allowPrivate, an EINVALID error naming it, as for any
// target.
func ParseForStore(data []byte, name string, allowPrivate bool) (adscan.PlatformProfile, error) {
	p, err := Parse(data, name)
	if err != nil {
		return adscan.PlatformProfile{}, err
	}
	if _, err := adscan.ParseTargetURL(p.Site, allowPrivate); err != nil {
		return adscan.PlatformProfile{}, adscan.Errorf(adscan.EINVALID, "profile %s: site: %s", p.Name, adscan.ErrorMessage(err)).
			ZHf("平台方案 %s：%s", p.Name, adscan.ErrorMessageZH(err))
	}
	// The search URLs' hosts answer to the same rule as the site's (a
	// subdomain of a public site may still resolve to a private address;
	// the crawler's dialer refuses that when it connects).
	for _, t := range p.Search.URLs {
		if _, err := adscan.ParseTargetURL(fill(t, "x", "x"), allowPrivate); err != nil {
			return adscan.PlatformProfile{}, adscan.Errorf(adscan.EINVALID, "profile %s: search URL %s: %s", p.Name, t, adscan.ErrorMessage(err)).
				ZHf("平台方案 %s 的搜索网址 %s：%s", p.Name, t, adscan.ErrorMessageZH(err))
		}
	}
	return adscan.PlatformProfile{Name: p.Name, Title: p.Title, Site: p.Site, Render: p.Render, Digest: p.Digest,
		YAML: append([]byte(nil), data...)}, nil
}
