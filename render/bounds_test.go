package render

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

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
	t.Parallel()
	s := newSite(t, map[string]string{
		"/ok":         plainPage,
		"/while-load": `<!doctype html><meta charset="utf-8"><p>循环之前</p><script>while (true) {}</script><p>循环之后</p>`,
		"/after-load": `<!doctype html><meta charset="utf-8"><p>加载完成</p><script>onload = () => setTimeout(() => { for (;;) {} }, 0)</script>`,
		"/every-tick": `<!doctype html><meta charset="utf-8"><p>反复</p><script>setInterval(() => { const t = Date.now(); while (Date.now() - t < 5000) {} }, 1)</script>`,
	})
	cfg := testConfig(t)
	cfg.NavigationTimeout, cfg.PageTimeout = 3*time.Second, 10*time.Second
	p := newTestPool(t, cfg, s)
	for _, path := range []string{"/while-load", "/after-load", "/every-tick"} {
		t0 := time.Now()
		r, err := p.Render(context.Background(), s.URL+path)
		took := time.Since(t0)
		if took > cfg.PageTimeout+closeTimeout {
			t.Errorf("%s took %s", path, took)
		}
		switch {
		case path == "/every-tick" && errors.Is(err, ErrPageBusy):
			t.Logf("%s: %v after %s", path, err, took)
		case err != nil:
			t.Errorf("%s: %v after %s", path, err, took)
		case path == "/while-load" && (r.Incomplete == "" || !strings.Contains(r.Text, "循环之前")):
			t.Errorf("%s: incomplete %q, text %q", path, r.Incomplete, r.Text)
		default:
			t.Logf("%s: text %q, incomplete %q, after %s", path, r.Text, r.Incomplete, took)
		}
	}
	renderStillWorks(t, p, s)
}

// hugeDOM is a script that builds a DOM of about 50 MB (48 × 10,000
// paragraphs of 100 characters) inside the element with id "into".
const hugeDOM = `<script>
const chunk = ('<p>' + 'x'.repeat(100) + '</p>').repeat(10000);
for (let i = 0; i < 48; i++) document.getElementById('into').insertAdjacentHTML('beforeend', chunk);
</script>`

// largeDOM is the same, of about 6 MB.
var largeDOM = strings.Replace(hugeDOM, "i < 48", "i < 6", 1)

// hiddenHugePage holds a visible advert and, hidden, a 6 MB DOM.
var hiddenHugePage = `<!doctype html><meta charset="utf-8"><body><p>暑假班火热报名中</p>` +
	"<p>名校录取</p><p>名校录取</p><p>名校录取</p><p>名校录取</p><p>名校录取</p><p>名校录取</p><p>名校录取</p><p>名校录取</p>" +
	`<div id="into" style="display:none"></div>` + largeDOM + `</body>`

// TestHugeDOMIsCut: a DOM far over the cap that needs no layout (it is
// hidden) is read and cut at the caps, and marked so.
func TestHugeDOMIsCut(t *testing.T) {
	p, s, _ := sharedFixture(t)
	r, err := p.Render(context.Background(), s.URL+"/hidden")
	if err != nil {
		t.Fatal(err)
	}
	if !r.HTMLTruncated || len(r.HTML) > sharedMaxHTML || len(r.HTML) < sharedMaxHTML-3 {
		t.Errorf("HTML of %d bytes, truncated %v", len(r.HTML), r.HTMLTruncated)
	}
	if r.TextTruncated || !strings.HasPrefix(r.Text, "暑假班火热报名中") {
		t.Errorf("text of %d bytes, truncated %v: %.40q", len(r.Text), r.TextTruncated, r.Text)
	}
	t.Logf("a hidden 6 MB DOM read in %s", r.Duration)
}

// TestLongTextIsCut: visible text beyond MaxTextBytes is cut at a
// character boundary and marked.
func TestLongTextIsCut(t *testing.T) {
	p, s, _ := sharedFixture(t)
	s.handle("/long", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><meta charset=utf-8><p>"+strings.Repeat("暑假班", 10000)+"</p>")
	}))
	r, err := p.Render(context.Background(), s.URL+"/long")
	if err != nil {
		t.Fatal(err)
	}
	if !r.TextTruncated || len(r.Text) > sharedMaxText || len(r.Text) < sharedMaxText-3 || !utf8.ValidString(r.Text) {
		t.Errorf("text of %d bytes, truncated %v, valid UTF-8 %v", len(r.Text), r.TextTruncated, utf8.ValidString(r.Text))
	}
	if r.HTMLTruncated || r.ServedTruncated {
		t.Errorf("HTML truncated %v, served truncated %v", r.HTMLTruncated, r.ServedTruncated)
	}
}

