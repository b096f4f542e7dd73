package htmltext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func mustEncode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestExtractVisibleText(t *testing.T) {
	doc := `<!DOCTYPE html><html><head><title>  星辰教育  暑期班 </title>
<meta name="description" content="小学数学 暑假 集训">
<meta name="keywords" content="奥数,提分">
<style>.x{content:"名校录取"}</style>
<script>var ad = "名校录取38人";</script>
</head><body>
<template><p>模板里的名校</p></template>
<div hidden>隐藏的名校录取</div>
<div style="display: none">也隐藏</div>
<p aria-hidden="true">屏幕阅读器看不到</p>
<noscript>请开启脚本</noscript>
<h1>欢迎报名</h1><p>一对一<b>辅导</b>，<img src="a.png" alt="喜报：录取率91%">名额有限</p>
<ul><li>周一</li><li>周二</li></ul>
<input type="hidden" value="隐藏字段"><input type="submit" value="立即报名">
</body></html>`
	p, err := Extract([]byte(doc), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "星辰教育 暑期班" {
		t.Errorf("Title = %q", p.Title)
	}
	if p.Description != "小学数学 暑假 集训" || p.Keywords != "奥数,提分" {
		t.Errorf("Description, Keywords = %q, %q", p.Description, p.Keywords)
	}
	for _, want := range []string{"星辰教育 暑期班\n", "欢迎报名", "一对一辅导", "喜报：录取率91%", "名额有限", "周一\n周二", "立即报名", "奥数,提分"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("Text lacks %q:\n%s", want, p.Text)
		}
	}
	for _, never := range []string{"名校录取38人", "content:", "模板里的名校", "隐藏的名校录取", "也隐藏", "屏幕阅读器", "请开启脚本", "隐藏字段"} {
		if strings.Contains(p.Text, never) {
			t.Errorf("Text holds hidden %q:\n%s", never, p.Text)
		}
	}
}

