package classifier

import (
	"net"
	"sort"
	"strings"
)

// keptHits is the value of the filtering stage: the hits that survive it,
// by category index, each category's in the order the rule stage found
// them.
type keptHits [][]hit

// filterHits is the filtering stage: it drops each hit that a suppressor,
// an allow entry for site (the document's host, perhaps with a port) or an
// exclusion takes out, and returns the others by category. An exclusion's
// Unless groups count only on word boundaries, which it asks w about; it
// judges the hits in the order given, so its questions come in a fixed
// order.
func (c *Classifier) filterHits(w *words, hits []hit, site string) keptHits {
	f := &hitFilter{c: c, w: w, site: site, docExcluded: make([]int8, len(c.exclusions))}
	kept := make(keptHits, len(c.categories))
	for _, h := range hits {
		cat := c.rules[h.rule].category
		if f.kept(h, cat) && !f.excluded(cat, h) {
			kept[cat] = append(kept[cat], h)
		}
	}
	return kept
}

// hitFilter is the working state of one filterHits call.
type hitFilter struct {
	c    *Classifier
	w    *words
	site string
	// docExcluded caches whether each document-wide exclusion applies:
	// 0 not yet known, 1 yes, -1 no.
	docExcluded []int8
}

// kept reports whether a hit survives the suppressors (a suppressor term in
// its sentence, or within the suppressor's window) and the allow entries
// (the entry's phrase in its sentence, on the entry's site).
func (f *hitFilter) kept(h hit, cat int) bool {
	cands := f.w.cands
	ss, _ := f.w.text.sentence(h.start)
	_, se := f.w.text.sentence(max(h.start, h.end-1))
	for i, s := range f.c.suppressors {
		if !s.cats.has(cat) || len(cands.supp[i]) == 0 {
			continue
		}
		if s.window == 0 && anyWithin(cands.supp[i], ss, se) {
			return false
		}
		if s.window > 0 && anyNear(f.w.text, cands.supp[i], h.start, h.end, s.window) {
			return false
		}
	}
	for i, a := range f.c.allow {
		if a.cats.has(cat) && siteMatches(a.site, f.site) && anyWithin(cands.allow[i], ss, se) {
			return false
		}
	}
	return true
}

// anyWithin reports whether an occurrence (sorted by start) lies in [lo, hi).
func anyWithin(os []occurrence, lo, hi int) bool {
	k := sort.Search(len(os), func(k int) bool { return os[k].start >= lo })
	for ; k < len(os) && os[k].start < hi; k++ {
		if os[k].end <= hi {
			return true
		}
	}
	return false
}

// anyNear reports whether an occurrence lies within window runes of [s, e).
func anyNear(text *normText, os []occurrence, s, e, window int) bool {
	reach := 4*window + 4
	k := sort.Search(len(os), func(k int) bool { return os[k].start >= s-reach })
	for ; k < len(os) && os[k].start <= e+reach; k++ {
		if _, ok := gapFits(text, window, s, e, s, e, os[k].start, os[k].end); ok {
			return true
		}
	}
	return false
}

// siteMatches reports whether site (a host, perhaps with a port) is the
// entry's site or a subdomain of it; an empty entry site matches every site.
func siteMatches(entry, site string) bool {
	if entry == "" {
		return true
	}
	site = strings.ToLower(strings.TrimSuffix(site, "."))
	if host, _, err := net.SplitHostPort(site); err == nil {
		site = host
	}
	return site == entry || strings.HasSuffix(site, "."+entry)
}

// excluded reports whether an exclusion takes hit h of category cat out:
// its terms occur often enough and no term of its Unless groups occurs — in
// the whole document, or for a local exclusion within its window of h.
func (f *hitFilter) excluded(cat int, h hit) bool {
	cands, text := f.w.cands, f.w.text
	for i, e := range f.c.exclusions {
		if !e.cats.has(cat) {
			continue
		}
		if e.window == 0 {
			if f.docExcluded[i] == 0 { // the document-wide answer, once
				f.docExcluded[i] = -1
				if len(cands.excl[i]) >= e.minCount && !f.anyValid(e.unless, 0, len(text.norm)) {
					f.docExcluded[i] = 1
				}
			}
			if f.docExcluded[i] > 0 {
				return true
			}
			continue
		}
		lo, hi := text.runesAround(h.start, h.end, e.window)
		if countWithin(cands.excl[i], lo, hi) >= e.minCount && !f.anyValid(e.unless, lo, hi) {
			return true
		}
	}
	return false
}

// countWithin counts the occurrences (sorted by start) that lie in [lo, hi).
func countWithin(os []occurrence, lo, hi int) int {
	k := sort.Search(len(os), func(k int) bool { return os[k].start >= lo })
	n := 0
	for ; k < len(os) && os[k].start < hi; k++ {
		if os[k].end <= hi {
			n++
		}
	}
	return n
}

// anyValid reports whether a term of one of the groups occurs, on word
// boundaries, in [lo, hi) of the normalised text.
func (f *hitFilter) anyValid(groups []int, lo, hi int) bool {
	for _, g := range groups {
		for k, c := range f.w.cands.groups[g] {
			if c.start >= lo && c.end <= hi && f.w.valid(g, k) {
				return true
			}
		}
	}
	return false
}
