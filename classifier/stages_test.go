package classifier

import (
	"slices"
	"strings"
	"testing"

	"adscan"
)

// These tests run one stage of Classify at a time on the test lexicon,
// feeding it the values of the stages before it.

func groupIndex(t *testing.T, c *Classifier, id string) int {
	t.Helper()
	for i, g := range c.groups {
		if g.id == id {
			return i
		}
	}
	t.Fatalf("no group %q", id)
	return -1
}

func ruleIndex(t *testing.T, c *Classifier, id string) int {
	t.Helper()
	for i, r := range c.rules {
		if r.id == id {
			return i
		}
	}
	t.Fatalf("no rule %q", id)
	return -1
}

// spanTexts returns the normalised text of each span.
func spanTexts(text *normText, spans []span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, text.norm[s.start:s.end])
	}
	return out
}

func TestFindCandidates(t *testing.T) {
	c := mustTestClassifier(t)
	text := c.normalizeText("记者：今年３８人考入名 * 校。录取")
	cands := c.findCandidates(text)
	if got, want := spanTexts(text, cands.groups[groupIndex(t, c, "admit")]), []string{"考入", "录取"}; !slices.Equal(got, want) {
		t.Errorf("admit candidates %q, want %q", got, want)
	}
	if got, want := spanTexts(text, cands.groups[groupIndex(t, c, "elite")]), []string{"名校"}; !slices.Equal(got, want) {
		t.Errorf("elite candidates %q, want %q", got, want)
	}
	if n := len(cands.groups[groupIndex(t, c, "subject")]); n != 0 {
		t.Errorf("%d subject candidates, want none", n)
	}
	if s := cands.supp[0]; len(s) != 1 || text.norm[s[0].start:s[0].end] != "记者" {
		t.Errorf("reporting suppressor occurrences %+v, want 记者", s)
	}
	if p := cands.litPos[ruleIndex(t, c, "admit-count")]; len(p) != 1 || !strings.HasPrefix(text.norm[p[0]:], "录取") {
		t.Errorf("admit-count literal positions %v, want the one of 录取", p)
	}
	if !cands.feasible(c.rules) {
		t.Error("not feasible, want feasible (elite-admit-number has both groups)")
	}
	if clean := c.findCandidates(c.normalizeText("今天天气很好，我们去公园散步。")); clean.feasible(c.rules) {
		t.Error("a clean sentence is feasible")
	}
}

// TestWordsStage asks the segmentation stage about the candidate 名校: a
// word in 考入名校, not in 著名校友 nor in 名校长. Nothing is segmented
// before the first question.
func TestWordsStage(t *testing.T) {
	c := mustTestClassifier(t)
	elite := groupIndex(t, c, "elite")
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"他是我校著名校友。", false},
		{"今年考入名校。", true},
		{"名校长讲话。", false},
	} {
		text := c.normalizeText(tt.text)
		w := c.segment(text, c.findCandidates(text))
		if len(w.cands.groups[elite]) != 1 {
			t.Fatalf("%s: elite candidates %v, want 名校 once", tt.text, w.cands.groups[elite])
		}
		if slices.ContainsFunc(w.verdict, func(v int8) bool { return v != 0 }) {
			t.Fatalf("%s: verdicts %v before any question", tt.text, w.verdict)
		}
		if got := w.valid(elite, 0); got != tt.want {
			t.Errorf("%s: 名校 valid = %v, want %v", tt.text, got, tt.want)
		}
		if w.ruledOut(elite, 0) == tt.want {
			t.Errorf("%s: ruledOut = %v after the question", tt.text, !tt.want)
		}
	}
}

func TestRuleHits(t *testing.T) {
	c := mustTestClassifier(t)
	text := c.normalizeText("今年录取38人。去年录取四十人。")
	hits := c.ruleHits(c.segment(text, c.findCandidates(text)))
	rule := ruleIndex(t, c, "admit-count")
	var got []string
	for _, h := range hits {
		if h.rule == rule {
			got = append(got, text.norm[h.start:h.end])
		}
	}
	if want := []string{"录取38人", "录取四十人"}; !slices.Equal(got, want) {
		t.Errorf("admit-count hits %q, want %q (all hits %+v)", got, want, hits)
	}
}

// TestSoftAdRules pins the default lexicon's two soft-advert rules of
// 2026.12.2: a brand's course hotline in its page header counts with the
// subject words of the article under it (a wide window, not a whole page),
// and a provider's name for its form of service counts beside the pupils it
// is for, where a parent's or a reporter's word for a class does not.
func TestSoftAdRules(t *testing.T) {
	c := mustDefaultClassifier(t)
	filler := strings.Repeat("这是一段与课程无关的文字。", 10) // 130 runes
	for _, tt := range []struct {
		rule, text string
		fires      bool
	}{
		{"ta-soft-hotline-page", "课程咨询热线 400-656-1680\n\n" + filler + "小学英语怎么学?", true},
		{"ta-soft-hotline-page", "课程咨询热线 400-656-1680\n\n" + filler + filler + filler + "小学英语怎么学?", false},
		{"ta-soft-hotline-page", "小学英语怎么学?" + filler, false},
		{"ta-soft-service", "我们为初中生提供数学一对一和全托管服务。", true},
		{"ta-soft-service", "孩子放学后上门补习两小时。", true},
		{"ta-soft-service", "她只好把孩子送到线下补习班。", false},
	} {
		text := c.normalizeText(tt.text)
		rule := ruleIndex(t, c, tt.rule)
		fired := false
		for _, h := range c.ruleHits(c.segment(text, c.findCandidates(text))) {
			fired = fired || h.rule == rule
		}
		if fired != tt.fires {
			t.Errorf("%s on %q: fired %v, want %v", tt.rule, tt.text, fired, tt.fires)
		}
	}
}

