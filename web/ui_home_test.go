package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"adscan"
)

// Each figure of the dashboard's tiles and category table is the length of
// the list it links to: open cases and escalated ones apart, the overdue
// ones under the overdue filter.
func TestDashboardFiguresMatchTheirLists(t *testing.T) {
	h := newHarness(t)
	a := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班火热报名", adscan.CategoryHolidayTraining)
	h.seedCase("s1", "https://a.example/", "https://a.example/2", "寒假班火热报名", adscan.CategoryHolidayTraining)
	if _, err := h.store.DecideCase(t.Context(), a.ID, adscan.CaseDecision{Decision: adscan.DecisionEscalate, By: "reviewer", DecidedAt: h.now}); err != nil {
		t.Fatal(err)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/", user: "viewer"}), http.StatusOK)
	listed := func(href string) int {
		t.Helper()
		return len(decode[[]adscan.Case](t, h.do(request{method: "GET", path: "/api" + href, user: "viewer"})))
	}
	n := 0
	doc.Find(".tiles a.tile").Each(func(_ int, tile *goquery.Selection) {
		href, _ := tile.Attr("href")
		figure := strings.TrimSpace(tile.Find(".n").Text())
		if want := listed(href); figure != itoa64(int64(want)) {
			t.Errorf("tile %q shows %s, its list %s has %d", tile.Text(), figure, href, want)
		}
		n++
	})
	doc.Find("table.figures a").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		if !strings.HasPrefix(href, "/cases?") {
			return
		}
		figure := strings.TrimSpace(a.Closest("tr").Find("td").Last().Text())
		if want := listed(href); figure != itoa64(int64(want)) {
			t.Errorf("row %q shows %s, its list %s has %d", a.Text(), figure, href, want)
		}
		n++
	})
	if n < 4 {
		t.Errorf("only %d linked figures on the dashboard", n)
	}
}
