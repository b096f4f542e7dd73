package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"adscan"
)

// htmlPage parses a console page, failing the test on a wrong status.
func htmlPage(t *testing.T, w *httptest.ResponseRecorder, status int) *goquery.Document {
	t.Helper()
	wantStatus(t, w, status)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q", ct)
	}
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

const hostileText = `<script>alert(document.cookie)</script><img src=x onerror=alert(1)> 暑假班火热报名`

func TestCaseQueuePage(t *testing.T) {
	h := newHarness(t)
	a := h.seedCase("s1", "https://a.example/", "https://a.example/ad", hostileText, adscan.CategoryHolidayTraining)
	h.seedCase("s1", "https://a.example/", "https://a.example/rank", "中考状元榜", adscan.CategoryRanking)
	c := h.seedCase("s2", "https://b.example/", "https://b.example/", "提前学下学期课程", adscan.CategoryAdvanceTeaching)
	if _, err := h.store.DecideCase(t.Context(), c.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "reviewer", Note: "误报"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.UpsertTarget(t.Context(), adscan.Target{URL: "https://a.example/", Name: "某某教育"}); err != nil {
		t.Fatal(err)
	}

	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases", user: "viewer"}), http.StatusOK)
	if n := doc.Find("table.cases tbody tr").Length(); n != 3 {
		t.Errorf("queue shows %d rows, want 3", n)
	}
	tabs := map[string]string{}
	doc.Find(".tabs a").Each(func(_ int, s *goquery.Selection) {
		tabs[strings.Fields(s.Text())[0]] = s.Find(".count").Text()
	})
	if tabs["全部"] != "3" || tabs["待审核"] != "2" || tabs["已驳回"] != "1" {
		t.Errorf("state tabs %v", tabs)
	}
	if !strings.Contains(doc.Find("table.cases").Text(), "某某教育") {
		t.Errorf("queue does not name the target")
	}

	// Filters: state, category, search in the evidence; the tabs keep the rest of the filter.
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases?state=open&category=ranking", user: "viewer"}), http.StatusOK)
	if rows := doc.Find("table.cases tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Text(), "/rank") {
		t.Errorf("state+category filter: %q", rows.Text())
	}
	if href, _ := doc.Find(".tabs a").First().Attr("href"); !strings.Contains(href, "category=ranking") || strings.Contains(href, "state=") {
		t.Errorf("the 全部 tab links to %q", href)
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases?q=" + url.QueryEscape("暑假班"), user: "viewer"}), http.StatusOK)
	if rows := doc.Find("table.cases tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Find("a").AttrOr("href", ""), a.ID) {
		t.Errorf("search: %q", rows.Text())
	}

	// Paging: a next link while more follow.
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases?limit=2", user: "viewer"}), http.StatusOK)
	next, ok := doc.Find("#next-page").Attr("href")
	if !ok || doc.Find("table.cases tbody tr").Length() != 2 {
		t.Fatalf("first page of 2: next %q", next)
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: next, user: "viewer"}), http.StatusOK)
	if doc.Find("table.cases tbody tr").Length() != 1 || doc.Find("#next-page").Length() != 0 {
		t.Errorf("second page: %d rows", doc.Find("table.cases tbody tr").Length())
	}

	// Bad input is a 400 page in 简体中文, naming the input.
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases?state=closed", user: "viewer"}), http.StatusBadRequest)
	if !strings.Contains(doc.Find("h1").Text(), "请求有误") || !strings.Contains(doc.Text(), "closed") {
		t.Errorf("bad state page: %q", doc.Find("main").Text())
	}
}