// TestHugeDOMIsBounded: a visible 50 MB DOM keeps Chromium's main thread
// busy laying it out for tens of seconds; the page fails with ErrPageBusy
// within PageTimeout and the next page in the pool renders.
func TestHugeDOMIsBounded(t *testing.T) {
	t.Parallel()
	s := newSite(t, map[string]string{
		"/ok":   plainPage,
		"/huge": `<!doctype html><meta charset="utf-8"><body><div id="into"></div>` + hugeDOM + `</body>`,
	})
	cfg := testConfig(t)
	cfg.NavigationTimeout, cfg.PageTimeout = 3*time.Second, 8*time.Second
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

// TestFailuresCostOnePage: a renderer that crashes, a browser that is
// killed and a browser that stops answering each cost the page they hold
// (or are asked for); the next page renders, in a fresh browser where the
// old one is gone.
func TestFailuresCostOnePage(t *testing.T) {
	t.Parallel()
	s := newSite(t, map[string]string{"/ok": plainPage})
	p := newTestPool(t, testConfig(t), s)

	// The renderer crashes: the browser goes on.
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

	// The browser is killed while a page is open.
	pg, err = p.Open(context.Background(), s.URL+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.BrowsersStarted != 1 {
		t.Errorf("after a renderer crash: stats %+v, want the browser kept", st)
	}
	if err := syscall.Kill(pg.slot.b.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.Screenshot(context.Background()); !errors.Is(err, ErrCrashed) {
		t.Errorf("screenshot after the browser was killed: %v, want ErrCrashed", err)
	}
	pg.Close()
	renderStillWorks(t, p, s)
	if st := p.Stats(); st.Crashed != 1 || st.BrowsersStarted != 2 {
		t.Errorf("after a browser crash: stats %+v, want one crash and two browsers", st)
	}

	// The browser stops answering (SIGSTOP).
	if err := syscall.Kill(browserPID(t, p), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const hangTimeout = 3 * time.Second
	p.cfg.StartTimeout = hangTimeout // no other goroutine uses the pool now
	t0 := time.Now()
	_, err = p.Render(context.Background(), s.URL+"/ok")
	if !errors.Is(err, ErrBrowserHung) {
		t.Errorf("render in a stopped browser: %v, want ErrBrowserHung", err)
	}
	if took := time.Since(t0); took > hangTimeout+closeTimeout {
		t.Errorf("the hung browser held the page for %s", took)
	}
	p.cfg.StartTimeout = testConfig(t).StartTimeout
	renderStillWorks(t, p, s)
	if st := p.Stats(); st.BrowsersStarted != 3 || st.Failed != 1 || st.Hung != 1 || st.Crashed != 1 {
		t.Errorf("after a hang: stats %+v, want a third browser, one failed page, one hang, one crash", st)
	}
}

// TestBrowsersAreRecycled: after MaxPagesPerBrowser pages, and above the
// memory ceiling, a browser is replaced before the next page.
func TestBrowsersAreRecycled(t *testing.T) {
	t.Parallel()
	s := newSite(t, map[string]string{"/ok": plainPage})
	cfg := testConfig(t)
	cfg.MaxPagesPerBrowser = 1
	p := newTestPool(t, cfg, s)
	for range 2 {
		renderStillWorks(t, p, s)
	}
	if st := p.Stats(); st.RecycledPages != 1 || st.BrowsersStarted != 2 {
		t.Errorf("page limit: stats %+v", st)
	}
	p.cfg.MaxPagesPerBrowser, p.cfg.MaxBrowserMemory = 100, 1 // any browser is over; no other goroutine uses the pool now
	renderStillWorks(t, p, s)
	if st := p.Stats(); st.RecycledMemory != 1 || st.BrowsersStarted != 3 {
		t.Errorf("memory ceiling: stats %+v", st)
	}
}

// TestPageLifetime: a Page never closed is closed for its caller after
// HoldTimeout, so its browser serves the next page; Pool.Close closes open
// pages and refuses new ones.
func TestPageLifetime(t *testing.T) {
	t.Parallel()
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

	p.cfg.HoldTimeout = time.Minute // no other goroutine uses the pool now
	pg, err = p.Open(context.Background(), s.URL+"/ok")
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
