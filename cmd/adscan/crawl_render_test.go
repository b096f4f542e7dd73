package main

import (
	"errors"
	"os"
	"strings"
	"testing"

	"adscan/crawler/fakesite"
	"adscan/render"
)

// chromiumOrSkip returns the browser for the rendering tests, skipping
// the test with a message when there is none.
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	path, err := render.FindChromium(os.Getenv(envChromium))
	if errors.Is(err, render.ErrNoChromium) {
		t.Skipf("no Chromium, rendered crawling not tested: %v (apt-get install chromium, or set %s)", err, envChromium)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCrawlRenderJSON: the JS site's advert exists only once its scripts
// ran; a plain crawl flags nothing, --render flags it, with a screenshot.
func TestCrawlRenderJSON(t *testing.T) {
	chromium := chromiumOrSkip(t)
	site := fakesite.NewJSSite()
	defer site.Close()
	lines := func(out string) map[string]crawlPageJSON { return crawlLines(t, out) }
	args := []string{"crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--max-depth", "1", site.URL + "/"}
	code, out, errOut := runCrawlCmd(t, args...)
	if code != exitOK {
		t.Fatalf("plain crawl: exit %d; stderr:\n%s", code, errOut)
	}
	for u, p := range lines(out) {
		if len(p.Flags) > 0 || p.Rendered {
			t.Errorf("plain crawl: %s flagged %v (rendered %v)", u, p.Flags, p.Rendered)
		}
	}

	code, out, errOut = runCrawlCmd(t, append([]string{"crawl", "--render", "--chromium", chromium}, args[1:]...)...)
	if code != exitOK {
		t.Fatalf("rendered crawl: exit %d; stderr:\n%s", code, errOut)
	}
	got := lines(out)
	index := got[site.URL+"/"]
	if len(index.Flags) == 0 || !index.Rendered || len(index.ScreenshotSHA256) != 64 {
		t.Errorf("rendered index: %+v; want flagged, rendered, with a screenshot digest", index)
	}
	if _, ok := got[site.URL+fakesite.JSPathDetail]; !ok {
		t.Errorf("the script-built link was not followed: %v", got)
	}
	if site.Requested(fakesite.JSPathPrivate) != 0 {
		t.Errorf("robots.txt ignored by the rendered crawl")
	}
}

func TestCrawlRenderWithoutChromium(t *testing.T) {
	code, out, errOut := runCrawlCmd(t, "crawl", "--render", "--chromium", "/nonexistent/chromium", "--allow-private-targets", "http://127.0.0.1:9/")
	if code != exitFailure || out != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing crawled", code, out)
	}
	for _, want := range []string{"/nonexistent/chromium", "Chromium", "--chromium"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