func TestCasePage(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/ad", hostileText, adscan.CategoryHolidayTraining)
	w := h.do(request{method: "GET", path: "/cases/" + c.ID, user: "reviewer"})
	body := w.Body.String()
	doc := htmlPage(t, w, http.StatusOK)

	// Crawled text is shown as text, never as markup.
	if doc.Find("main script").Length() != 1 || doc.Find("main img").Length() != 0 {
		t.Errorf("crawled markup became elements: %d scripts, %d imgs", doc.Find("main script").Length(), doc.Find("main img").Length())
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Errorf("page holds crawled markup unescaped")
	}
	mark := doc.Find(".captured-text mark")
	if mark.Length() != 1 || mark.Text() != hostileText || !strings.Contains(mark.AttrOr("title", ""), "节假日学科培训") {
		t.Errorf("marked evidence %q (title %q)", mark.Text(), mark.AttrOr("title", ""))
	}
	meta := doc.Find("section.evidence dl.meta").Text()
	for _, want := range []string{"https://a.example/ad", "200", "shuangjian 2026.11"} {
		if !strings.Contains(meta, want) {
			t.Errorf("capture metadata lacks %q: %s", want, meta)
		}
	}
	if doc.Find(".finding .basis").Text() != "依据：（十七）" {
		t.Errorf("finding basis %q", doc.Find(".finding .basis").Text())
	}
	var decisions []string
	doc.Find("#decision-form button[name=decision]").Each(func(_ int, s *goquery.Selection) { decisions = append(decisions, s.AttrOr("value", "")) })
	if strings.Join(decisions, ",") != "confirm,dismiss,escalate" || doc.Find("#decision-form input[name=csrf_token]").AttrOr("value", "") == "" {
		t.Errorf("decision form: %v", decisions)
	}

	// A viewer sees the case but no decision form; an unknown case is a 404 page.
	if doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, user: "viewer"}), http.StatusOK); doc.Find("#decision-form").Length() != 0 {
		t.Errorf("a viewer gets the decision form")
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases/nope", user: "viewer"}), http.StatusNotFound)
	if !strings.Contains(doc.Find("h1").Text(), "未找到") {
		t.Errorf("unknown case: %q", doc.Find("h1").Text())
	}
}

func TestDecideCaseForm(t *testing.T) {
	h := newHarness(t)
	older := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	newer := h.seedCase("s1", "https://a.example/", "https://a.example/2", "中考状元", adscan.CategoryRanking)
	session := h.login("reviewer", testPassword)
	token := func(id string) string {
		t.Helper()
		w := h.do(request{method: "GET", path: "/cases/" + id, cookies: []*http.Cookie{session}})
		return csrfFromPage(t, w.Body.String())
	}
	post := func(id string, form url.Values) *httptest.ResponseRecorder {
		return h.postForm(session, "/cases/"+id+"/decision", form)
	}

	// Without its CSRF token the form is refused, and nothing changes.
	w := post(newer.ID, url.Values{"decision": {"confirm"}})
	htmlPage(t, w, http.StatusForbidden)
	if got, _ := h.store.GetCase(t.Context(), newer.ID); got.State != adscan.CaseOpen {
		t.Fatalf("case %s after a form without token", got.State)
	}

	// A dismissal needs its reason.
	doc := htmlPage(t, post(newer.ID, url.Values{"decision": {"dismiss"}, "csrf_token": {token(newer.ID)}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "理由") {
		t.Errorf("dismiss without reason: %q", doc.Find(".error").Text())
	}

	// The newer case links to the older as next, the older to the newer as previous.
	if doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + newer.ID, cookies: []*http.Cookie{session}}), http.StatusOK); doc.Find("#next-case").AttrOr("href", "") != "/cases/"+older.ID || doc.Find("#prev-case").Length() != 0 {
		t.Errorf("newer case: next %q, prev %d", doc.Find("#next-case").AttrOr("href", ""), doc.Find("#prev-case").Length())
	}
	if doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + older.ID, cookies: []*http.Cookie{session}}), http.StatusOK); doc.Find("#prev-case").AttrOr("href", "") != "/cases/"+newer.ID {
		t.Errorf("older case: prev %q", doc.Find("#prev-case").AttrOr("href", ""))
	}

	// Confirming goes on to the next case waiting for review.
	w = post(newer.ID, url.Values{"decision": {"confirm"}, "note": {"明显的分数宣传"}, "csrf_token": {token(newer.ID)}})
	wantStatus(t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if u, _ := url.Parse(loc); u.Path != "/cases/"+older.ID {
		t.Errorf("after confirming, went to %q, want the next open case %s", loc, older.ID)
	}
	// Whose page says what became of the case just decided.
	next := htmlPage(t, h.do(request{method: "GET", path: loc, cookies: []*http.Cookie{session}}), http.StatusOK)
	if msg := next.Find("p.notice").Text(); !strings.Contains(msg, "案件 "+newer.ID+" 已确认违规") {
		t.Errorf("the next case's page says %q of the one just confirmed", msg)
	}
	if got, _ := h.store.GetCase(t.Context(), newer.ID); got.State != adscan.CaseConfirmed || got.Decision.By != "reviewer" {
		t.Errorf("case after confirm: %+v", got)
	}

	// Deciding it again (another reviewer's tab): 409, and the page shows its state.
	doc = htmlPage(t, post(newer.ID, url.Values{"decision": {"dismiss"}, "note": {"不是广告"}, "csrf_token": {token(older.ID)}}), http.StatusConflict)
	if !strings.Contains(doc.Find(".error").Text(), "已确认") || !strings.Contains(doc.Find("h1 .state").Text(), "已确认") {
		t.Errorf("conflict page: error %q, state %q", doc.Find(".error").Text(), doc.Find("h1 .state").Text())
	}

	// A viewer may not decide.
	viewer := h.login("viewer", testPassword)
	w = h.postForm(viewer, "/cases/"+older.ID+"/decision", url.Values{"decision": {"confirm"}})
	htmlPage(t, w, http.StatusForbidden)
}

