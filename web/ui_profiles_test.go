package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestProfilesPage(t *testing.T) {
	h := newHarness(t)
	session := h.login("regulator", testPassword)
	token := h.csrfToken(session)
	post := func(form url.Values) *httptest.ResponseRecorder {
		form.Set("csrf_token", token)
		return h.postForm(session, "/profiles", form)
	}
	get := func(path string) *httptest.ResponseRecorder {
		return h.do(request{method: "GET", path: path, cookies: []*http.Cookie{session}})
	}
	const good = "name: fenlei-demo\ntitle: 某分类信息网 <script>alert(1)</script>\nsite: https://fenlei.example.cn/\n" +
		"search:\n  urls: ['https://fenlei.example.cn/s?q={keyword}']\n  keywords: [奥数]\ndetail:\n  follow: ['^/post/[0-9]+$']\n"

	// An empty register offers the form.
	doc := htmlPage(t, get("/profiles"), http.StatusOK)
	if doc.Find("tr[data-profile]").Length() != 0 || doc.Find("form[action='/profiles'] textarea[name=yaml]").Length() != 1 {
		t.Fatalf("empty register: %q", doc.Find("main").Text())
	}

	// Checked only: word that it is fine, the text kept, nothing saved.
	doc = htmlPage(t, post(url.Values{"yaml": {good}, "action": {"check"}}), http.StatusOK)
	if !strings.Contains(doc.Find(".notice").Text(), "fenlei-demo 无误") || doc.Find("textarea[name=yaml]").Text() != good ||
		doc.Find("tr[data-profile]").Length() != 0 {
		t.Errorf("check: notice %q, %d profiles registered", doc.Find(".notice").Text(), doc.Find("tr[data-profile]").Length())
	}

	// Register one; the answer leads back to it in the form.
	w := post(url.Values{"yaml": {good}})
	wantStatus(t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if loc != "/profiles?edit=fenlei-demo&done=saved#profile-form" {
		t.Fatalf("after saving: Location %q", loc)
	}
	page := get(strings.TrimSuffix(loc, "#profile-form"))
	if strings.Contains(page.Body.String(), "<script>alert(1)") {
		t.Error("the profile's title is rendered unescaped")
	}
	doc = htmlPage(t, page, http.StatusOK)
	row := doc.Find("tr[data-profile='fenlei-demo']")
	if row.Length() != 1 || !strings.Contains(row.Text(), "某分类信息网 <script>alert(1)</script>") || !strings.Contains(row.Text(), "regulator") {
		t.Errorf("register row: %q", row.Text())
	}
	if got := doc.Find("textarea[name=yaml]").Text(); got != good {
		t.Errorf("the form holds %q, want the saved file", got)
	}
	if !strings.Contains(doc.Find(".notice").Text(), "已保存") || !strings.Contains(doc.Find("#profile-form h2").Text(), "fenlei-demo") {
		t.Errorf("after saving: notice %q, heading %q", doc.Find(".notice").Text(), doc.Find("#profile-form h2").Text())
	}
	// The scans page offers a scan of it.
	if htmlPage(t, get("/scans"), http.StatusOK).Find("tr[data-profile='fenlei-demo'] form[action='/scans/profile']").Length() != 1 {
		t.Error("the scans page does not offer a scan of the new profile")
	}

	// Saved again with a change: still one profile, changed.
	wantStatus(t, post(url.Values{"yaml": {strings.Replace(good, "某分类信息网", "某分类信息网（改）", 1)}, "editing": {"fenlei-demo"}}), http.StatusSeeOther)
	doc = htmlPage(t, get("/profiles"), http.StatusOK)
	if rows := doc.Find("tr[data-profile]"); rows.Length() != 1 || !strings.Contains(rows.Text(), "（改）") {
		t.Errorf("after saving again: %q", rows.Text())
	}

	// A file with problems is shown again, unsaved, each problem on its line.
	bad := "name: Bad Name\nsite: ftp://x.example/\nlisting:\n  max_pages: -1\n"
	doc = htmlPage(t, post(url.Values{"yaml": {bad}}), http.StatusBadRequest)
	msg := doc.Find(".error").Text()
	if !strings.Contains(msg, "未保存") || !strings.Contains(msg, "第 1 行：") || !strings.Contains(msg, "第 2 行：site") ||
		strings.Count(msg, "site") != 1 {
		t.Errorf("problems: %q", msg)
	}
	// In 简体中文, naming the field as the file does.
	for _, want := range []string{"第 1 行：缺少 search", "第 2 行：site：网址“ftp://x.example/”须以 http:// 或 https:// 开头", "第 4 行：listing.max_pages 应为 1 到 100 之间的整数。"} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems %q lack %q", msg, want)
		}
	}
	if doc.Find("textarea[name=yaml]").Text() != bad {
		t.Errorf("the form lost the text with problems: %q", doc.Find("textarea[name=yaml]").Text())
	}
	doc = htmlPage(t, post(url.Values{"yaml": {bad}, "action": {"check"}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "第 2 行") || doc.Find(".notice").Length() != 0 {
		t.Errorf("check with problems: %q", doc.Find(".error").Text())
	}
	doc = htmlPage(t, post(url.Values{"yaml": {"  \n"}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "请填写") {
		t.Errorf("empty form: %q", doc.Find(".error").Text())
	}
	// A site on a private address needs the server's permission.
	doc = htmlPage(t, post(url.Values{"yaml": {strings.ReplaceAll(good, "https://fenlei.example.cn/", "http://10.0.0.8/")}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "内网") {
		t.Errorf("private site: %q", doc.Find(".error").Text())
	}
	if n := htmlPage(t, get("/profiles"), http.StatusOK).Find("tr[data-profile]").Length(); n != 1 {
		t.Errorf("after refused forms the register has %d profiles, want 1", n)
	}
	// An unknown profile to edit is a 404, not an empty form.
	htmlPage(t, get("/profiles?edit=nope"), http.StatusNotFound)

	// Reviewers see the register without the form, and cannot post; a
	// regulator's post without the CSRF token is refused.
	doc = htmlPage(t, h.do(request{method: "GET", path: "/profiles", user: "reviewer"}), http.StatusOK)
	if doc.Find("tr[data-profile]").Length() != 1 || doc.Find("form[action='/profiles'], a[href^='/profiles?edit']").Length() != 0 {
		t.Errorf("a reviewer's view of the register is wrong")
	}
	reviewer := h.login("reviewer", testPassword)
	htmlPage(t, h.postForm(reviewer, "/profiles", url.Values{"yaml": {good}, "csrf_token": {h.csrfToken(reviewer)}}), http.StatusForbidden)
	wantStatus(t, h.postForm(session, "/profiles", url.Values{"yaml": {good}}), http.StatusForbidden)
}
