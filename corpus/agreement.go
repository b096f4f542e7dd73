package corpus

import (
	"fmt"
	"io"
	"slices"

	"adscan"
)

// A labelling study: every page labelled a second time, blind, by the same
// guide, and each disagreement decided by a third reader who saw both
// labels (not knowing which came first) and the text. The rows are
// committed (corpus/real/agreement.jsonl) so the agreement figures can be
// recomputed without the texts, and so anyone can see which committed
// labels an adjudicator changed.

// Verdict is one labeller's judgement of a page.
type Verdict struct {
	Voice      string            `json:"voice"`
	Genre      string            `json:"genre"`
	Audience   string            `json:"audience"`
	Categories []adscan.Category `json:"categories"`
}

// AgreementRow is one page of the study.
type AgreementRow struct {
	ID     string  `json:"id"`
	First  Verdict `json:"first"`
	Second Verdict `json:"second"`
	// Decided says, where the two disagree on voice or categories, which
	// label the adjudicator kept: "first", "second" or "own" (a label of
	// the adjudicator's own). Empty where they agree.
	Decided string `json:"decided,omitempty"`
}

// Agrees reports whether the two verdicts agree on voice and categories
// (genre and audience are descriptive and not compared).
func (r AgreementRow) Agrees() bool {
	return r.First.Voice == r.Second.Voice && sameCategories(r.First.Categories, r.Second.Categories)
}

func sameCategories(a, b []adscan.Category) bool {
	if len(a) != len(b) {
		return false
	}
	for _, c := range a {
		if !slices.Contains(b, c) {
			return false
		}
	}
	return true
}

// CheckAgainst reports the first way the study's rows and the committed
// labels disagree: a row whose page has no label, a disagreement without a
// decision, or a committed label that is not what the study says it should
// be (the first label where both agree or the first was kept, the second
// where it was kept).
func CheckAgainst(rows []AgreementRow, labels []Label) error {
	byID := make(map[string]Label, len(labels))
	for _, l := range labels {
		byID[l.ID] = l
	}
	for _, r := range rows {
		l, ok := byID[r.ID]
		if !ok {
			return fmt.Errorf("agreement row %s: no such label", r.ID)
		}
		var want *Verdict
		switch {
		case r.Agrees() && r.Decided != "":
			return fmt.Errorf("agreement row %s: the labels agree, yet decided %q", r.ID, r.Decided)
		case r.Agrees(), r.Decided == "first":
			want = &r.First
		case r.Decided == "second":
			want = &r.Second
		case r.Decided == "own":
		case r.Decided == "":
			return fmt.Errorf("agreement row %s: the labels disagree and nothing was decided", r.ID)
		default:
			return fmt.Errorf("agreement row %s: decided %q, want first, second or own", r.ID, r.Decided)
		}
		if want != nil && (l.Voice != want.Voice || !sameCategories(l.Categories, want.Categories)) {
			return fmt.Errorf("label %s is %s %v, but the study's decision is %s %v", r.ID, l.Voice, l.Categories, want.Voice, want.Categories)
		}
	}
	return nil
}

// Kappa is Cohen's kappa of two labellers' yes/no answers: 1 for perfect
// agreement, 0 for what chance alone would give.
func Kappa(first, second []bool) float64 {
	n := float64(len(first))
	if n == 0 {
		return 1
	}
	var agree, a, b float64
	for i := range first {
		if first[i] == second[i] {
			agree++
		}
		if first[i] {
			a++
		}
		if second[i] {
			b++
		}
	}
	po := agree / n
	pe := (a/n)*(b/n) + (1-a/n)*(1-b/n)
	if pe == 1 {
		return 1
	}
	return (po - pe) / (1 - pe)
}

// AgreementReport is how far two labellers agree.
type AgreementReport struct {
	// SecondAsClassifier scores the second labeller's categories against
	// the first's, as a classifier is scored against the labels: what a
	// careful reader of the same guide reaches.
	SecondAsClassifier *Report
	VoiceKappa         float64
	CategoryKappa      map[adscan.Category]float64
	Disagreements      int
	Decided            map[string]int // by decision
}

// Agreement computes the report over the rows of one split ("" for all),
// the split taken from the committed labels.
func Agreement(rows []AgreementRow, labels []Label, split string) *AgreementReport {
	splitOf := make(map[string]Label, len(labels))
	for _, l := range labels {
		splitOf[l.ID] = l
	}
	var first []Label
	second := map[string][]adscan.Category{}
	var v1, v2 []bool
	cat1, cat2 := map[adscan.Category][]bool{}, map[adscan.Category][]bool{}
	rep := &AgreementReport{CategoryKappa: map[adscan.Category]float64{}, Decided: map[string]int{}}
	for _, r := range rows {
		l, ok := splitOf[r.ID]
		if !ok || split != "" && l.Split != split {
			continue
		}
		first = append(first, Label{ID: r.ID, URL: l.URL, Genre: r.First.Genre, Voice: r.First.Voice, Categories: r.First.Categories})
		second[r.ID] = r.Second.Categories
		v1 = append(v1, r.First.Voice == VoicePromo)
		v2 = append(v2, r.Second.Voice == VoicePromo)
		for _, c := range adscan.Categories {
			cat1[c] = append(cat1[c], slices.Contains(r.First.Categories, c))
			cat2[c] = append(cat2[c], slices.Contains(r.Second.Categories, c))
		}
		if !r.Agrees() {
			rep.Disagreements++
			rep.Decided[r.Decided]++
		}
	}
	title := "second labeller against the first, all splits"
	if split != "" {
		title = "second labeller against the first, " + split + " split"
	}
	rep.SecondAsClassifier = Score(title, first, second)
	rep.VoiceKappa = Kappa(v1, v2)
	for _, c := range adscan.Categories {
		rep.CategoryKappa[c] = Kappa(cat1[c], cat2[c])
	}
	return rep
}

// Print writes the agreement table: the second labeller scored as a
// classifier, with Cohen's kappa per category.
func (a *AgreementReport) Print(w io.Writer) {
	r := a.SecondAsClassifier
	fmt.Fprintf(w, "%s: %d pages, %d compliant by the first label\n", r.Title, r.Pages, r.Compliant)
	fmt.Fprintf(w, "  %-24s %5s %4s %4s %4s %9s %7s %6s\n", "category", "pos", "tp", "fp", "fn", "precision", "recall", "kappa")
	for _, c := range adscan.Categories {
		k := r.Per[c]
		if k.TP+k.FP+k.FN == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-24s %5d %4d %4d %4d %9.2f %7.2f %6.2f\n", c, k.Positives(), k.TP, k.FP, k.FN, k.Precision(), k.Recall(), a.CategoryKappa[c])
	}
	m := r.Micro()
	fmt.Fprintf(w, "  %-24s %5d %4d %4d %4d %9.2f %7.2f\n", "(micro)", m.Positives(), m.TP, m.FP, m.FN, m.Precision(), m.Recall())
	fmt.Fprintf(w, "  compliant pages given a category by the second: %d of %d (%.1f%%)\n", r.CompliantFlagged, r.Compliant, 100*r.CompliantFlaggedShare())
	fmt.Fprintf(w, "  voice (promo or other): kappa %.2f\n", a.VoiceKappa)
	fmt.Fprintf(w, "  disagreements on voice or categories: %d (kept first %d, second %d, adjudicator's own %d)\n",
		a.Disagreements, a.Decided["first"], a.Decided["second"], a.Decided["own"])
}