func TestReferralsPageAndRetry(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	failed := h.seedCase("s1", "https://a.example/", "https://a.example/ad", "中考状元", adscan.CategoryRanking)
	pending := h.seedCase("s1", "https://a.example/", "https://a.example/x", "暑假班", adscan.CategoryHolidayTraining)
	h.seedCase("s1", "https://a.example/", "https://a.example/open", "提前学", adscan.CategoryAdvanceTeaching)
	for _, id := range []string{failed.ID, pending.ID} {
		if _, err := h.store.DecideCase(ctx, id, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "reviewer", Note: "属实"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.store.Audit(ctx, adscan.AuditEntry{CaseID: failed.ID, Actor: "system", Action: adscan.ActionReferralFailed,
		Detail: "POST https://scjg.example/api: 422 <b>bad</b>"}); err != nil {
		t.Fatal(err)
	}

	doc := htmlPage(t, h.do(request{method: "GET", path: "/referrals", user: "regulator"}), http.StatusOK)
	rows := doc.Find("table.referral-list tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("referrals page lists %d cases, want the 2 confirmed", rows.Length())
	}
	row := doc.Find(`tr[data-case="` + failed.ID + `"]`)
	if row.Find(".delivery").Text() != "送达失败" || !strings.Contains(row.Find(".error-text").Text(), "422 <b>bad</b>") || row.Find("b").Length() != 0 {
		t.Errorf("failed row: %q", row.Text())
	}
	if doc.Find(`tr[data-case="`+pending.ID+`"] .delivery`).Text() != "待送达" {
		t.Errorf("pending row: %q", doc.Find(`tr[data-case="`+pending.ID+`"]`).Text())
	}
	form := row.Find("form")
	if form.AttrOr("action", "") != "/referrals/"+failed.ID+"/retry" || form.Find("input[name=csrf_token]").Length() != 1 {
		t.Fatalf("retry form: %q", form.AttrOr("action", ""))
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/referrals?failed=1", user: "viewer"}), http.StatusOK)
	if doc.Find("table.referral-list tbody tr").Length() != 1 || doc.Find("form.inline").Length() != 0 {
		t.Errorf("failed only, as a viewer: %d rows, %d retry forms", doc.Find("table.referral-list tbody tr").Length(), doc.Find("form.inline").Length())
	}

	// A reviewer may not retry; a regulator may, once.
	session := h.login("regulator", testPassword)
	token := csrfFromPage(t, h.do(request{method: "GET", path: "/referrals", cookies: []*http.Cookie{session}}).Body.String())
	post := func(id string, c *http.Cookie, token string) *httptest.ResponseRecorder {
		return h.postForm(c, "/referrals/"+id+"/retry", url.Values{"csrf_token": {token}})
	}
	reviewer := h.login("reviewer", testPassword)
	rtoken := csrfFromPage(t, h.do(request{method: "GET", path: "/referrals", cookies: []*http.Cookie{reviewer}}).Body.String())
	htmlPage(t, post(failed.ID, reviewer, rtoken), http.StatusForbidden)
	w := post(failed.ID, session, token)
	wantStatus(t, w, http.StatusSeeOther)
	doc = htmlPage(t, h.do(request{method: "GET", path: "/referrals", user: "viewer"}), http.StatusOK)
	if got := doc.Find(`tr[data-case="` + failed.ID + `"] .delivery`).Text(); got != "已送达" {
		t.Errorf("after the retry: %q", got)
	}
	htmlPage(t, post(failed.ID, session, token), http.StatusConflict)

	// The API lists them too, and retrying a delivered one is a 409.
	list := decode[[]adscan.ReferralStatus](t, h.do(request{method: "GET", path: "/api/referrals", user: "viewer"}))
	if len(list) != 2 {
		t.Errorf("api referrals %+v", list)
	}
	wantError(t, h.do(request{method: "POST", path: "/api/cases/" + failed.ID + "/referral/retry", user: "regulator"}), http.StatusConflict, "referred")
}

func TestDossier(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/ad", hostileText, adscan.CategoryHolidayTraining)
	if _, err := h.store.DecideCase(t.Context(), c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "reviewer", Note: "暑期学科类培训招生"}); err != nil {
		t.Fatal(err)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID + "/dossier", user: "viewer"}), http.StatusOK)
	if doc.Find("header.top").Length() != 0 || doc.Find("body.print").Length() != 1 {
		t.Errorf("the dossier carries the console's header")
	}
	text := doc.Find("article.dossier").Text()
	for _, want := range []string{c.ID, "https://a.example/ad", "节假日学科培训", "（十七）", "暑期学科类培训招生", "确认违规"} {
		if !strings.Contains(text, want) {
			t.Errorf("dossier lacks %q", want)
		}
	}
	if doc.Find("article.dossier mark").Text() != hostileText || doc.Find("article.dossier img").Length() != 0 {
		t.Errorf("dossier text: %q", doc.Find("article.dossier mark").Text())
	}
}

