package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"adscan"
	"adscan/lexicon"
)

// TestAllowProposalFlow: a reviewer dismisses a false flag and proposes
// its phrase as an exception on that site; a regulator approves it on
// /lexicon, which stores a new lexicon version with the entry; reviewers
// cannot approve, and a decided proposal cannot be decided again.
func TestAllowProposalFlow(t *testing.T) {
	h := newHarness(t)
	c := h.seedCase("s1", "https://news.example/", "https://News.example/a/1", "暑假班火热报名", adscan.CategoryHolidayTraining)
	form := func(session *http.Cookie, path string, v url.Values) *httptest.ResponseRecorder {
		return h.do(request{method: "POST", path: path, body: v.Encode(), cookies: []*http.Cookie{session},
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	}
	reviewer := h.login("reviewer", testPassword)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, cookies: []*http.Cookie{reviewer}}), http.StatusOK)
	if doc.Find("details.propose input[name=phrase]").AttrOr("value", "") != "暑假班火热报名" || !strings.Contains(doc.Find("details.propose").Text(), "news.example") {
		t.Fatalf("proposal fields: %q", doc.Find("details.propose").Text())
	}
	token := doc.Find("#decision-form input[name=csrf_token]").AttrOr("value", "")
	w := form(reviewer, "/cases/"+c.ID+"/decision", url.Values{"csrf_token": {token}, "decision": {"dismiss"}, "note": {"新闻报道，不是广告"},
		"propose": {"1"}, "phrase": {"暑假班"}, "propose_category": {"holiday_training"}})
	wantStatus(t, w, http.StatusSeeOther)
	pending, err := h.store.ListAllowProposals(t.Context(), adscan.ProposalPending)
	if err != nil || len(pending) != 1 || pending[0].Phrase != "暑假班" || pending[0].Site != "news.example" || pending[0].ProposedBy != "reviewer" {
		t.Fatalf("pending proposals %+v, %v", pending, err)
	}
	id := pending[0].ID

	// A reviewer sees the proposal but cannot approve it.
	doc = htmlPage(t, h.do(request{method: "GET", path: "/lexicon", cookies: []*http.Cookie{reviewer}}), http.StatusOK)
	if doc.Find("tr[data-proposal]").Length() != 1 || doc.Find("tr[data-proposal] form").Length() != 0 {
		t.Errorf("reviewer's lexicon page: %d proposals, %d forms", doc.Find("tr[data-proposal]").Length(), doc.Find("tr[data-proposal] form").Length())
	}
	htmlPage(t, form(reviewer, "/lexicon/proposals/"+itoa64(id), url.Values{"csrf_token": {token}, "decision": {"approve"}}), http.StatusForbidden)

	regulator := h.login("regulator", testPassword)
	rdoc := htmlPage(t, h.do(request{method: "GET", path: "/lexicon", cookies: []*http.Cookie{regulator}}), http.StatusOK)
	rtoken := rdoc.Find("tr[data-proposal] input[name=csrf_token]").AttrOr("value", "")
	w = form(regulator, "/lexicon/proposals/"+itoa64(id), url.Values{"csrf_token": {rtoken}, "decision": {"approve"}})
	wantStatus(t, w, http.StatusSeeOther)
	v, err := h.store.ActiveLexicon(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	lex, err := lexicon.Parse(v.YAML, "stored")
	if err != nil {
		t.Fatal(err)
	}
	last := lex.Allow[len(lex.Allow)-1]
	if last.Phrase != "暑假班" || last.Site != "news.example" || len(last.Categories) != 1 || !strings.Contains(lex.Version, "-allow.1") || v.CreatedBy != "regulator" {
		t.Errorf("stored lexicon: version %s, last allow entry %+v", lex.Version, last)
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/lexicon?done=approved", cookies: []*http.Cookie{regulator}}), http.StatusOK)
	if !strings.Contains(doc.Find(".notice").Text(), "已生效") || !strings.Contains(doc.Find("section.lexicon").Text(), "-allow.1") {
		t.Errorf("after approval: %q", doc.Find("main").Text())
	}
	htmlPage(t, form(regulator, "/lexicon/proposals/"+itoa64(id), url.Values{"csrf_token": {rtoken}, "decision": {"approve"}}), http.StatusConflict)
	htmlPage(t, form(regulator, "/lexicon/proposals/999", url.Values{"csrf_token": {rtoken}, "decision": {"reject"}}), http.StatusNotFound)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
