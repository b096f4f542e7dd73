package classifier

import (
	"sort"
	"strconv"
)

// maxHitsPerRule bounds the work one rule does on one (huge) document.
const maxHitsPerRule = 200

// hit is one place where a rule fired: the span of its terms or pattern
// match in the normalised text.
type hit struct {
	rule       int
	start, end int
}

// ruleHits is the rule stage: it evaluates, in lexicon order, every rule
// for which the candidates are feasible, and returns their hits, rule by
// rule. Group terms count only on word boundaries, which it asks w about.
func (c *Classifier) ruleHits(w *words) []hit {
	var hits []hit
	for i := range c.rules {
		if !w.cands.ruleFeasible(c.rules, i) {
			continue
		}
		if c.rules[i].re != nil {
			hits = append(hits, c.patternHits(w, i)...)
		} else {
			hits = append(hits, c.groupHits(w, i)...)
		}
	}
	return hits
}

// groupHits finds the places where a term of every All group (and of one
// Any group, and a number, if the rule asks) lie within the rule's window.
func (c *Classifier) groupHits(w *words, i int) []hit {
	r := &c.rules[i]
	anchors, rest, anyGroups := r.all[:1], r.all[1:], r.any
	if len(r.all) == 0 {
		anchors, anyGroups = r.any, nil
	}
	var hits []hit
	for _, g := range anchors {
		for k, a := range w.cands.groups[g] {
			if len(hits) >= maxHitsPerRule {
				break
			}
			if len(hits) > 0 && a.start < hits[len(hits)-1].end {
				continue // a hit of this rule already covers it
			}
			// Segment only where the other groups have candidates close enough.
			if !mayComplete(w, r, a.start, a.end, rest, anyGroups, extentFits) || !w.valid(g, k) {
				continue
			}
			if h, ok := complete(w, i, r, a.start, a.end, rest, anyGroups, extentFits); ok {
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// patternHits finds the rule's pattern in the numeric view and, if the rule
// names groups or a number, requires them within the window of the match.
// Matches lie within one sentence: a pattern with required literals runs
// only on the sentences that hold one of them; a pattern without runs on
// the whole text and keeps the matches that do not cross a sentence end.
func (c *Classifier) patternHits(w *words, i int) []hit {
	r := &c.rules[i]
	text := w.text
	var views []*numView
	if r.literals {
		done := -1 // literal positions come in text order; skip those of a sentence already taken
		for _, p := range w.cands.litPos[i] {
			if p < done {
				continue
			}
			lo, hi := text.sentence(p)
			done = hi
			if groupsNear(w.cands, r, lo, hi) {
				views = append(views, text.sentenceNumeric(lo, hi))
			}
		}
	} else {
		views = []*numView{text.wholeNumeric()}
	}
	var hits []hit
	for _, v := range views {
		for _, loc := range c.find(i, r, v.text) {
			if loc[1] <= loc[0] {
				continue
			}
			s, e := v.m.span(loc[0], loc[1])
			if !r.literals {
				if lo, hi := text.sentence(v.base + s); v.base+e > hi || v.base+s < lo {
					continue // matches lie within one sentence, as with literals
				}
			}
			if h, ok := complete(w, i, r, v.base+s, v.base+e, r.all, r.any, gapFits); ok {
				hits = append(hits, h)
			}
			if len(hits) >= maxHitsPerRule {
				return hits
			}
		}
	}
	return hits
}

// find returns r.find(text), from the classifier's cache when text is a
// sentence it met before.
func (c *Classifier) find(i int, r *rule, text string) [][]int {
	if len(text) > textCacheMaxText {
		return r.find(text)
	}
	key := strconv.Itoa(i) + "\x00" + text
	if locs, ok := c.found.get(key); ok {
		return locs
	}
	locs := r.find(text)
	c.found.put(key, locs)
	return locs
}

// find returns the spans of the rule's pattern in text, as
// FindAllStringIndex does. A pattern whose matches all start with one of a
// few literals is tried, anchored, only where they occur.
func (r *rule) find(text string) [][]int {
	if r.anchored == nil {
		return r.re.FindAllStringIndex(text, maxHitsPerRule)
	}
	var starts []int
	for _, m := range r.prefixes.FindAllOverlapping([]byte(text)) {
		starts = append(starts, m.Start)
	}
	sort.Ints(starts)
	var locs [][]int
	end := 0
	for _, p := range starts {
		if p < end || len(locs) >= maxHitsPerRule {
			continue
		}
		if loc := r.anchored.FindStringIndex(text[p:]); loc != nil && loc[1] > 0 {
			locs = append(locs, []int{p, p + loc[1]})
			end = p + loc[1]
		}
	}
	return locs
}

// groupsNear reports whether the rule's All groups, and one of its Any
// groups, have candidates close enough to [lo, hi) to complete a match there.
func groupsNear(cands *candidates, r *rule, lo, hi int) bool {
	reach := 4*r.window + 4
	near := func(g int) bool {
		cs := cands.groups[g]
		k := sort.Search(len(cs), func(k int) bool { return cs[k].end >= lo-reach })
		return k < len(cs) && cs[k].start <= hi+reach
	}
	for _, g := range r.all {
		if !near(g) {
			return false
		}
	}
	if len(r.any) == 0 {
		return true
	}
	for _, g := range r.any {
		if near(g) {
			return true
		}
	}
	return false
}

// fits reports whether a term at [s, e) can join a hit whose core (the
// anchor or pattern match) is [cs, ce) and whose span so far is [lo, hi);
// it returns the cost used to prefer the nearest term.
type fits func(text *normText, window, cs, ce, lo, hi, s, e int) (int, bool)

// extentFits: the whole hit, with the term, lies within window runes.
func extentFits(text *normText, window, _, _, lo, hi, s, e int) (int, bool) {
	n := text.runeLen(min(lo, s), max(hi, e), window)
	return n, n <= window
}

// gapFits: the term lies within window runes of the core.
func gapFits(text *normText, window, cs, ce, _, _, s, e int) (int, bool) {
	var n int
	switch {
	case e <= cs:
		n = text.runeLen(e, cs, window)
	case s >= ce:
		n = text.runeLen(ce, s, window)
	}
	return n, n <= window
}

// complete extends the core [cs, ce) with a valid term of each group in
// all, of one group in anyGroups and, if the rule asks for a number, with a
// count, rate, score or rank (countSpans: 38人, 91%, 第2, not 5年级).
func complete(w *words, i int, r *rule, cs, ce int, all, anyGroups []int, fit fits) (hit, bool) {
	lo, hi := cs, ce
	for _, g := range all {
		s, e, ok := nearest(w, []int{g}, r.window, cs, ce, lo, hi, fit)
		if !ok {
			return hit{}, false
		}
		lo, hi = min(lo, s), max(hi, e)
	}
	if len(anyGroups) > 0 {
		s, e, ok := nearest(w, anyGroups, r.window, cs, ce, lo, hi, fit)
		if !ok {
			return hit{}, false
		}
		lo, hi = min(lo, s), max(hi, e)
	}
	if r.number {
		best, found := 0, false
		var bs, be int
		for _, n := range w.text.countsNear(lo, hi, r.window) {
			if cost, ok := fit(w.text, r.window, cs, ce, lo, hi, n.start, n.end); ok && (!found || cost < best) {
				best, found, bs, be = cost, true, n.start, n.end
			}
		}
		if !found {
			return hit{}, false
		}
		lo, hi = min(lo, bs), max(hi, be)
	}
	return hit{rule: i, start: lo, end: hi}, true
}

// mayComplete reports whether each group in all, and one in anyGroups, has
// a candidate not known to be invalid that fits the core [cs, ce) alone: a
// check before any segmentation that rules out most anchors.
func mayComplete(w *words, r *rule, cs, ce int, all, anyGroups []int, fit fits) bool {
	has := func(g int) bool {
		cands := w.cands.groups[g]
		reach := 4*r.window + 4
		k := sort.Search(len(cands), func(k int) bool { return cands[k].start >= cs-reach-64 })
		for ; k < len(cands) && cands[k].start <= ce+reach; k++ {
			if !w.ruledOut(g, k) {
				if _, ok := fit(w.text, r.window, cs, ce, cs, ce, cands[k].start, cands[k].end); ok {
					return true
				}
			}
		}
		return false
	}
	for _, g := range all {
		if !has(g) {
			return false
		}
	}
	if len(anyGroups) == 0 {
		return true
	}
	for _, g := range anyGroups {
		if has(g) {
			return true
		}
	}
	return false
}

// nearest returns the valid candidate of the groups that fits the hit at
// the least cost, checking word boundaries only of those that fit.
func nearest(w *words, groups []int, window, cs, ce, lo, hi int, fit fits) (int, int, bool) {
	type option struct{ g, k, cost int }
	var opts []option
	reach := 4*window + 4
	for _, g := range groups {
		cands := w.cands.groups[g]
		from := sort.Search(len(cands), func(k int) bool { return cands[k].start >= lo-reach-64 })
		for k := from; k < len(cands) && cands[k].start <= hi+reach; k++ {
			if cost, ok := fit(w.text, window, cs, ce, lo, hi, cands[k].start, cands[k].end); ok {
				opts = append(opts, option{g, k, cost})
			}
		}
	}
	sort.SliceStable(opts, func(a, b int) bool { return opts[a].cost < opts[b].cost })
	for _, o := range opts {
		if w.valid(o.g, o.k) {
			c := w.cands.groups[o.g][o.k]
			return c.start, c.end, true
		}
	}
	return 0, 0, false
}
