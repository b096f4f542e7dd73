package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestTargetsPage(t *testing.T) {
	h := newHarness(t)
	session := h.login("regulator", testPassword)
	token := h.csrfToken(session)
	post := func(path string, form url.Values) *httptest.ResponseRecorder {
		form.Set("csrf_token", token)
		return h.postForm(session, path, form)
	}
	upload := func(name, content string) *httptest.ResponseRecorder {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf_token", token)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(content))
		mw.Close()
		return h.do(request{method: "POST", path: "/targets/import", body: b.String(), cookies: []*http.Cookie{session},
			header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	}

	// Add; adding the same site again (typed another way) is refused and
	// changes nothing; editing it (the form carries its id) updates it:
	// one row.
	wantStatus(t, post("/targets", url.Values{"url": {"https://Jigou.example.cn"}, "name": {"某培训机构"}, "region": {"海淀区"},
		"kind": {"institution"}, "licence": {"blacklist"}}), http.StatusSeeOther)
	dup := htmlPage(t, post("/targets", url.Values{"url": {"https://jigou.example.cn/#x"}, "name": {"重复"}}), http.StatusConflict)
	if msg := dup.Find(".error").Text(); !strings.Contains(msg, "该网址已登记为“某培训机构”") || !strings.Contains(msg, "编辑") {
		t.Errorf("adding a registered site: %q", msg)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/targets", cookies: []*http.Cookie{session}}), http.StatusOK)
	tid := doc.Find("tr[data-target]").AttrOr("data-target", "")
	edit := htmlPage(t, h.do(request{method: "GET", path: "/targets?edit=" + tid, cookies: []*http.Cookie{session}}), http.StatusOK)
	if got := edit.Find("#target-form input[name=id]").AttrOr("value", ""); got != tid {
		t.Fatalf("the edit form carries id %q, want %q", got, tid)
	}
	wantStatus(t, post("/targets", url.Values{"id": {tid}, "url": {"https://jigou.example.cn/#x"}, "name": {"某培训机构（更名）"}, "region": {"海淀区"},
		"kind": {"platform"}, "licence": {"whitelist"}, "max_pages": {"50"}}), http.StatusSeeOther)
	doc = htmlPage(t, h.do(request{method: "GET", path: "/targets", cookies: []*http.Cookie{session}}), http.StatusOK)
	rows := doc.Find("table.target-list tbody tr[data-target]")
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "某培训机构（更名）") || !strings.Contains(rows.Text(), "白名单") || !strings.Contains(rows.Text(), "网络平台") {
		t.Fatalf("register: %q", rows.Text())
	}
	doc = htmlPage(t, post("/targets", url.Values{"url": {"http://10.0.0.8/"}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "内网") {
		t.Errorf("private target: %q", doc.Find(".error").Text())
	}

	// A CSV with one bad line imports nothing and names the line.
	doc = htmlPage(t, upload("bad.csv", "url,name,licence\nhttps://a.example/,甲,whitelist\nftp://b.example/,乙,\nhttps://c.example/,丙,grey\n"), http.StatusBadRequest)
	msg := doc.Find(".error").Text()
	if !strings.Contains(msg, "第 3 行") || !strings.Contains(msg, "第 4 行") || !strings.Contains(msg, "未导入") {
		t.Errorf("bad import: %q", msg)
	}
	// A file that is not CSV of the register says so in 简体中文.
	doc = htmlPage(t, upload("cols.csv", "url,pages\nhttps://a.example/,3\n"), http.StatusBadRequest)
	if msg := doc.Find(".error").Text(); !strings.Contains(msg, "cols.csv 第 1 行：未知的列“pages”") {
		t.Errorf("unknown column: %q", msg)
	}
	if n := htmlPage(t, h.do(request{method: "GET", path: "/targets", user: "viewer"}), http.StatusOK).Find("tr[data-target]").Length(); n != 1 {
		t.Errorf("after a refused import the register has %d targets, want 1", n)
	}
	doc = htmlPage(t, upload("good.csv", "\ufeffurl,name,region,kind\nhttps://a.example/,甲,朝阳区,institution\nhttps://jigou.example.cn/,某培训机构,海淀区,platform\n"), http.StatusOK)
	if !strings.Contains(doc.Find(".notice").Text(), "新增 1 个，更新 1 个") || doc.Find("tr[data-target]").Length() != 2 {
		t.Errorf("good import: %q", doc.Find(".notice").Text())
	}

	// Scan the selected targets.
	id, _ := doc.Find("tr[data-target]").First().Attr("data-target")
	w := post("/targets/scan", url.Values{"target": {id}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, "/scans/scan") {
		t.Errorf("after starting a scan: %q", loc)
	}
	htmlPage(t, post("/targets/scan", url.Values{}), http.StatusBadRequest)

	// Reviewers see the register but no forms, and cannot post.
	doc = htmlPage(t, h.do(request{method: "GET", path: "/targets", user: "reviewer"}), http.StatusOK)
	if doc.Find("form[action='/targets'], form[action='/targets/import'], input[name=target]").Length() != 0 {
		t.Errorf("a reviewer gets the register's forms")
	}
	reviewer := h.login("reviewer", testPassword)
	w = h.postForm(reviewer, "/targets", url.Values{"url": {"https://x.example/"}, "csrf_token": {h.csrfToken(reviewer)}})
	htmlPage(t, w, http.StatusForbidden)
}
