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
	form := h.postForm
	reviewer := h.login("reviewer", testPassword)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/cases/" + c.ID, cookies: []*http.Cookie{reviewer}}), http.StatusOK)
	if doc.Find("details.propose input[name=phrase]").AttrOr("value", "") != "暑假班火热报名" || !strings.Contains(doc.Find("details.propose").Text(), "news.example") {
		t.Fatalf("proposal fields: %q", doc.Find("details.propose").Text())
	}
	token := doc.Find("#decision-form input[name=csrf_token]").AttrOr("value", "")
	// A proposal without its phrase is refused before the dismissal is
	// taken: the case stays open, and the page says what to do.
	w := form(reviewer, "/cases/"+c.ID+"/decision", url.Values{"csrf_token": {token}, "decision": {"dismiss"}, "note": {"新闻报道，不是广告"},
		"propose": {"1"}, "phrase": {"  "}})
	if d := htmlPage(t, w, http.StatusBadRequest); !strings.Contains(d.Find("p.error").Text(), "提议例外需要填写词语") {
		t.Errorf("empty phrase: error %q", d.Find("p.error").Text())
	}
	if got, _ := h.store.GetCase(t.Context(), c.ID); got.State != adscan.CaseOpen {
		t.Errorf("after a refused proposal the case is %s, want it open", got.State)
	}
	w = form(reviewer, "/cases/"+c.ID+"/decision", url.Values{"csrf_token": {token}, "decision": {"dismiss"}, "note": {"新闻报道，不是广告"},
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

// phraseClassifier flags every occurrence of its phrase (a stand-in for
// the real classifier, whose dictionary is large).
type phraseClassifier struct{ phrase string }

func (p phraseClassifier) Classify(d adscan.Document) adscan.Result {
	r := adscan.Result{Lexicon: adscan.LexiconRef{Name: "test", Version: "1"}}
	var ev []adscan.Evidence
	for i := 0; ; {
		j := strings.Index(d.Text[i:], p.phrase)
		if j < 0 {
			break
		}
		ev = append(ev, adscan.Evidence{Text: p.phrase, Start: i + j, End: i + j + len(p.phrase)})
		i += j + len(p.phrase)
	}
	if len(ev) > 0 {
		r.Flags = []adscan.Flag{{Category: adscan.CategoryHolidayTraining, Score: 0.9, Evidence: ev}}
	}
	return r
}

func TestLexiconTryAndDiff(t *testing.T) {
	h := newHarness(t)
	built := 0
	h.srv.h.newClassifier = func(*lexicon.Lexicon) (adscan.Classifier, error) {
		built++
		return phraseClassifier{"暑假班"}, nil
	}
	session := h.login("viewer", testPassword)
	token := csrfFromPage(t, h.do(request{method: "GET", path: "/lexicon/try", cookies: []*http.Cookie{session}}).Body.String())
	try := func(text string) *httptest.ResponseRecorder {
		return h.postForm(session, "/lexicon/try", url.Values{"csrf_token": {token}, "text": {text}})
	}
	doc := htmlPage(t, try("<b>暑假班</b>火热报名，暑假班名额有限"), http.StatusOK)
	if doc.Find(".try-result mark").Length() != 2 || doc.Find(".try-result b").Length() != 0 || !strings.Contains(doc.Find(".try-result").Text(), "节假日学科培训") {
		t.Errorf("try: %q", doc.Find(".try-result").Text())
	}
	doc = htmlPage(t, try("一段普通的文字"), http.StatusOK)
	if !strings.Contains(doc.Find(".try-result").Text(), "未发现") {
		t.Errorf("clean text: %q", doc.Find(".try-result").Text())
	}
	if built != 1 {
		t.Errorf("the classifier was built %d times, want once for one lexicon", built)
	}

	// Two stored versions: the diff shows the added allow entry.
	base, err := lexicon.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := h.seedCase("s1", "https://a.example/", "https://a.example/1", "暑假班", adscan.CategoryHolidayTraining)
	for i, phrase := range []string{"夏令营", "游泳班"} {
		id, err := h.store.AddAllowProposal(t.Context(), adscan.AllowProposal{CaseID: c.ID, Phrase: phrase, Site: "a.example", ProposedBy: "reviewer"})
		if err != nil {
			t.Fatal(err)
		}
		next := base.WithAllow(lexicon.AllowEntry{Phrase: phrase, Site: "a.example"})
		next.Version = base.Version + "-allow." + strconv.Itoa(i+1)
		var b strings.Builder
		if err := next.Encode(&b); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.DecideAllowProposal(t.Context(), id, true, "regulator", &adscan.LexiconVersion{Name: next.Name, Version: next.Version, YAML: []byte(b.String())}); err != nil {
			t.Fatal(err)
		}
		base = next
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/lexicon/diff", cookies: []*http.Cookie{session}}), http.StatusOK)
	added := doc.Find("pre.diff .add").Text()
	if !strings.Contains(added, "游泳班") || strings.Contains(added, "夏令营") {
		t.Errorf("diff of the two newest versions adds %q", added)
	}
	// Each line is its own block: no newline text between them, which
	// the browser showed as a blank line after every changed line.
	if html, _ := doc.Find("pre.diff").Html(); strings.Contains(html, "</span>\n") {
		t.Errorf("newlines between the diff's lines: %.200q", html)
	}
	doc = htmlPage(t, h.do(request{method: "GET", path: "/lexicon/diff?from=0&to=2", cookies: []*http.Cookie{session}}), http.StatusOK)
	if added := doc.Find("pre.diff .add").Text(); !strings.Contains(added, "夏令营") || !strings.Contains(added, "游泳班") {
		t.Errorf("diff from the built-in lexicon adds %q", added)
	}
	htmlPage(t, h.do(request{method: "GET", path: "/lexicon/diff?from=x", cookies: []*http.Cookie{session}}), http.StatusBadRequest)
	htmlPage(t, h.do(request{method: "GET", path: "/lexicon/diff?from=99", cookies: []*http.Cookie{session}}), http.StatusNotFound)
}
