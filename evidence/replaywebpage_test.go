package evidence

import (
	"regexp"
	"strings"
	"testing"

	"adscan/evidence/evidencetest"
)

// bodyOnly matches a filler line of evidencetest.Case's archived bodies.
var bodyOnly = regexp.MustCompile(`第\d+课 [0-9a-f]{8}`)

// TestReplayWebPageOpensPackage serves one of our packages next to
// ReplayWeb.page (the web-archiving community's viewer, which we did not
// write), opens it in headless Chromium and waits for the archived page's
// text to show: the viewer found the page in pages.jsonl and the index,
// and replayed its response record.
func TestReplayWebPageOpensPackage(t *testing.T) {
	dir, chromium := evidencetest.ReplayWebPage(t)
	in := testInput(t, 1, 2_000, 0)
	pkg := build(t, in, Signer{Key: testKey(1)})
	// The filler lines are in the archived body only (not in the
	// capture's text nor in pages.jsonl): seeing them is a replay of the
	// response record.
	evidencetest.ReplayShows(t, dir, chromium, pkg, in.Case.URL, func(text string) bool {
		return strings.Contains(text, evidencetest.Page) && bodyOnly.MatchString(text)
	})
}