func TestExtractCharsets(t *testing.T) {
	const zh = "寒假班火热招生，清北名师授课"
	gbkMeta := append([]byte(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>`),
		mustEncode(t, simplifiedchinese.GBK, "招生简章")...)
	gbkMeta = append(gbkMeta, []byte(`</title></head><body><p>`)...)
	gbkMeta = append(gbkMeta, mustEncode(t, simplifiedchinese.GBK, zh)...)
	gbkMeta = append(gbkMeta, []byte(`</p></body></html>`)...)

	longHead := "<html><head><!--" + strings.Repeat("x", 3000) + "--><meta charset=\"gbk\"></head><body><p>"
	gbkLateMeta := append([]byte(longHead), mustEncode(t, simplifiedchinese.GBK, zh)...)

	gbkBare := append([]byte("<html><body><p>"), mustEncode(t, simplifiedchinese.GB18030, strings.Repeat(zh, 4))...)
	big5Meta := append([]byte(`<html><head><meta charset="big5"></head><body><p>`), mustEncode(t, traditionalchinese.Big5, "寒假班火熱招生，清北名師授課")...)
	lyingHeader := append([]byte("<html><body><p>"), mustEncode(t, simplifiedchinese.GBK, strings.Repeat(zh, 4))...)
	bom := append([]byte{0xEF, 0xBB, 0xBF}, []byte("<html><body><p>"+zh+"</p></body></html>")...)
	staleMeta := []byte(`<html><head><meta charset="gbk"></head><body><p>` + zh + `</p></body></html>`)
	brokenUTF8 := []byte("<html><body><p>" + zh + "\xe5\x90</p><p>" + zh + "\xff</p></body></html>")

	tests := []struct {
		name, contentType string
		body              []byte
		want, charset     string
		source            string
	}{
		{"gbk in meta only", "text/html", gbkMeta, zh, "gb18030", SourceMeta},
		{"gbk meta after 1024 bytes", "text/html", gbkLateMeta, zh, "gb18030", SourceMeta},
		{"gbk with no declaration", "text/html", gbkBare, zh, "gb18030", SourceDetected},
		{"big5 in meta", "", big5Meta, "寒假班火熱招生，清北名師授課", "big5", SourceMeta},
		{"header says utf-8, body is gbk", "text/html; charset=utf-8", lyingHeader, zh, "gb18030", SourceDetected},
		{"utf-8 bom", "text/html", bom, zh, "utf-8", SourceBOM},
		{"header charset", "text/html; charset=GBK", gbkMeta, zh, "gb18030", SourceHeader},
		{"stale gbk meta on utf-8 body", "text/html", staleMeta, zh, "utf-8", SourceDetected},
		{"utf-8 with a few broken bytes", "", brokenUTF8, zh, "utf-8", SourceDetected},
		{"declared utf-8 with a few broken bytes", "text/html; charset=utf-8", brokenUTF8, zh, "utf-8", SourceHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Extract(tt.body, tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Text, tt.want) {
				t.Errorf("Text = %q, want it to contain %q", p.Text, tt.want)
			}
			if p.Charset != tt.charset || p.CharsetSource != tt.source {
				t.Errorf("charset = %s from %s, want %s from %s", p.Charset, p.CharsetSource, tt.charset, tt.source)
			}
		})
	}
	p, _ := Extract(gbkMeta, "text/html")
	if p.Title != "招生简章" {
		t.Errorf("GBK title = %q", p.Title)
	}
}

func TestExtractPlainTextAndBinary(t *testing.T) {
	p, err := Extract([]byte("第一行 名校\n第二行"), "")
	if err != nil || p.Text != "第一行 名校\n第二行" {
		t.Errorf("plain text: %q, %v", p.Text, err)
	}
	p, err = Extract([]byte("<p>not parsed</p>"), "text/plain; charset=utf-8")
	if err != nil || p.Text != "<p>not parsed</p>" {
		t.Errorf("text/plain: %q, %v", p.Text, err)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	if _, err := Extract(png, "image/png"); err == nil || !strings.Contains(err.Error(), "binary") {
		t.Errorf("PNG: err = %v, want a binary-data error", err)
	}
	if p, err := Extract(nil, ""); err != nil || p.Text != "" {
		t.Errorf("empty: %q, %v", p.Text, err)
	}
	p, err = Extract([]byte("ok \xff\xfe\xfd bytes"), "text/plain; charset=utf-8")
	if err != nil || !utf8.ValidString(p.Text) {
		t.Errorf("invalid UTF-8: %q, %v", p.Text, err)
	}
}

func TestExtractMalformedHTML(t *testing.T) {
	for _, doc := range []string{
		"<html><body><p>未闭合<div><span>名校<table><tr><td>录取",
		"<<<>>><p>>>文本</p</p>",
		strings.Repeat("<div>", 50000) + "深层" + strings.Repeat("</div>", 10),
		"<script>不闭合的脚本 名校录取",
	} {
		p, err := Extract([]byte(doc), "text/html")
		if err != nil {
			t.Errorf("%.30q: %v", doc, err)
		}
		if strings.Contains(p.Text, "脚本") {
			t.Errorf("%.30q: script text leaked: %q", doc, p.Text)
		}
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte("<html><head><title>标题</title></head><body><p>正文</p><script>x</script></body></html>"), "text/html")
	f.Add([]byte("<meta charset=gbk><p>\xc3\xfb\xd0\xa3</p>"), "")
	f.Add([]byte("\xef\xbb\xbf纯文本"), "text/plain")
	f.Add([]byte("<div hidden><p>隐藏</div><img alt=替代>"), "text/html; charset=big5")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := Extract(body, contentType)
		if err != nil {
			return
		}
		for name, s := range map[string]string{"Text": p.Text, "Title": p.Title, "Description": p.Description} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if p.Title != "" && !strings.Contains(p.Text, p.Title) {
			t.Fatalf("Text %q lacks Title %q", p.Text, p.Title)
		}
	})
}
