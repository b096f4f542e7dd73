package classifier

// scoredCategory is a category whose kept hits reach its threshold.
type scoredCategory struct {
	cat   int // index into Classifier.categories
	score float64
	hits  []hit
}

// scoreCategories is the scoring stage: the noisy-OR score of each
// category's kept hits, keeping the categories at or above their threshold,
// in the lexicon's category order.
func (c *Classifier) scoreCategories(kept keptHits) []scoredCategory {
	var out []scoredCategory
	for cat, hs := range kept {
		if len(hs) == 0 {
			continue
		}
		if s := c.score(hs); s >= c.categories[cat].threshold-1e-9 {
			out = append(out, scoredCategory{cat: cat, score: s, hits: hs})
		}
	}
	return out
}

// score is the noisy-OR of the hits' weights, each rule counted at most
// twice, its second hit at half weight.
func (c *Classifier) score(hs []hit) float64 {
	seen := map[int]int{}
	keep := 1.0
	for _, h := range hs {
		n := seen[h.rule]
		if n >= 2 {
			continue
		}
		seen[h.rule] = n + 1
		w := c.rules[h.rule].weight
		if n == 1 {
			w /= 2
		}
		keep *= 1 - w
	}
	return 1 - keep
}
