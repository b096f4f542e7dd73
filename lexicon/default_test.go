package lexicon

import (
	"strings"
	"testing"
	"unicode"

	"adscan"
)

// basisClauses are the clauses of the policy each category rests on
// (DESIGN.md's table).
var basisClauses = map[adscan.Category][]string{
	adscan.CategoryTutoringAd:            {"（三十）", "（十四）"},
	adscan.CategoryRanking:               {"（十七）"},
	adscan.CategoryEliteAdmission:        {"（十七）", "（二十五）"},
	adscan.CategoryAdvanceTeaching:       {"（十七）", "（三十五）"},
	adscan.CategoryHolidayTraining:       {"（十六）"},
	adscan.CategoryLateHours:             {"（十六）"},
	adscan.CategoryLoanInducement:        {"（十八）"},
	adscan.CategoryTeacherMoonlighting:   {"（十九）", "（二十八）"},
	adscan.CategoryForeignCurriculum:     {"（十七）", "（十九）"},
	adscan.CategoryUnapprovedCompetition: {"（十七）"},
}

func TestDefaultCoversEveryCategory(t *testing.T) {
	lex, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if lex.Name != "shuangjian-default" || lex.Version == "" {
		t.Errorf("ref = %+v", lex.Ref())
	}
	rules := map[adscan.Category]int{}
	patterns := 0
	for _, r := range lex.Rules {
		rules[r.Category]++
		if r.Pattern != "" {
			patterns++
		}
	}
	for _, id := range adscan.Categories {
		c, ok := lex.Category(id)
		if !ok {
			t.Errorf("%s: not declared", id)
			continue
		}
		if !hasHan(c.Title) {
			t.Errorf("%s: title %q is not Chinese", id, c.Title)
		}
		for _, clause := range basisClauses[id] {
			if !strings.Contains(c.Basis, clause) {
				t.Errorf("%s: basis does not quote clause %s: %q", id, clause, c.Basis)
			}
		}
		if rules[id] < 3 {
			t.Errorf("%s: %d rules, want several", id, rules[id])
		}
	}
	if patterns < 10 {
		t.Errorf("%d pattern rules, want number and time patterns", patterns)
	}
	if len(lex.Suppressors) == 0 || len(lex.Exclusions) == 0 {
		t.Errorf("no suppressors or exclusions")
	}
}

// TestDefaultPrecisionShape checks properties that keep the default lexicon
// precise: every group-only rule needs two groups, or one group and an Any,
// so that no single word flags a page.
func TestDefaultPrecisionShape(t *testing.T) {
	lex, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lex.Rules {
		if r.Pattern == "" && len(r.All)+len(r.Any) < 2 && len(r.All) < 2 {
			t.Errorf("rule %q: a single group (%v) can fire alone", r.ID, r.All)
		}
	}
	for _, g := range lex.Groups {
		seen := map[string]bool{}
		for _, term := range g.Terms {
			if seen[term] {
				t.Errorf("group %q: term %q twice", g.ID, term)
			}
			seen[term] = true
			if term != strings.ToLower(term) {
				t.Errorf("group %q: term %q: write ASCII in lower case", g.ID, term)
			}
		}
	}
}

// TestDefaultExclusionsAreLocal checks that every exclusion of the default
// lexicon judges the text near a firing (a window), so that a long page
// holding an advert among news, notices or essays is not excluded by its
// other columns; windows are passage-sized.
func TestDefaultExclusionsAreLocal(t *testing.T) {
	lex, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lex.Exclusions {
		if e.Window < 100 || e.Window > 1500 {
			t.Errorf("exclusion %q: window %d, want a passage of 100-1500 characters", e.ID, e.Window)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
