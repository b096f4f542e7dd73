package evidence

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"adscan/evidence/evidencetest"
)

// envReplayWebPage names the directory holding the npm package
// replaywebpage (its ui.js and sw.js), as .ci/run unpacks it.
const envReplayWebPage = "ADSCAN_TEST_REPLAYWEBPAGE"

// bodyOnly matches a filler line of evidencetest.Case's archived bodies.
var bodyOnly = regexp.MustCompile(`第\d+课 [0-9a-f]{8}`)

// TestReplayWebPageOpensPackage serves one of our packages next to
// ReplayWeb.page (the web-archiving community's viewer, which we did not
// write), opens it in headless Chromium and waits for the archived page's
// text to show: the viewer found the page in pages.jsonl and the index,
// and replayed its response record.
func TestReplayWebPageOpensPackage(t *testing.T) {
	dir := os.Getenv(envReplayWebPage)
	if dir == "" {
		t.Skipf("$%s is not set: it names the unpacked npm package replaywebpage (npm pack replaywebpage@2.5.3, as .ci/run does)", envReplayWebPage)
	}
	for _, f := range []string{"ui.js", "sw.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Skipf("replaywebpage is not unpacked under $%s=%s: %v", envReplayWebPage, dir, err)
		}
	}
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("no Chromium: install Debian's chromium to open packages in ReplayWeb.page")
	}

	in := testInput(t, 1, 2_000, 0)
	pkg := build(t, in, Signer{Key: testKey(1)})
	mux := http.NewServeMux()
	mux.Handle("/replay/", http.StripPrefix("/replay/", http.FileServer(http.Dir(dir))))
	mux.HandleFunc("/case.wacz", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "case.wacz", time.Time{}, bytes.NewReader(pkg)) // with Range, as the viewer asks
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><script src="/replay/ui.js"></script></head><body>
<replay-web-page style="height:600px;width:100%;display:block" source="/case.wacz" url="` + in.Case.URL + `" replayBase="/replay/" embed="replayonly"></replay-web-page>
</body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox)...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("open the viewer: %v", err)
	}
	// The archived page is in an iframe inside the viewer's shadow DOM:
	// gather the text of every same-origin document and shadow root.
	const allText = `(() => {
		const out = [];
		const walk = (root) => {
			if (!root) return;
			if (root.body) out.push(root.body.innerText || "");
			root.querySelectorAll("*").forEach((el) => {
				if (el.shadowRoot) walk(el.shadowRoot);
				if (el.tagName === "IFRAME") { try { walk(el.contentDocument); } catch (e) {} }
			});
		};
		walk(document);
		return out.join("\n");
	})()`
	var text string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		text, err = chromedp.Run(ctx, chromedp.Evaluate[string](allText))
		// The filler lines are in the archived body only (not in the
		// capture's text nor in pages.jsonl): seeing them is a replay of
		// the response record.
		if err == nil && strings.Contains(text, evidencetest.Page) && bodyOnly.MatchString(text) {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("ReplayWeb.page did not show the archived page's text %q within 60 s; it shows:\n%.2000s", evidencetest.Page, text)
}
