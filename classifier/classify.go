package classifier

import (
	"sort"
	"unicode/utf8"

	"adscan"
)

// Segmentation limits: a sentence longer than maxSegmentBytes is not cut
// whole; a region of segmentMargin bytes either side of the term is.
const (
	maxSegmentBytes = 2048
	segmentMargin   = 512
)

// maxHitsPerRule bounds the work one rule does on one (huge) document.
const maxHitsPerRule = 200

// Classify flags doc by the lexicon's rules. Evidence offsets index into
// doc.Text. It never panics; text that is not valid UTF-8 is classified
// with its invalid bytes taken as they are.
func (c *Classifier) Classify(doc adscan.Document) adscan.Result {
	res := adscan.Result{Lexicon: c.ref, Flags: []adscan.Flag{}}
	if doc.Text == "" {
		return res
	}
	d := c.newDoc(doc)
	if !d.feasible() {
		return res
	}
	hits := d.hits()
	if len(hits) == 0 {
		return res
	}
	res.Flags = d.flags(hits)
	return res
}

// docState is the working state of one Classify call.
type docState struct {
	*normText
	c   *Classifier
	doc adscan.Document

	groupCands [][]cand       // candidates of each group, by start
	supp       [][]occurrence // occurrences of each suppressor's terms
	excl       [][]occurrence // occurrences of each exclusion's terms
	// docExcluded caches whether each document-wide exclusion applies:
	// 0 not yet known, 1 yes, -1 no.
	docExcluded []int8
	allow       [][]occurrence // occurrences of each allow entry's phrase
	litPos      [][]int        // by rule: where its required literals occur
}

// cand is a group term's candidate occurrence; ok is 0 until its word
// boundaries are checked, then 1 or -1.
type cand struct {
	start, end int
	ok         int8
}

func (c *Classifier) newDoc(doc adscan.Document) *docState {
	n := c.normalizeText(doc.Text)
	d := &docState{
		normText: n, c: c, doc: doc,
		groupCands:  make([][]cand, len(c.groups)),
		supp:        make([][]occurrence, len(c.suppressors)),
		excl:        make([][]occurrence, len(c.exclusions)),
		docExcluded: make([]int8, len(c.exclusions)),
		allow:       make([][]occurrence, len(c.allow)),
		litPos:      make([][]int, len(c.rules)),
	}
	c.pf.scan(n.norm, func(o occurrence) {
		for _, ref := range c.pf.refs[o.pattern] {
			switch ref.kind {
			case kindGroup:
				d.groupCands[ref.index] = append(d.groupCands[ref.index], cand{start: o.start, end: o.end})
			case kindSuppressor:
				d.supp[ref.index] = append(d.supp[ref.index], o)
			case kindExclusion:
				d.excl[ref.index] = append(d.excl[ref.index], o)
			case kindAllow:
				d.allow[ref.index] = append(d.allow[ref.index], o)
			case kindLiteral:
				d.litPos[ref.index] = append(d.litPos[ref.index], o.start)
			}
		}
	})
	for _, cs := range d.groupCands {
		sort.Slice(cs, func(i, j int) bool {
			return cs[i].start < cs[j].start || cs[i].start == cs[j].start && cs[i].end < cs[j].end
		})
	}
	for _, os := range d.supp {
		sortOccurrences(os)
	}
	for _, os := range d.allow {
		sortOccurrences(os)
	}
	for _, os := range d.excl {
		sortOccurrences(os)
	}
	return d
}

func sortOccurrences(os []occurrence) {
	sort.Slice(os, func(i, j int) bool { return os[i].start < os[j].start })
}

// feasible reports whether some rule could fire on the candidates found,
// before any segmentation.
func (d *docState) feasible() bool {
	for i := range d.c.rules {
		if d.ruleFeasible(i) {
			return true
		}
	}
	return false
}

func (d *docState) ruleFeasible(i int) bool {
	r := &d.c.rules[i]
	if r.re != nil && r.literals && len(d.litPos[i]) == 0 {
		return false
	}
	for _, g := range r.all {
		if len(d.groupCands[g]) == 0 {
			return false
		}
	}
	if len(r.any) > 0 {
		for _, g := range r.any {
			if len(d.groupCands[g]) > 0 {
				return true
			}
		}
		return false
	}
	return true
}

// valid reports whether candidate k of group g starts and ends on word
// boundaries. The first check in a region segments it and settles every
// candidate in it at once.
func (d *docState) valid(g, k int) bool {
	cd := &d.groupCands[g][k]
	if cd.ok == 0 {
		d.checkRegion(cd.start, cd.end) // settles cd, whose span is [s, e)
	}
	return cd.ok == 1
}

// checkRegion segments the region around [s, e) and settles the word
// boundaries of every unchecked candidate inside it, away from artificial
// region edges.
func (d *docState) checkRegion(s, e int) {
	lo, hi, starts := d.region(s, e)
	sentLo, sentHi := d.sentence(s)
	const edge = 128 // candidates this close to an artificial edge wait for their own region
	for g := range d.groupCands {
		cands := d.groupCands[g]
		k := sort.Search(len(cands), func(k int) bool { return cands[k].start >= lo })
		for ; k < len(cands) && cands[k].start < hi; k++ {
			cd := &cands[k]
			if cd.ok != 0 || cd.end > hi {
				continue
			}
			inner := (cd.start-lo >= edge || lo == sentLo) && (hi-cd.end >= edge || hi >= sentHi)
			if !inner && !(cd.start == s && cd.end == e) {
				continue
			}
			cd.ok = -1
			if d.boundaryOK(starts, cd.start, cd.end) {
				cd.ok = 1
			}
		}
	}
}

// region returns the region segmented for a term at [s, e) — its
// sentence, or a part of it around the term if the sentence is long — and
// the gse word starts in it (absolute offsets in norm, ending with hi).
func (d *docState) region(s, e int) (lo, hi int, starts []int) {
	lo, hi = d.sentence(s)
	if e > hi {
		hi = e
	}
	if hi-lo > maxSegmentBytes {
		lo = max(lo, runeStartAtOrBefore(d.norm, s-segmentMargin))
		hi = min(hi, runeStartAtOrAfter(d.norm, e+segmentMargin))
	}
	starts = d.c.seg.boundaries(d.norm[lo:hi])
	for i := range starts {
		starts[i] += lo
	}
	return lo, hi, starts
}

func runeStartAtOrBefore(s string, p int) int {
	if p <= 0 {
		return 0
	}
	for p > 0 && p < len(s) && !utf8.RuneStart(s[p]) {
		p--
	}
	return min(p, len(s))
}

func runeStartAtOrAfter(s string, p int) int {
	if p >= len(s) {
		return len(s)
	}
	for p < len(s) && !utf8.RuneStart(s[p]) {
		p++
	}
	return p
}
