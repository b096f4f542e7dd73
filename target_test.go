package adscan

import (
	"strings"
	"testing"
)

func TestParseTargetURL(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		want         string // the canonical URL, or part of the error
		ok           bool
	}{
		{"https://school.example/", false, "https://school.example/", true},
		{"  HTTPS://School.Example  ", false, "https://school.example/", true},
		{"https://school.example/a?utm_source=x#top", false, "https://school.example/a", true},
		{"http://培训.example/path?q=1", false, "http://xn--2js261j.example/path?q=1", true},
		{"http://127.0.0.1:8080/", true, "http://127.0.0.1:8080/", true},
		{"http://localhost/", true, "http://localhost/", true},
		{"", false, "missing", false},
		{"ftp://a.example/", false, "http:// or https://", false},
		{"a.example", false, "http://a.example/", true},
		{"A.example:8080/x", false, "http://a.example:8080/x", true},
		{"localhost:3000", false, "loopback", false},
		{"notaurl", false, "a host name such as www.example.cn", false},
		{"./page.html", false, "a host name such as www.example.cn", false},
		{"..", false, "a host name such as www.example.cn", false},
		{".example.com", false, "http:// or https://", false},
		{"foo..bar", false, "http:// or https://", false},
		{"3.14", false, "a host name such as www.example.cn", false},
		{"a.example:http/x", false, "http:// or https://", false},
		{"www.example.cn/go?url=http://a.example/", false, "http://www.example.cn/go?url=http://a.example/", true},
		{"web:8080", true, "http://web:8080/", true},
		{"培训.example/课程", false, "http://xn--2js261j.example/%E8%AF%BE%E7%A8%8B", true},
		{"203.0.114.9/x", false, "http://203.0.114.9/x", true},
		{"http://127.1/", false, "private", false},
		{"http://0177.0.0.1/", false, "private", false},
		{"http://0x7f000001/", false, "private", false},
		{"http://0x7f.1/", false, "private", false},
		{"http://0xa9fea9fe/", false, "private", false},
		{"http://0xa9.0xfe.0xa9.0xfe/", false, "private", false},
		{"http://127.0.0.0x1/", false, "private", false},
		{"http://localhost./", false, "loopback", false},
		{"http://app.localhost./", false, "loopback", false},
		{"http://0x.example/", false, "http://0x.example/", true},
		{"www.example.cn.", false, "http://www.example.cn./", true},
		{"my_site.example.cn/a", false, "http://my_site.example.cn/a", true},
		{"[::1]:8080/", true, "http://[::1]:8080/", true},
		{"mailto:a@b.example", false, "http:// or https://", false},
		{"javascript:alert(1)", false, "http:// or https://", false},
		{"https:///nohost", false, "no host", false},
		{"https://127.0.0.1:8080/", false, "private", false},
		{"http://[::1]/", false, "private", false},
		{"http://10.1.2.3/", false, "private", false},
		{"http://192.168.0.9/", false, "private", false},
		{"http://169.254.169.254/latest/meta-data", false, "private", false},
		{"http://0.0.0.0/", false, "private", false},
		{"http://100.64.1.2/", false, "private", false},
		{"http://localhost:3000/", false, "loopback", false},
		{"http://app.LOCALHOST/", false, "loopback", false},
		{"http://%zz/", false, "not a URL", false},
	} {
		got, err := ParseTargetURL(tc.url, tc.allowPrivate)
		switch {
		case tc.ok && (err != nil || got != tc.want):
			t.Errorf("ParseTargetURL(%q, %v) = %q, %v; want %q", tc.url, tc.allowPrivate, got, err, tc.want)
		case !tc.ok && (ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tc.want) ||
			(tc.url != "" && !strings.Contains(err.Error(), strings.TrimSpace(tc.url)))):
			t.Errorf("ParseTargetURL(%q, %v) = %q, %v; want EINVALID naming the URL and %q", tc.url, tc.allowPrivate, got, err, tc.want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	got, err := ParseTarget(Target{URL: "HTTP://Org.Example", Name: " 某某教育 ", Region: " 海淀区 ", MaxPages: MaxTargetPages, MaxDepth: MaxTargetDepth}, false)
	if err != nil || got.URL != "http://org.example/" || got.Name != "某某教育" || got.Region != "海淀区" {
		t.Errorf("ParseTarget = %+v, %v", got, err)
	}
	for name, tc := range map[string]Target{
		"negative pages": {URL: "https://a.example/", MaxPages: -1},
		"too deep":       {URL: "https://a.example/", MaxDepth: MaxTargetDepth + 1},
		"too many pages": {URL: "https://a.example/", MaxPages: MaxTargetPages + 1},
		"long name":      {URL: "https://a.example/", Name: strings.Repeat("名", 100)},
		"bad region":     {URL: "https://a.example/", Region: "\xff"},
		"private":        {URL: "http://10.0.0.1/"},
	} {
		if _, err := ParseTarget(tc, false); ErrorCode(err) != EINVALID {
			t.Errorf("%s: ParseTarget(%+v) = %v, want EINVALID", name, tc, err)
		}
	}
	st, err := ParseScanTarget(ScanTarget{URL: "https://A.example", MaxPages: 5}, false)
	if err != nil || st != (ScanTarget{URL: "https://a.example/", MaxPages: 5}) {
		t.Errorf("ParseScanTarget = %+v, %v", st, err)
	}
}

func TestRenderMode(t *testing.T) {
	for in, want := range map[string]RenderMode{"": RenderPlain, "plain": RenderPlain, " Browser ": RenderBrowser, "browser": RenderBrowser} {
		if got, err := ParseRenderMode(in); err != nil || got != want {
			t.Errorf("ParseRenderMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseScanTarget(ScanTarget{URL: "https://a.example/", Render: "chrome"}, false); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), `"chrome"`) {
		t.Errorf("scan target with render chrome: %v, want EINVALID naming the value", err)
	}
	st, err := ParseScanTarget(ScanTarget{URL: "https://a.example/", Render: "BROWSER"}, false)
	if err != nil || st.Render != RenderBrowser {
		t.Errorf("scan target with render BROWSER: %+v, %v", st, err)
	}
	rows, problems, err := ReadTargetsCSV(strings.NewReader("url,name,render\nhttps://a.example/,A,browser\nhttps://b.example/,B,\nhttps://c.example/,C,webkit\n"), "t.csv", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Target.Render != RenderBrowser || rows[1].Target.Render != RenderPlain {
		t.Errorf("rows %+v", rows)
	}
	if len(problems) != 1 || problems[0].Line != 4 || !strings.Contains(problems[0].Msg, "webkit") {
		t.Errorf("problems %+v, want line 4 naming webkit", problems)
	}
}

// A regulator's spreadsheet may name the columns and values as the console
// does (网址, 名称, 类型 培训机构网站 …).
func TestReadTargetsCSVInChinese(t *testing.T) {
	csv := "\ufeff网址,名称,区域,类型,登记状态,最多页数,最大深度,抓取方式\n" +
		"https://a.example/,甲机构,海淀区,网络平台,黑名单,20,2,浏览器渲染\n" +
		"https://b.example/,乙机构,朝阳区,培训机构网站,未登记,,,直接抓取\n"
	rows, problems, err := ReadTargetsCSV(strings.NewReader(csv), "t.csv", false)
	if err != nil || len(problems) != 0 || len(rows) != 2 {
		t.Fatalf("rows %+v, problems %+v, %v", rows, problems, err)
	}
	a, b := rows[0].Target, rows[1].Target
	if a.Name != "甲机构" || a.Region != "海淀区" || a.Kind != KindPlatform || a.Licence != LicenceBlacklist || a.MaxPages != 20 || a.MaxDepth != 2 || a.Render != RenderBrowser {
		t.Errorf("first row %+v", a)
	}
	if b.Kind != KindInstitution || b.Licence != LicenceUnregistered || b.Render != RenderPlain {
		t.Errorf("second row %+v", b)
	}
}

// A file that cannot be read at all says why in 简体中文 too, for the
// console's import form: the file, the line, and what to do.
func TestReadTargetsCSVFileErrorsInChinese(t *testing.T) {
	for _, c := range []struct{ csv, zh string }{
		{"", "t.csv 是空文件"},
		{"url,pages\nhttps://a.example/,3\n", "t.csv 第 1 行：未知的列“pages”；可用的列为 url,name,region,kind,licence,max_pages,max_depth,render，或 网址,名称,区域,类型,登记状态,最多页数,最大深度,抓取方式。"},
		{"网址,URL\nhttps://a.example/,https://b.example/\n", "列“URL”出现了两次"},
		{"name,region\nx,y\n", "缺少网址列"},
		{"url,name\nhttps://a.example/,\"甲\n", "t.csv 第 2 行不是有效的 CSV：引号不配对。"},
		{"\xcd\xf8\xd6\xb7,\xc3\xfb\xb3\xc6\nhttps://a.example/,x\n", "t.csv 第 1 行：第一行不是 UTF-8 文字"}, // 网址,名称 in GBK
		{"url,name\nhttps://a.example/,甲\"机构\n", "t.csv 第 2 行不是有效的 CSV：未加引号的字段中有引号"},
	} {
		_, _, err := ReadTargetsCSV(strings.NewReader(c.csv), "t.csv", false)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessageZH(err), c.zh) {
			t.Errorf("%q: %v, 简体中文 %q; want %q", c.csv, err, ErrorMessageZH(err), c.zh)
		}
	}
}