// TestFilterHits filters the hits of the rule stage: a reporting
// suppressor in the sentence drops the hit, the same claim without it is
// kept, and an allow entry drops a hit on its site only.
func TestFilterHits(t *testing.T) {
	c := mustTestClassifier(t)
	catOf := func(id adscan.Category) int {
		for i, cat := range c.categories {
			if cat.id == id {
				return i
			}
		}
		t.Fatalf("no category %q", id)
		return -1
	}
	for _, tt := range []struct {
		text, site string
		cat        adscan.Category
		kept       bool
	}{
		{"记者调查发现，该机构宣称38人考入名校。", "", adscan.CategoryEliteAdmission, false},
		{"该机构宣称38人考入名校。", "", adscan.CategoryEliteAdmission, true},
		{"少年宫公益课：小学数学火热招生", "www.example.org", adscan.CategoryTutoringAd, false},
		{"少年宫公益课：小学数学火热招生", "example.com", adscan.CategoryTutoringAd, true},
	} {
		text := c.normalizeText(tt.text)
		w := c.segment(text, c.findCandidates(text))
		hits := c.ruleHits(w)
		if len(hits) == 0 {
			t.Fatalf("%s: no hits to filter", tt.text)
		}
		kept := c.filterHits(w, hits, tt.site)
		if got := len(kept[catOf(tt.cat)]) > 0; got != tt.kept {
			t.Errorf("%s on %q: %s hit kept = %v, want %v (hits %+v)", tt.text, tt.site, tt.cat, got, tt.kept, hits)
		}
	}
}

// TestScoreAndFlagsStages score kept hits given directly: one hit of a 0.5
// rule stays under the 0.6 threshold; a second, at half weight, reaches it
// (1-(1-0.5)(1-0.25) = 0.625). A voice decision that is not promotional
// drops the flag; a promotional one is carried on it.
func TestScoreAndFlagsStages(t *testing.T) {
	c := mustTestClassifier(t)
	text := c.normalizeText("今年录取38人。去年录取40人。")
	rule := ruleIndex(t, c, "admit-count")
	cat := c.rules[rule].category
	first := hit{rule: rule, start: strings.Index(text.norm, "录取"), end: strings.Index(text.norm, "人") + len("人")}
	second := hit{rule: rule, start: strings.LastIndex(text.norm, "录取"), end: strings.LastIndex(text.norm, "人") + len("人")}

	one := make(keptHits, len(c.categories))
	one[cat] = []hit{first}
	if scored := c.scoreCategories(one); len(scored) != 0 {
		t.Errorf("one hit: scored %+v, want none", scored)
	}
	two := make(keptHits, len(c.categories))
	two[cat] = []hit{first, second}
	scored := c.scoreCategories(two)
	if flags := c.flags(text, scored, []*adscan.Voice{{Promotional: false}}); len(flags) != 0 {
		t.Errorf("not promotional: flags %+v, want none", flags)
	}
	promo := &adscan.Voice{Model: "m 1", Promotional: true, Probability: 0.9}
	if flags := c.flags(text, scored, []*adscan.Voice{promo}); len(flags) != 1 || flags[0].Voice != promo {
		t.Errorf("promotional: flags %+v, want one carrying the decision", flags)
	}
	flags := c.flags(text, scored, make([]*adscan.Voice, len(scored)))
	if len(flags) != 1 || flags[0].Category != adscan.CategoryEliteAdmission || flags[0].Score != 0.625 {
		t.Fatalf("two hits: flags %+v, want elite_admission at 0.625", flags)
	}
	var got []string
	for _, ev := range flags[0].Evidence {
		got = append(got, ev.Text)
	}
	if want := []string{"录取38人", "录取40人"}; !slices.Equal(got, want) {
		t.Errorf("evidence %q, want %q", got, want)
	}
}

// TestSchoolNoticeExclusion pins what lexicon 2026.12.3 added to the
// school-own-notice exclusion: a Taiwanese primary school's notice of its
// own after-school classes (學年度, 國民小學, 輔導主任) is not an advert,
// while a cram school's advert that says 國小 and 國中 as often is still
// one (those words name pupils' grades, not a school speaking: they were
// left out of the exclusion).
func TestSchoolNoticeExclusion(t *testing.T) {
	c := mustDefaultClassifier(t)
	for _, tt := range []struct {
		name, text string
		flags      bool
	}{
		{"school notice", "彰化縣某某國民小學114學年度課後英語社團招生說明。張貼者：輔導主任。" +
			"一、本社團由本校輔導室辦理，二至六年級英語課程每週兩次。二、國小英語社團報名請洽學務處。", false},
		{"cram school", "國小數學、國中英語補習班招生！國小三年級到國中三年級，" +
			"國中英語小班授課，報名熱線：02-2345-6789，名額有限。", true},
	} {
		got := c.Classify(adscan.Document{Text: tt.text})
		flagged := slices.Contains(got.Categories(), adscan.CategoryTutoringAd)
		if flagged != tt.flags {
			t.Errorf("%s: tutoring_ad flagged %v, want %v (%v)", tt.name, flagged, tt.flags, got.Categories())
		}
	}
}