func TestDownloadWARC(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	c := h.seedCase("s1", "https://a.example/", "https://a.example/ad", "暑假班", adscan.CategoryHolidayTraining)
	record := []byte("WARC/1.1\r\nWARC-Type: response\r\n\r\n<html><script>alert(1)</script></html>")
	capID, err := h.store.PutCapture(ctx, adscan.Capture{ScanID: "s1", Target: "https://a.example/", RequestedURL: "https://a.example/ad",
		FinalURL: "https://a.example/ad", Status: 200, FetchedAt: h.now.Add(time.Minute), BodySHA256: strings.Repeat("a", 64), Text: "暑假班 again",
		TextSHA256: strings.Repeat("b", 64), WARC: record})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.store.RecordFindings(ctx, adscan.FindingsInput{ScanID: "s1", Target: "https://a.example/", URL: "https://a.example/ad",
		CaptureID: capID, Flags: []adscan.Flag{{Category: adscan.CategoryHolidayTraining, Score: 0.9,
			Evidence: []adscan.Evidence{{Text: "暑假班", Start: 0, End: len("暑假班")}}}}}); err != nil {
		t.Fatal(err)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, user: "viewer"}), http.StatusOK)
	href, ok := doc.Find(`.downloads a[href*="/warc/"]`).Attr("href")
	if !ok {
		t.Fatal("the case page has no WARC download")
	}
	w := h.do(request{method: "GET", path: href, user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	if w.Header().Get("Content-Type") != "application/warc" || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") ||
		w.Body.String() != string(record) {
		t.Errorf("download: %v %q", w.Header(), w.Body.String())
	}
	htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID + "/warc/not-ours", user: "viewer"}), http.StatusNotFound)
}

