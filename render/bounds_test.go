package render

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// plainPage is a page any healthy pool renders.
const plainPage = `<!doctype html><meta charset="utf-8"><title>ok</title><p>课程表</p>`

// renderStillWorks checks that the pool renders a plain page after whatever
// the test did to it.
func renderStillWorks(t *testing.T, p *Pool, s *site) {
	t.Helper()
	r, err := p.Render(context.Background(), s.URL+"/ok")
	if err != nil {
		t.Fatalf("the next page: %v", err)
	}
	if r.Text != "课程表" {
		t.Fatalf("the next page's text %q", r.Text)
	}
}

// TestEndlessScriptIsBounded: a script that never returns, while the page
// loads or after it has loaded, costs at most PageTimeout; the page is read
// as it stands, and the next page in the same pool renders.
func TestEndlessScriptIsBounded(t *testing.T) {
	s := newSite(t, map[string]string{
		"/ok":         plainPage,
		"/while-load": `<!doctype html><meta charset="utf-8"><p>循环之前</p><script>while (true) {}</script><p>循环之后</p>`,
		"/after-load": `<!doctype html><meta charset="utf-8"><p>加载完成</p><script>onload = () => setTimeout(() => { for (;;) {} }, 0)</script>`,
		"/every-tick": `<!doctype html><meta charset="utf-8"><p>反复</p><script>setInterval(() => { const t = Date.now(); while (Date.now() - t < 5000) {} }, 1)</script>`,
	})
	cfg := testConfig(t)
	cfg.NavigationTimeout, cfg.PageTimeout = 2*time.Second, 8*time.Second
	p := newTestPool(t, cfg, s)
	for _, path := range []string{"/while-load", "/after-load", "/every-tick"} {
		t0 := time.Now()
		r, err := p.Render(context.Background(), s.URL+path)
		took := time.Since(t0)
		if took > cfg.PageTimeout+closeTimeout {
			t.Errorf("%s took %s", path, took)
		}
		switch {
		case err != nil:
			t.Logf("%s: %v after %s", path, err, took)
		case path == "/while-load" && (r.Incomplete == "" || !strings.Contains(r.Text, "循环之前")):
			t.Errorf("%s: incomplete %q, text %q", path, r.Incomplete, r.Text)
		default:
			t.Logf("%s: text %q, incomplete %q, after %s", path, r.Text, r.Incomplete, took)
		}
		renderStillWorks(t, p, s)
	}
}

// hugeDOM is a script that builds a DOM of about 50 MB (48 × 10,000
// paragraphs of 100 characters) inside the element it is given.
const hugeDOM = `<script>
const chunk = ('<p>' + 'x'.repeat(100) + '</p>').repeat(10000);
for (let i = 0; i < 48; i++) document.getElementById('into').insertAdjacentHTML('beforeend', chunk);
</script>`

// TestHugeDOMIsCut: a 50 MB DOM that needs no layout (it is hidden) is
// read and cut at the caps, and marked so.
func TestHugeDOMIsCut(t *testing.T) {
	s := newSite(t, map[string]string{
		"/hidden": `<!doctype html><meta charset="utf-8"><body><p>暑假班火热报名中</p>` + strings.Repeat("<p>名校录取</p>", 2000) +
			`<div id="into" style="display:none"></div>` + hugeDOM + `</body>`,
	})
	cfg := testConfig(t)
	cfg.MaxHTMLBytes, cfg.MaxTextBytes = 1<<20, 10000
	p := newTestPool(t, cfg, s)
	r, err := p.Render(context.Background(), s.URL+"/hidden")
	if err != nil {
		t.Fatal(err)
	}
	if !r.HTMLTruncated || len(r.HTML) > cfg.MaxHTMLBytes || len(r.HTML) < cfg.MaxHTMLBytes-3 {
		t.Errorf("HTML of %d bytes, truncated %v", len(r.HTML), r.HTMLTruncated)
	}
	if !r.TextTruncated || len(r.Text) > cfg.MaxTextBytes || !strings.HasPrefix(r.Text, "暑假班火热报名中") {
		t.Errorf("text of %d bytes, truncated %v: %.40q", len(r.Text), r.TextTruncated, r.Text)
	}
	if r.ServedTruncated || len(r.Served) < 20000 {
		t.Errorf("served %d bytes, truncated %v", len(r.Served), r.ServedTruncated)
	}
	t.Logf("a hidden 50 MB DOM read in %s", r.Duration)
}

// TestHugeDOMIsBounded: a visible 50 MB DOM keeps Chromium's main thread
// busy laying it out for tens of seconds; the page fails with ErrPageBusy
// within PageTimeout and the next page in the pool renders.
func TestHugeDOMIsBounded(t *testing.T) {
	s := newSite(t, map[string]string{
		"/ok":   plainPage,
		"/huge": `<!doctype html><meta charset="utf-8"><body><div id="into"></div>` + hugeDOM + `</body>`,
	})
	cfg := testConfig(t)
	cfg.NavigationTimeout, cfg.PageTimeout = 2*time.Second, 6*time.Second
	p := newTestPool(t, cfg, s)
	t0 := time.Now()
	r, err := p.Render(context.Background(), s.URL+"/huge")
	took := time.Since(t0)
	switch {
	case err == nil:
		t.Logf("the huge DOM was read after all (a fast machine): HTML %d bytes, truncated %v", len(r.HTML), r.HTMLTruncated)
	case !errors.Is(err, ErrPageBusy) && !errors.Is(err, context.DeadlineExceeded):
		t.Errorf("huge DOM: %v, want ErrPageBusy", err)
	default:
		t.Logf("huge DOM: %v after %s", err, took)
	}
	if took > cfg.PageTimeout+closeTimeout {
		t.Errorf("the huge DOM took %s", took)
	}
	renderStillWorks(t, p, s)
}

