package corpus

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"adscan"
)

// Counts are one category's results: pages flagged rightly (TP), wrongly
// (FP) and missed (FN).
type Counts struct{ TP, FP, FN int }

// Precision is TP/(TP+FP), 1 when nothing was flagged.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP/(TP+FN), 1 when there was nothing to find.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// Positives is how many pages are labelled with the category.
func (c Counts) Positives() int { return c.TP + c.FN }

// Mistake is one page the classifier got wrong.
type Mistake struct {
	ID, URL, Genre string
	Missed, Wrong  []adscan.Category
}

// Report is a classifier's score on a set of labelled pages.
type Report struct {
	Title            string
	Pages            int
	Per              map[adscan.Category]*Counts
	Compliant        int // pages with no category
	CompliantFlagged int
	Mistakes         []Mistake
}

// Score compares predictions (by page ID) with the labels.
func Score(title string, labels []Label, predicted map[string][]adscan.Category) *Report {
	r := &Report{Title: title, Per: map[adscan.Category]*Counts{}}
	for _, c := range adscan.Categories {
		r.Per[c] = &Counts{}
	}
	for _, l := range labels {
		r.Pages++
		got := predicted[l.ID]
		var m Mistake
		for _, c := range adscan.Categories {
			want, have := l.Has(c), slices.Contains(got, c)
			switch {
			case want && have:
				r.Per[c].TP++
			case want:
				r.Per[c].FN++
				m.Missed = append(m.Missed, c)
			case have:
				r.Per[c].FP++
				m.Wrong = append(m.Wrong, c)
			}
		}
		if len(l.Categories) == 0 {
			r.Compliant++
			if len(got) > 0 {
				r.CompliantFlagged++
			}
		}
		if len(m.Missed)+len(m.Wrong) > 0 {
			m.ID, m.URL, m.Genre = l.ID, l.URL, l.Genre
			r.Mistakes = append(r.Mistakes, m)
		}
	}
	return r
}

// Micro is the counts summed over the categories.
func (r *Report) Micro() Counts {
	var t Counts
	for _, c := range adscan.Categories {
		t.TP += r.Per[c].TP
		t.FP += r.Per[c].FP
		t.FN += r.Per[c].FN
	}
	return t
}

// CompliantFlaggedShare is the share of compliant pages with any flag.
func (r *Report) CompliantFlaggedShare() float64 {
	if r.Compliant == 0 {
		return 0
	}
	return float64(r.CompliantFlagged) / float64(r.Compliant)
}

// Goals are the figures a classifier must reach on the real test split.
type Goals struct {
	TutoringPrecision, TutoringRecall float64
	// MinPositives: categories with at least this many positives must
	// reach CategoryPrecision.
	MinPositives      int
	CategoryPrecision float64
	MaxCompliantShare float64
}

// IssueGoals are issue 9's acceptance figures.
var IssueGoals = Goals{TutoringPrecision: 0.90, TutoringRecall: 0.80, MinPositives: 5, CategoryPrecision: 0.85, MaxCompliantShare: 0.03}

// Failures lists the goals the report misses, in words.
func (r *Report) Failures(g Goals) []string {
	var out []string
	t := r.Per[adscan.CategoryTutoringAd]
	if t.Precision() < g.TutoringPrecision {
		out = append(out, fmt.Sprintf("tutoring_ad precision %.2f < %.2f", t.Precision(), g.TutoringPrecision))
	}
	if t.Recall() < g.TutoringRecall {
		out = append(out, fmt.Sprintf("tutoring_ad recall %.2f < %.2f", t.Recall(), g.TutoringRecall))
	}
	for _, c := range adscan.Categories {
		if k := r.Per[c]; k.Positives() >= g.MinPositives && k.Precision() < g.CategoryPrecision {
			out = append(out, fmt.Sprintf("%s precision %.2f < %.2f (%d positives)", c, k.Precision(), g.CategoryPrecision, k.Positives()))
		}
	}
	if s := r.CompliantFlaggedShare(); s > g.MaxCompliantShare {
		out = append(out, fmt.Sprintf("compliant pages flagged %.1f%% > %.1f%%", 100*s, 100*g.MaxCompliantShare))
	}
	return out
}

// Print writes the table (and, with mistakes, every mistake).
func (r *Report) Print(w io.Writer, mistakes bool) {
	fmt.Fprintf(w, "%s: %d pages, %d compliant\n", r.Title, r.Pages, r.Compliant)
	fmt.Fprintf(w, "  %-24s %5s %4s %4s %4s %9s %7s\n", "category", "pos", "tp", "fp", "fn", "precision", "recall")
	for _, c := range adscan.Categories {
		k := r.Per[c]
		if k.TP+k.FP+k.FN == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-24s %5d %4d %4d %4d %9.2f %7.2f\n", c, k.Positives(), k.TP, k.FP, k.FN, k.Precision(), k.Recall())
	}
	m := r.Micro()
	fmt.Fprintf(w, "  %-24s %5d %4d %4d %4d %9.2f %7.2f\n", "(micro)", m.Positives(), m.TP, m.FP, m.FN, m.Precision(), m.Recall())
	fmt.Fprintf(w, "  compliant pages flagged: %d of %d (%.1f%%)\n", r.CompliantFlagged, r.Compliant, 100*r.CompliantFlaggedShare())
	if !mistakes {
		return
	}
	for _, x := range r.Mistakes {
		var parts []string
		if len(x.Missed) > 0 {
			parts = append(parts, "missed "+joinCats(x.Missed))
		}
		if len(x.Wrong) > 0 {
			parts = append(parts, "wrongly flagged "+joinCats(x.Wrong))
		}
		fmt.Fprintf(w, "  mistake %s (%s) %s: %s\n", x.ID, x.Genre, x.URL, strings.Join(parts, "; "))
	}
}

func joinCats(cs []adscan.Category) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// Predict classifies every page (as a page of its site, for site-scoped
// allow entries) and returns the flagged categories by page ID.
func Predict(c adscan.Classifier, pages []Page) map[string][]adscan.Category {
	out := make(map[string][]adscan.Category, len(pages))
	for _, p := range pages {
		out[p.ID] = c.Classify(adscan.Document{Source: p.URL, Site: p.Site, Text: p.Text}).Categories()
	}
	return out
}

// OfSplit returns the pages of one split ("" for all).
func OfSplit(pages []Page, split string) []Page {
	var out []Page
	for _, p := range pages {
		if split == "" || p.Split == split {
			out = append(out, p)
		}
	}
	return out
}

// Labels returns the pages' labels.
func Labels(pages []Page) []Label {
	out := make([]Label, len(pages))
	for i, p := range pages {
		out[i] = p.Label
	}
	return out
}

// PrintChange writes, per category, how precision and recall move from
// report a to report b, and the change in compliant pages flagged.
func PrintChange(w io.Writer, a, b *Report) {
	fmt.Fprintf(w, "change (candidate - current):\n")
	for _, c := range adscan.Categories {
		x, y := a.Per[c], b.Per[c]
		if x.TP+x.FP+x.FN+y.TP+y.FP+y.FN == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-24s precision %+.2f  recall %+.2f\n", c, y.Precision()-x.Precision(), y.Recall()-x.Recall())
	}
	fmt.Fprintf(w, "  compliant pages flagged: %d -> %d\n", a.CompliantFlagged, b.CompliantFlagged)
}
