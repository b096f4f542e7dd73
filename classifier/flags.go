package classifier

import (
	"math"
	"net"
	"sort"
	"strings"
	"unicode/utf8"

	"adscan"
)

// Evidence limits.
const (
	maxEvidence  = 10
	snippetRunes = 30
)

// flags filters the hits through suppressors, allow entries and exclusions,
// scores each category and returns the flags at or above threshold, in the
// lexicon's category order.
func (d *docState) flags(hits []hit) []adscan.Flag {
	byCat := make([][]hit, len(d.c.categories))
	for _, h := range hits {
		cat := d.c.rules[h.rule].category
		if d.kept(h, cat) && !d.excluded(cat, h) {
			byCat[cat] = append(byCat[cat], h)
		}
	}
	flags := []adscan.Flag{}
	for cat, hs := range byCat {
		if len(hs) == 0 {
			continue
		}
		score := d.score(hs)
		if score < d.c.categories[cat].threshold-1e-9 {
			continue
		}
		flags = append(flags, adscan.Flag{
			Category: d.c.categories[cat].id,
			Score:    math.Round(score*1e4) / 1e4,
			Basis:    d.c.categories[cat].basis,
			Evidence: d.evidence(hs),
		})
	}
	return flags
}

// kept reports whether a hit survives the suppressors (a suppressor term in
// its sentence, or within the suppressor's window) and the allow entries
// (the entry's phrase in its sentence, on the entry's site).
func (d *docState) kept(h hit, cat int) bool {
	ss, _ := d.sentence(h.start)
	_, se := d.sentence(max(h.start, h.end-1))
	for i, s := range d.c.suppressors {
		if !s.cats.has(cat) || len(d.cands.supp[i]) == 0 {
			continue
		}
		if s.window == 0 && anyWithin(d.cands.supp[i], ss, se) {
			return false
		}
		if s.window > 0 && d.anyNear(d.cands.supp[i], h.start, h.end, s.window) {
			return false
		}
	}
	for i, a := range d.c.allow {
		if a.cats.has(cat) && siteMatches(a.site, d.doc.Site) && anyWithin(d.cands.allow[i], ss, se) {
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
func (d *docState) anyNear(os []occurrence, s, e, window int) bool {
	reach := 4*window + 4
	k := sort.Search(len(os), func(k int) bool { return os[k].start >= s-reach })
	for ; k < len(os) && os[k].start <= e+reach; k++ {
		if _, ok := gapFits(d.normText, window, s, e, s, e, os[k].start, os[k].end); ok {
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
func (d *docState) excluded(cat int, h hit) bool {
	for i, e := range d.c.exclusions {
		if !e.cats.has(cat) {
			continue
		}
		if e.window == 0 {
			if d.docExcluded[i] == 0 { // the document-wide answer, once
				d.docExcluded[i] = -1
				if len(d.cands.excl[i]) >= e.minCount && !d.anyValid(e.unless, 0, len(d.norm)) {
					d.docExcluded[i] = 1
				}
			}
			if d.docExcluded[i] > 0 {
				return true
			}
			continue
		}
		lo, hi := d.runesAround(h.start, h.end, e.window)
		if countWithin(d.cands.excl[i], lo, hi) >= e.minCount && !d.anyValid(e.unless, lo, hi) {
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
func (d *docState) anyValid(groups []int, lo, hi int) bool {
	for _, g := range groups {
		for k, c := range d.cands.groups[g] {
			if c.start >= lo && c.end <= hi && d.w.valid(g, k) {
				return true
			}
		}
	}
	return false
}

// score is the noisy-OR of the hits' weights, each rule counted at most
// twice, its second hit at half weight.
func (d *docState) score(hs []hit) float64 {
	seen := map[int]int{}
	keep := 1.0
	for _, h := range hs {
		n := seen[h.rule]
		if n >= 2 {
			continue
		}
		seen[h.rule] = n + 1
		w := d.c.rules[h.rule].weight
		if n == 1 {
			w /= 2
		}
		keep *= 1 - w
	}
	return 1 - keep
}

// evidence returns up to maxEvidence spans, the heaviest rules first, then
// in text order; overlapping hits of one rule (one per subject word of
// 语文、数学、英语) are given as one span, and a span found by two rules once.
func (d *docState) evidence(hs []hit) []adscan.Evidence {
	hs = mergeOverlaps(hs)
	sort.SliceStable(hs, func(a, b int) bool {
		wa, wb := d.c.rules[hs[a].rule].weight, d.c.rules[hs[b].rule].weight
		if wa != wb {
			return wa > wb
		}
		return hs[a].start < hs[b].start
	})
	seen := map[span]bool{}
	out := []adscan.Evidence{}
	for _, h := range hs {
		s, e := d.nmap.span(h.start, h.end)
		if seen[span{s, e}] {
			continue
		}
		seen[span{s, e}] = true
		out = append(out, adscan.Evidence{
			Text:    d.text[s:e],
			Start:   s,
			End:     e,
			Rule:    d.c.rules[h.rule].id,
			Snippet: snippet(d.text, s, e),
		})
		if len(out) == maxEvidence {
			break
		}
	}
	return out
}

// mergeOverlaps returns a copy of hs in which the overlapping hits of each
// rule are merged into one hit covering them all.
func mergeOverlaps(hs []hit) []hit {
	hs = append([]hit(nil), hs...)
	sort.Slice(hs, func(a, b int) bool {
		if hs[a].rule != hs[b].rule {
			return hs[a].rule < hs[b].rule
		}
		return hs[a].start < hs[b].start
	})
	out := hs[:0]
	for _, h := range hs {
		if n := len(out); n > 0 && out[n-1].rule == h.rule && h.start < out[n-1].end {
			out[n-1].end = max(out[n-1].end, h.end)
			continue
		}
		out = append(out, h)
	}
	return out
}

// snippet returns text[s:e] with up to snippetRunes runes either side, line
// breaks and tabs shown as spaces.
func snippet(text string, s, e int) string {
	lo := s
	for n := 0; n < snippetRunes && lo > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:lo])
		lo -= size
	}
	hi := e
	for n := 0; n < snippetRunes && hi < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[hi:])
		hi += size
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, text[lo:hi])
}