// browserPID returns the pid of the pool's only browser.
func browserPID(t *testing.T, p *Pool) int {
	t.Helper()
	s := <-p.slots
	defer func() { p.slots <- s }()
	if s.b == nil {
		t.Fatal("no browser running")
	}
	return s.b.pid
}

// TestBrowserCrashCostsOnePage: killing the browser fails the page open in
// it (and one being opened), and the next page gets a fresh browser.
func TestBrowserCrashCostsOnePage(t *testing.T) {
	s := newSite(t, map[string]string{"/ok": plainPage})
	p := newTestPool(t, testConfig(t), s)
	pg, err := p.Open(context.Background(), s.URL+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	pid := pg.slot.b.pid
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err = pg.Screenshot(context.Background())
	if !errors.Is(err, ErrCrashed) {
		t.Errorf("screenshot after the crash: %v, want ErrCrashed", err)
	}
	pg.Close()
	renderStillWorks(t, p, s)
	if st := p.Stats(); st.Crashed != 1 || st.BrowsersStarted != 2 {
		t.Errorf("stats %+v, want one crash and two browsers", st)
	}
}

// TestRendererCrashCostsOnePage: a tab whose renderer crashes fails; the
// browser goes on.
func TestRendererCrashCostsOnePage(t *testing.T) {
	s := newSite(t, map[string]string{"/ok": plainPage})
	p := newTestPool(t, testConfig(t), s)
	pg, err := p.Open(context.Background(), s.URL+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(pg.ctx, time.Second)
	chromedp.Call(ctx, page.Crash, cdp.Empty{}) // answers only by crashing
	cancel()
	if _, err := pg.Screenshot(context.Background()); !errors.Is(err, ErrCrashed) {
		t.Errorf("screenshot of a crashed tab: %v, want ErrCrashed", err)
	}
	pg.Close()
	renderStillWorks(t, p, s)
	if st := p.Stats(); st.BrowsersStarted != 1 {
		t.Errorf("stats %+v, want the browser kept", st)
	}
}

// TestHungBrowserIsReplaced: a browser that stops answering (here: stopped
// with SIGSTOP) costs the page it was asked for, and is killed; the next
// page gets a fresh browser.
func TestHungBrowserIsReplaced(t *testing.T) {
	s := newSite(t, map[string]string{"/ok": plainPage})
	cfg := testConfig(t)
	cfg.StartTimeout = 3 * time.Second
	p := newTestPool(t, cfg, s)
	renderStillWorks(t, p, s)
	if err := syscall.Kill(browserPID(t, p), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	_, err := p.Render(context.Background(), s.URL+"/ok")
	if !errors.Is(err, ErrBrowserHung) {
		t.Errorf("render in a stopped browser: %v, want ErrBrowserHung", err)
	}
	if took := time.Since(t0); took > cfg.StartTimeout+closeTimeout {
		t.Errorf("the hung browser held the page for %s", took)
	}
	renderStillWorks(t, p, s)
	if st := p.Stats(); st.BrowsersStarted != 2 {
		t.Errorf("stats %+v, want a second browser", st)
	}
}

// TestBrowsersAreRecycled: after MaxPagesPerBrowser pages, and above the
// memory ceiling, a browser is replaced before the next page.
func TestBrowsersAreRecycled(t *testing.T) {
	s := newSite(t, map[string]string{"/ok": plainPage})
	cfg := testConfig(t)
	cfg.MaxPagesPerBrowser = 2
	p := newTestPool(t, cfg, s)
	for range 3 {
		renderStillWorks(t, p, s)
	}
	if st := p.Stats(); st.RecycledPages != 1 || st.BrowsersStarted != 2 {
		t.Errorf("page limit: stats %+v", st)
	}

	cfg.MaxPagesPerBrowser, cfg.MaxBrowserMemory = 0, 1 // any browser is over
	p = newTestPool(t, cfg, s)
	for range 2 {
		renderStillWorks(t, p, s)
	}
	if st := p.Stats(); st.RecycledMemory != 1 || st.BrowsersStarted != 2 {
		t.Errorf("memory ceiling: stats %+v", st)
	}
}

// TestHoldTimeoutReleasesThePage: a Page never closed is closed for its
// caller, so its browser serves the next page.
func TestHoldTimeoutReleasesThePage(t *testing.T) {
	s := newSite(t, map[string]string{"/ok": plainPage})
	cfg := testConfig(t)
	cfg.HoldTimeout = 300 * time.Millisecond
	p := newTestPool(t, cfg, s)
	pg, err := p.Open(context.Background(), s.URL+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	renderStillWorks(t, p, s) // waits for the only browser
	if _, err := pg.Screenshot(context.Background()); !errors.Is(err, ErrPageClosed) {
		t.Errorf("screenshot after the hold timeout: %v, want ErrPageClosed", err)
	}
}

// TestPoolClose closes open pages and refuses new ones.
func TestPoolClose(t *testing.T) {
	s := newSite(t, map[string]string{"/ok": plainPage})
	p := newTestPool(t, testConfig(t), s)
	pg, err := p.Open(context.Background(), s.URL+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.Screenshot(context.Background()); !errors.Is(err, ErrPageClosed) {
		t.Errorf("screenshot after Pool.Close: %v", err)
	}
	if _, err := p.Open(context.Background(), s.URL+"/ok"); !errors.Is(err, ErrPoolClosed) {
		t.Errorf("open after Close: %v", err)
	}
}