func TestQueueFiltersAndExport(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	a := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	h.seedCase("s1", "https://b.example/", "https://b.example/2", "中考状元", adscan.CategoryRanking)
	if _, err := h.store.UpsertTarget(ctx, adscan.Target{URL: "https://a.example/", Name: `=HYPERLINK("http://evil.example","点我")`, Region: "海淀区"}); err != nil {
		t.Fatal(err)
	}
	rows := func(path string) int {
		t.Helper()
		return htmlPage(t, h.do(request{method: "GET", path: path, user: "viewer"}), http.StatusOK).Find("table.cases tbody tr").Length()
	}
	day := a.CreatedAt.In(consoleZone).Format("2006-01-02")
	h.now = a.CreatedAt.Add(time.Minute) // the store stamps cases with its own clock
	for path, want := range map[string]int{
		"/cases?region=" + url.QueryEscape("海淀区"): 1,
		"/cases?from=" + day + "&to=" + day:       2,
		"/cases?to=2020-01-01":                    0,
		"/cases?overdue=1":                        0, // seeded just now: within the SLA
		"/cases?sort=oldest":                      2,
	} {
		if got := rows(path); got != want {
			t.Errorf("%s: %d rows, want %d", path, got, want)
		}
	}
	h.now = a.CreatedAt.Add(100 * time.Hour)
	if got := rows("/cases?overdue=1"); got != 2 {
		t.Errorf("overdue after 100h: %d rows, want 2", got)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases?sort=oldest", user: "viewer"}), http.StatusOK)
	if href := doc.Find("table.cases tbody tr a").First().AttrOr("href", ""); href != "/cases/"+a.ID {
		t.Errorf("oldest first starts with %q, want %s", href, a.ID)
	}
	htmlPage(t, h.do(request{method: "GET", path: "/cases?from=yesterday", user: "viewer"}), http.StatusBadRequest)
	htmlPage(t, h.do(request{method: "GET", path: "/cases?sort=random", user: "viewer"}), http.StatusBadRequest)

	w := h.do(request{method: "GET", path: "/cases.csv?region=" + url.QueryEscape("海淀区"), user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if !strings.HasPrefix(body, "\ufeff案件编号") || !strings.Contains(body, a.ID) || strings.Count(body, "\n") != 2 ||
		!strings.Contains(body, `"'=HYPERLINK(""http://evil.example"",""点我"")"`) || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("export: %q", body)
	}
}

func TestGuardRow(t *testing.T) {
	got := guardRow([]string{"=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "普通", "", "a=b"})
	want := []string{"'=1+1", "'+86 138", "'-2", "'@SUM(A1)", "'\tx", "普通", "", "a=b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("guardRow = %q", got)
	}
}

func TestQueueBulkActions(t *testing.T) {
	h := newHarness(t)
	a := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	b := h.seedCase("s1", "https://a.example/", "https://a.example/2", "中考状元", adscan.CategoryRanking)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/3", "提前学", adscan.CategoryAdvanceTeaching)
	session := h.login("reviewer", testPassword)
	token := csrfFromPage(t, h.do(request{method: "GET", path: "/cases", cookies: []*http.Cookie{session}}).Body.String())
	bulk := func(v url.Values) string {
		t.Helper()
		v.Set("csrf_token", token)
		v.Set("back", "/cases?state=open")
		w := h.postForm(session, "/cases/bulk", v)
		wantStatus(t, w, http.StatusSeeOther)
		loc, _ := url.Parse(w.Header().Get("Location"))
		if loc.Path != "/cases" || loc.Query().Get("state") != "open" {
			t.Errorf("went back to %s", loc)
		}
		return loc.Query().Get("notice")
	}
	if msg := bulk(url.Values{"action": {"claim"}, "case": {a.ID, b.ID}}); !strings.Contains(msg, "2 件") {
		t.Errorf("claim: %q", msg)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases?mine=1", cookies: []*http.Cookie{session}}), http.StatusOK)
	if n := doc.Find("table.cases tbody tr").Length(); n != 2 || !strings.Contains(doc.Find("table.cases").Text(), "承办：reviewer") {
		t.Errorf("mine: %d rows", n)
	}
	if msg := bulk(url.Values{"action": {"dismiss"}, "case": {a.ID, b.ID}}); !strings.Contains(msg, "理由") {
		t.Errorf("dismiss without a reason: %q", msg)
	}
	// The list shows the notices it wrote, a refusal as an error; not one
	// a link makes up.
	v := url.Values{"action": {"dismiss"}, "case": {a.ID}, "csrf_token": {token}, "back": {"/cases?state=open"}}
	refusal := h.postForm(session, "/cases/bulk", v).Header().Get("Location")
	doc = htmlPage(t, h.do(request{method: "GET", path: refusal, cookies: []*http.Cookie{session}}), http.StatusOK)
	if !strings.Contains(doc.Find("p.error").Text(), "理由") || doc.Find("p.notice").Length() != 0 {
		t.Errorf("a refused bulk action: error %q, notice %q", doc.Find("p.error").Text(), doc.Find("p.notice").Text())
	}
	spoof := "/cases?notice=" + url.QueryEscape("系统升级：请在 http://evil.example/ 重新登录")
	doc = htmlPage(t, h.do(request{method: "GET", path: spoof, cookies: []*http.Cookie{session}}), http.StatusOK)
	if strings.Contains(doc.Text(), "evil.example") {
		t.Error("the list showed a notice made up in its URL")
	}
	if got, _ := h.store.GetCase(t.Context(), a.ID); got.State != adscan.CaseOpen {
		t.Fatalf("a dismissal without reason changed the case: %s", got.State)
	}
	if msg := bulk(url.Values{"action": {"dismiss"}, "note": {"同一机构的新闻稿"}, "case": {a.ID, b.ID}}); !strings.Contains(msg, "2 件") {
		t.Errorf("dismiss: %q", msg)
	}
	if msg := bulk(url.Values{"action": {"escalate"}, "note": {"需要复核"}, "case": {a.ID, c.ID}}); !strings.Contains(msg, "1 件案件") || !strings.Contains(msg, a.ID) {
		t.Errorf("escalate with one already dismissed: %q", msg)
	}
	for id, want := range map[string]adscan.CaseState{a.ID: adscan.CaseDismissed, b.ID: adscan.CaseDismissed, c.ID: adscan.CaseEscalated} {
		if got, _ := h.store.GetCase(t.Context(), id); got.State != want {
			t.Errorf("case %s is %s, want %s", id, got.State, want)
		}
	}
	if msg := bulk(url.Values{"action": {"assign"}, "assignee": {"admin"}, "case": {c.ID}}); !strings.Contains(msg, "1 件") {
		t.Errorf("assign: %q", msg)
	}
	if got, _ := h.store.GetCase(t.Context(), c.ID); got.Assignee != "admin" {
		t.Errorf("assignee %q", got.Assignee)
	}
	viewer := h.login("viewer", testPassword)
	w := h.postForm(viewer, "/cases/bulk", url.Values{"csrf_token": {h.csrfToken(viewer)}, "action": {"claim"}, "case": {c.ID}})
	htmlPage(t, w, http.StatusForbidden)
}

func TestTruncatedCaptureIsSaid(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	capID, err := h.store.PutCapture(ctx, adscan.Capture{ScanID: "s1", Target: "https://a.example/", RequestedURL: "https://a.example/big",
		FinalURL: "https://a.example/big", Status: 200, FetchedAt: h.now, BodySHA256: strings.Repeat("c", 64), BodySize: 8 << 20,
		Truncated: true, Text: "暑假班", TextSHA256: strings.Repeat("d", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if cp, err := h.store.GetCapture(ctx, capID); err != nil || !cp.Truncated || !cp.Meta().Truncated {
		t.Fatalf("stored capture: truncated %v, %v", cp.Truncated, err)
	}
	c, _, err := h.store.RecordFindings(ctx, adscan.FindingsInput{ScanID: "s1", Target: "https://a.example/", URL: "https://a.example/big",
		CaptureID: capID, Flags: []adscan.Flag{{Category: adscan.CategoryHolidayTraining, Score: 0.9, Evidence: []adscan.Evidence{{Text: "暑假班", Start: 0, End: len("暑假班")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/cases/" + c.ID, "/cases/" + c.ID + "/dossier"} {
		doc := htmlPage(t, h.do(request{method: "GET", path: path, user: "viewer"}), http.StatusOK)
		if got := doc.Find(".truncated").Text(); !strings.Contains(got, "8388608 字节处被截断") {
			t.Errorf("%s says %q of the truncation", path, got)
		}
	}
	detail := decode[struct {
		Captures []adscan.CaptureMeta `json:"captures"`
	}](t, h.do(request{method: "GET", path: "/api/cases/" + c.ID, user: "viewer"}))
	if len(detail.Captures) != 1 || !detail.Captures[0].Truncated {
		t.Errorf("the API's capture metadata: %+v", detail.Captures)
	}
}

func TestCaseTimelineMarksReappearance(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	c := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	if _, err := h.store.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, By: "reviewer", Note: "误报", DecidedAt: h.now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	capID, err := h.store.PutCapture(ctx, adscan.Capture{ScanID: "s2", Target: "https://a.example/", RequestedURL: "https://a.example/1",
		FinalURL: "https://a.example/1", Status: 200, FetchedAt: h.now.Add(48 * time.Hour), BodySHA256: strings.Repeat("e", 64),
		Text: "暑假班 again", TextSHA256: strings.Repeat("f", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.store.RecordFindings(ctx, adscan.FindingsInput{ScanID: "s2", Target: "https://a.example/", URL: "https://a.example/1",
		CaptureID: capID, Flags: []adscan.Flag{{Category: adscan.CategoryHolidayTraining, Score: 0.9, Evidence: []adscan.Evidence{{Text: "暑假班", End: len("暑假班")}}}}}); err != nil {
		t.Fatal(err)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, user: "viewer"}), http.StatusOK)
	if n := doc.Find("section.sightings .reappeared").Length(); n != 1 || !strings.Contains(doc.Find("section.sightings").Text(), "已变化") {
		t.Errorf("timeline: %d reappearance marks; %q", n, doc.Find("section.sightings").Text())
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/lexicon", user: "viewer"}), http.StatusOK)
	if doc.Find("table.groups tbody tr").Length() == 0 {
		t.Errorf("the lexicon page lists no term groups")
	}
	// Each rule is explained by its note (in 简体中文), not only its ID.
	row := doc.Find(`table.rules tbody tr`).First()
	if !strings.HasPrefix(row.Find("td").First().Text(), "ta-") || !strings.Contains(row.Find("td").Last().Text(), "学科") {
		t.Errorf("first rule row: %q", row.Text())
	}
}

// TestConsoleErrorsInChinese: bad input on the console is answered in
// 简体中文 alone (no English beneath), and the API answers the same request
// in English.
func TestConsoleErrorsInChinese(t *testing.T) {
	h := newHarness(t)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases?state=closed", user: "viewer"}), http.StatusBadRequest)
	if href := doc.Find(`.error-page a[href="/cases"]`).Text(); href != "清除条件，重新打开此页" {
		t.Errorf("no way back to the list from a bad filter: %q", href)
	}
	if got := doc.Find(".error-page p").First().Text(); got != "案件状态“closed”无效。" || doc.Find(".detail").Length() != 0 {
		t.Errorf("bad state on the console: %q / %q", got, doc.Find(".detail").Text())
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/cases/no-such-case", user: "viewer"}), http.StatusNotFound)
	if got := doc.Find(".error-page p").First().Text(); got != "找不到案件“no-such-case”。" {
		t.Errorf("unknown case on the console: %q", got)
	}
	wantError(t, h.do(request{method: "GET", path: "/api/cases/no-such-case", user: "viewer"}), http.StatusNotFound, `case "no-such-case" not found`)
}

// 由我承办 takes an undecided case; one a colleague holds only with 改由我承办
// (take_over), and a decided case not at all.
func TestClaimCase(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	done := h.seedCase("s1", "https://a.example/", "https://a.example/2", "中考状元", adscan.CategoryRanking)
	if _, err := h.store.DecideCase(t.Context(), done.ID, adscan.CaseDecision{Decision: adscan.DecisionDismiss, Note: "新闻", By: "admin", DecidedAt: h.now}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.AssignCases(t.Context(), []string{c.ID}, "admin", "admin"); err != nil {
		t.Fatal(err)
	}
	session := h.login("reviewer", testPassword)
	token := h.csrfToken(session)
	claim := func(id string, extra url.Values) *httptest.ResponseRecorder {
		v := url.Values{"csrf_token": {token}}
		for k, vs := range extra {
			v[k] = vs
		}
		return h.postForm(session, "/cases/"+id+"/claim", v)
	}
	page := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, cookies: []*http.Cookie{session}}), http.StatusOK)
	if page.Find(`form[action$="/claim"] button`).Text() != "改由我承办" {
		t.Errorf("claim button on a colleague's case: %q", page.Find(`form[action$="/claim"] button`).Text())
	}
	doc := htmlPage(t, claim(c.ID, nil), http.StatusConflict)
	if !strings.Contains(doc.Find(".error").Text(), "已由 admin 承办") {
		t.Errorf("claim of a colleague's case: %q", doc.Find(".error").Text())
	}
	wantStatus(t, claim(c.ID, url.Values{"take_over": {"1"}}), http.StatusSeeOther)
	if got, _ := h.store.GetCase(t.Context(), c.ID); got.Assignee != "reviewer" {
		t.Errorf("after 改由我承办 the case is %s's", got.Assignee)
	}
	doc = htmlPage(t, claim(done.ID, nil), http.StatusConflict)
	if !strings.Contains(doc.Find(".error").Text(), "无需承办") || doc.Find(`form[action$="/claim"]`).Length() != 0 {
		t.Errorf("claim of a decided case: %q", doc.Find(".error").Text())
	}
	if got, _ := h.store.GetCase(t.Context(), done.ID); got.Assignee != "" {
		t.Errorf("a decided case was taken on by %s", got.Assignee)
	}
	// In bulk as well.
	w := h.postForm(session, "/cases/bulk", url.Values{"csrf_token": {token}, "action": {"claim"}, "case": {done.ID}, "back": {"/cases"}})
	loc, _ := url.Parse(w.Header().Get("Location"))
	if msg := loc.Query().Get("notice"); !strings.Contains(msg, "已审核过") {
		t.Errorf("bulk claim of a decided case: %q", msg)
	}
	if got, _ := h.store.GetCase(t.Context(), done.ID); got.Assignee != "" {
		t.Errorf("a decided case was taken on in bulk by %s", got.Assignee)
	}
}

// A case page names its audit trail's actions in Chinese, and an open
// case's printable material does not call itself a referral.
func TestCasePageWording(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, user: "reviewer"}), http.StatusOK)
	if trail := doc.Find("ol li").Text(); !strings.Contains(trail, "立案") || strings.Contains(trail, "case.created") {
		t.Errorf("audit trail: %q; want 立案, not the action's code", trail)
	}
	if strings.Contains(doc.Find("p.downloads").Text(), "移送材料") {
		t.Errorf("an open case offers 移送材料: %q", doc.Find("p.downloads").Text())
	}
	d := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID + "/dossier", user: "reviewer"}), http.StatusOK)
	if h1 := d.Find("h1").Text(); !strings.Contains(h1, "未经审核确认") {
		t.Errorf("an open case's dossier heading: %q", h1)
	}
	if _, err := h.store.DecideCase(t.Context(), c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "reviewer", DecidedAt: h.now}); err != nil {
		t.Fatal(err)
	}
	d = htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID + "/dossier", user: "reviewer"}), http.StatusOK)
	if h1 := d.Find("h1").Text(); h1 != "校外培训违规广告移送材料" {
		t.Errorf("a confirmed case's dossier heading: %q", h1)
	}
}

// /referrals names an outbox delivery by its file, not by the server's path.
func TestReferralsPageHidesServerPaths(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://a.example/", "https://a.example/ad", "中考状元", adscan.CategoryRanking)
	if _, err := h.store.DecideCase(t.Context(), c.ID, adscan.CaseDecision{Decision: adscan.DecisionConfirm, By: "reviewer", DecidedAt: h.now}); err != nil {
		t.Fatal(err)
	}
	at := h.now
	if err := h.store.SaveReferral(t.Context(), adscan.Referral{CaseID: c.ID, Package: []byte("{}"), Destination: "/srv/adscan/outbox/" + c.ID + ".json", DeliveredAt: &at}); err != nil {
		t.Fatal(err)
	}
	row := htmlPage(t, h.do(request{method: "GET", path: "/referrals", user: "viewer"}), http.StatusOK).Find(`tr[data-case="` + c.ID + `"]`).Text()
	if !strings.Contains(row, "发件箱 "+c.ID+".json") || strings.Contains(row, "/srv/adscan") {
		t.Errorf("referral row: %q", row)
	}
}
