package evidencetest

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Readers we did not write, for tests of our packages: the npm package
// warcio (its WARC parser and CDXJ indexer) and ReplayWeb.page (the
// viewer) in headless Chromium. .ci/run installs both; without them the
// tests that use them skip, saying what is missing.

// EnvWarcio names the npm prefix where .ci/run installs warcio
// (npm install --prefix DIR warcio@VERSION).
const EnvWarcio = "ADSCAN_TEST_WARCIO"

// EnvReplayWebPage names the directory holding the npm package
// replaywebpage (its ui.js and sw.js), as .ci/run unpacks it.
const EnvReplayWebPage = "ADSCAN_TEST_REPLAYWEBPAGE"

//go:embed warcio_read.cjs
var warcioRead []byte

// Warcio returns node and the npm prefix holding warcio, or skips the test.
func Warcio(t testing.TB) (node, prefix string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: this test reads our WARC with the npm package warcio (.ci/run installs both)")
	}
	prefix = os.Getenv(EnvWarcio)
	if prefix == "" {
		t.Skipf("$%s is not set: it names the npm prefix where warcio is installed (npm install --prefix DIR warcio@2.4.11, as .ci/run does)", EnvWarcio)
	}
	if _, err := os.Stat(filepath.Join(prefix, "node_modules", "warcio", "package.json")); err != nil {
		t.Skipf("warcio is not installed under $%s=%s: %v", EnvWarcio, prefix, err)
	}
	return node, prefix
}

// WarcioRecord is one record as warcio's parser read it: where it found
// it, what it is, and whether its digests hold (recomputed by node).
type WarcioRecord struct {
	Offset, Length  int64
	Type, ID, URI   string
	BlockDigestOK   bool
	PayloadDigestOK *bool // nil: the record has no payload digest
}

// WarcioRead has warcio's parser read every record of the WARC file warc
// (with node and prefix from Warcio) and returns them in order; a failure
// of the reader fails the test.
func WarcioRead(t testing.TB, node, prefix, warc string) []WarcioRecord {
	t.Helper()
	script := filepath.Join(t.TempDir(), "warcio_read.cjs")
	if err := os.WriteFile(script, warcioRead, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, script, prefix, warc).Output()
	if err != nil {
		t.Fatalf("node warcio_read.cjs: %v\n%s", err, StderrOf(err))
	}
	var got []WarcioRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r WarcioRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("warcio output %q: %v", sc.Text(), err)
		}
		got = append(got, r)
	}
	return got
}

// StderrOf returns the standard error of a command that failed, if kept.
func StderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}

// ReplayWebPage returns the unpacked replaywebpage package's directory and
// Chromium's path, or skips the test.
func ReplayWebPage(t testing.TB) (dir, chromium string) {
	t.Helper()
	dir = os.Getenv(EnvReplayWebPage)
	if dir == "" {
		t.Skipf("$%s is not set: it names the unpacked npm package replaywebpage (npm pack replaywebpage@2.5.3, as .ci/run does)", EnvReplayWebPage)
	}
	for _, f := range []string{"ui.js", "sw.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Skipf("replaywebpage is not unpacked under $%s=%s: %v", EnvReplayWebPage, dir, err)
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return dir, p
		}
	}
	t.Skip("no Chromium: install Debian's chromium to open packages in ReplayWeb.page")
	return "", ""
}

// allText gathers the text of every same-origin document and shadow root:
// the archived page is in an iframe inside the viewer's shadow DOM.
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

// ReplayShows serves the WACZ package pkg next to ReplayWeb.page (dir,
// from ReplayWebPage), opens the archived page pageURL in headless
// Chromium and waits up to a minute for shown to accept the text the
// viewer shows. It fails the test, with that text, if shown never does.
func ReplayShows(t testing.TB, dir, chromium string, pkg []byte, pageURL string, shown func(text string) bool) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/replay/", http.StripPrefix("/replay/", http.FileServer(http.Dir(dir))))
	mux.HandleFunc("/case.wacz", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "case.wacz", time.Time{}, bytes.NewReader(pkg)) // with Range, as the viewer asks
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><script src="/replay/ui.js"></script></head><body>
<replay-web-page style="height:600px;width:100%;display:block" source="/case.wacz" url="` + pageURL + `" replayBase="/replay/" embed="replayonly"></replay-web-page>
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
	var text string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](allText))
		if err == nil {
			text = got
			if shown(text) {
				return
			}
		}
	}
	t.Fatalf("ReplayWeb.page did not show the archived page %s as wanted within 60 s; it shows:\n%.2000s", pageURL, text)
}
