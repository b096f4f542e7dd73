package web

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"adscan"
)

// chromiumPath finds the browser for the browser tests: $ADSCAN_CHROMIUM,
// else chromium (Debian's package) or google-chrome on PATH. The tests skip
// with a message where there is none; CI installs Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ADSCAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: install Debian's chromium (apt-get install chromium fonts-noto-cjk) or set ADSCAN_CHROMIUM to run the browser tests")
	return ""
}

// newBrowser starts headless Chromium for one test. Every JavaScript
// dialog (alert, confirm) it opens is counted and dismissed.
func newBrowser(t *testing.T) (context.Context, *atomic.Int32) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "zh-CN"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	var dialogs atomic.Int32
	events := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return ctx, &dialogs
}

// screenshot saves a full-page PNG to $ADSCAN_SCREENSHOTS/name.png when
// that variable names a directory (to look at the console), else nothing.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ADSCAN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// TestBrowserTriage walks a reviewer's day in real Chromium: sign in,
// filter the queue, open a case and see its evidence marked, confirm it
// with the keyboard, find it under referrals and open its dossier. Crawled
// markup in the page's text shows as text and opens no dialog; a form
// posted without its CSRF token is refused.
func TestBrowserTriage(t *testing.T) {
	h := newHarness(t)
	h.now = time.Now()
	hostile := h.seedCase("s1", "https://a.example/", "https://a.example/summer", hostileText, adscan.CategoryHolidayTraining)
	h.seedCase("s1", "https://a.example/", "https://a.example/rank", "中考状元榜：本校学员包揽前十名", adscan.CategoryRanking)
	h.seedCase("s2", "https://b.example/", "https://b.example/", "提前学下学期课程，抢跑一学期", adscan.CategoryAdvanceTeaching)
	if _, err := h.store.UpsertTarget(t.Context(), adscan.Target{URL: "https://a.example/", Name: "某某教育（测试）", Region: "海淀区"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.srv.Handler())
	defer srv.Close()
	ctx, dialogs := newBrowser(t)
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}

	// Sign in: the queue sends an anonymous visitor to the login page and back.
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/cases"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "reviewer"),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`table.cases`)),
	)
	if err != nil {
		t.Fatalf("sign in to the queue: %v", err)
	}
	if heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`))); err != nil || !strings.Contains(heading, "案件队列") {
		t.Fatalf("after signing in: %q, %v", heading, err)
	}
	screenshot(t, ctx, "queue")

	// Filter the queue by category.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name=category]`), string(adscan.CategoryHolidayTraining)),
		chromedp.Submit(chromedp.CSS(`select[name=category]`)),
		chromedp.WaitVisible(chromedp.CSS(`.tabs a[href*="category=holiday_training"]`)),
	)
	if err != nil || count("table.cases tbody tr") != 1 {
		t.Fatalf("filter by category: %v, %d rows", err, count("table.cases tbody tr"))
	}

	// Open the case: the evidence is marked, the crawled markup is text.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`table.cases tbody tr a`)),
		chromedp.WaitVisible(chromedp.CSS(`.captured-text mark`)),
	)
	if err != nil {
		t.Fatalf("open the case: %v", err)
	}
	if marked, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.captured-text mark`))); err != nil || marked != hostileText {
		t.Fatalf("marked evidence %q, %v", marked, err)
	}
	if n := count("main img, .captured-text script, .captured-text img"); n != 0 {
		t.Fatalf("%d elements made from crawled markup", n)
	}
	screenshot(t, ctx, "case")

	// A form posted without its CSRF token is refused.
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/cases/`+hostile.ID+`/decision", {method: "POST",
		headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "decision=confirm"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 403 {
		t.Fatalf("decision without CSRF token: %v, status %d", err, status)
	}

	// Confirm with the keyboard: c alone only arms it (a stray keypress
	// refers nothing), Enter takes it.
	err = chromedp.Do(ctx, chromedp.KeyEvent("c"), chromedp.Sleep(300*time.Millisecond))
	if err != nil {
		t.Fatalf("press c: %v", err)
	}
	if c, err := h.store.GetCase(t.Context(), hostile.ID); err != nil || c.State != adscan.CaseOpen {
		t.Fatalf("after pressing c alone: %+v, %v; want it still open", c.State, err)
	}
	err = chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Enter),
		// The oldest case has no next one waiting: the page comes back, confirmed.
		chromedp.WaitVisible(chromedp.CSS(`h1 .state-confirmed`)),
	)
	if err != nil {
		t.Fatalf("confirm with c: %v", err)
	}
	if c, err := h.store.GetCase(t.Context(), hostile.ID); err != nil || c.State != adscan.CaseConfirmed || c.Decision.By != "reviewer" {
		t.Fatalf("after pressing c: %+v, %v", c, err)
	}

	// Find it under referrals and open its dossier.
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/referrals"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-case="`+hostile.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`tr[data-case="`+hostile.ID+`"] a[href$="/dossier"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.dossier`)),
	)
	if err != nil {
		t.Fatalf("referrals to dossier: %v", err)
	}
	dossier, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`article.dossier`)))
	if err != nil || !strings.Contains(dossier, "确认违规") || !strings.Contains(dossier, "某某教育（测试）") {
		t.Fatalf("dossier: %v; %q", err, dossier)
	}
	screenshot(t, ctx, "dossier")

	// The dashboard draws its charts with the figures beside them.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`svg.bars`))); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	if n := count("#chart-categories rect.bar"); n != 2 {
		t.Errorf("dashboard draws %d category bars, want the 2 open categories", n)
	}
	screenshot(t, ctx, "dashboard")

	// A reviewer cannot reach /admin/users, and sees the register without its forms.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin/users"), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
		t.Fatalf("admin page: %v", err)
	}
	if h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`))); h1 != "没有权限" || count("table.user-list") != 0 {
		t.Errorf("a reviewer on /admin/users sees %q", h1)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/targets"), chromedp.WaitVisible(chromedp.CSS(`table.target-list`))); err != nil {
		t.Fatalf("targets page: %v", err)
	}
	if n := count("form[action='/targets'], form[action='/targets/import'], input[name=target]"); n != 0 {
		t.Errorf("a reviewer gets %d register forms", n)
	}

	// Dismiss a false flag and propose its phrase as an exception on that
	// site; a regulator approves it on /lexicon: a new lexicon version with
	// the entry is in force (the next scan classifies with it — see
	// cmd/adscan's TestStoreClassifiersFollowApprovedVersions).
	rank, err := h.store.ListCases(t.Context(), adscan.CaseFilter{Category: adscan.CategoryRanking})
	if err != nil || len(rank) != 1 {
		t.Fatalf("the ranking case: %v, %v", rank, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/cases/"+rank[0].ID),
		chromedp.WaitVisible(chromedp.CSS(`#decision-form`)),
		chromedp.Click(chromedp.CSS(`details.propose summary`)),
		chromedp.Click(chromedp.CSS(`details.propose input[name=propose]`)),
		chromedp.SetValue(chromedp.CSS(`details.propose input[name=phrase]`), "中考状元榜"),
		chromedp.SendKeys(chromedp.CSS(`#note`), "学校公告，不是培训广告"),
		chromedp.Click(chromedp.CSS(`#decide-dismiss`)),
		// no older case waits for review: the case comes back, dismissed
		chromedp.WaitVisible(chromedp.CSS(`h1 .state-dismissed`)),
	)
	if err != nil {
		t.Fatalf("dismiss with a proposal: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, _ := h.store.GetCase(t.Context(), rank[0].ID)
		if c.State == adscan.CaseDismissed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after dismissing: %s", c.State)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "regulator"),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`.tiles`)), // signed in: the dashboard
		chromedp.Navigate(srv.URL+"/lexicon"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-proposal] button[value=approve]`)),
		chromedp.Click(chromedp.CSS(`tr[data-proposal] button[value=approve]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if err != nil {
		t.Fatalf("approve the proposal: %v", err)
	}
	screenshot(t, ctx, "lexicon")
	v, err := h.store.ActiveLexicon(t.Context())
	if err != nil || !strings.Contains(string(v.YAML), "中考状元榜") || !strings.Contains(string(v.YAML), "a.example") {
		t.Errorf("the lexicon in force after approval: %v\n%.300s", err, v.YAML)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened: crawled text ran as script", n)
	}
}

// TestBrowserPhoneWidth: on a phone's width (390 px) every page of the
// console fits: nothing makes the page scroll sideways (wide tables scroll
// inside their own box), so a reviewer on a phone reads and decides
// without panning.
func TestBrowserPhoneWidth(t *testing.T) {
	h := newHarness(t)
	h.now = time.Now()
	long := "https://jigou-with-a-rather-long-host-name-0001.example.cn/course/summer/2026/mathematics/grade-7.html"
	c := h.seedCase("s1", "https://jigou-with-a-rather-long-host-name-0001.example.cn/", long,
		"暑假数学提前学初二内容，名师一对一辅导，报名热线 010-12345678", adscan.CategoryHolidayTraining)
	if _, err := h.store.UpsertTarget(t.Context(), adscan.Target{URL: "https://jigou-with-a-rather-long-host-name-0001.example.cn/", Name: "某某教育（测试）", Region: "海淀区"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.srv.Handler())
	defer srv.Close()
	ctx, _ := newBrowser(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`header.top nav`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, path := range []string{"/", "/cases", "/cases/" + c.ID, "/referrals", "/targets", "/profiles", "/scans", "/schedules", "/lexicon", "/admin/users"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main section`))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if wide > 0 {
			t.Errorf("%s is %d px wider than a 390 px phone", path, wide)
		}
		screenshot(t, ctx, "phone"+strings.ReplaceAll(path, "/", "-"))
	}
}
