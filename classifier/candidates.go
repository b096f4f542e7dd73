package classifier

import "sort"

// candidates is the value of the candidate stage: where the prefilter
// found the lexicon's terms, and the literals rule patterns require, in the
// normalised text, sorted by what they stand for. A group term found here is
// only a candidate: whether it lies on word boundaries is the next stage's
// question (words). A candidates does not change once built.
type candidates struct {
	groups [][]span       // by group: its terms' occurrences, by start then end
	supp   [][]occurrence // by suppressor: its terms' occurrences, by start
	excl   [][]occurrence // by exclusion: its terms' occurrences, by start
	allow  [][]occurrence // by allow entry: its phrase's occurrences, by start
	litPos [][]int        // by rule: where its required literals start, in text order
}

// findCandidates is the candidate stage: one Aho-Corasick pass of the
// prefilter over the normalised text.
func (c *Classifier) findCandidates(text *normText) *candidates {
	cs := &candidates{
		groups: make([][]span, len(c.groups)),
		supp:   make([][]occurrence, len(c.suppressors)),
		excl:   make([][]occurrence, len(c.exclusions)),
		allow:  make([][]occurrence, len(c.allow)),
		litPos: make([][]int, len(c.rules)),
	}
	c.pf.scan(text.norm, func(o occurrence) {
		for _, ref := range c.pf.refs[o.pattern] {
			switch ref.kind {
			case kindGroup:
				cs.groups[ref.index] = append(cs.groups[ref.index], span{o.start, o.end})
			case kindSuppressor:
				cs.supp[ref.index] = append(cs.supp[ref.index], o)
			case kindExclusion:
				cs.excl[ref.index] = append(cs.excl[ref.index], o)
			case kindAllow:
				cs.allow[ref.index] = append(cs.allow[ref.index], o)
			case kindLiteral:
				cs.litPos[ref.index] = append(cs.litPos[ref.index], o.start)
			}
		}
	})
	for _, g := range cs.groups {
		sort.Slice(g, func(i, j int) bool {
			return g[i].start < g[j].start || g[i].start == g[j].start && g[i].end < g[j].end
		})
	}
	for _, os := range cs.supp {
		sortOccurrences(os)
	}
	for _, os := range cs.allow {
		sortOccurrences(os)
	}
	for _, os := range cs.excl {
		sortOccurrences(os)
	}
	return cs
}

func sortOccurrences(os []occurrence) {
	sort.Slice(os, func(i, j int) bool { return os[i].start < os[j].start })
}

// feasible reports whether some of the rules could fire on the candidates,
// before any segmentation: a page for which none can is clean.
func (cs *candidates) feasible(rules []rule) bool {
	for i := range rules {
		if cs.ruleFeasible(rules, i) {
			return true
		}
	}
	return false
}

// ruleFeasible reports whether rule i has the candidates it needs: its
// required literals, a term of each All group and of one Any group.
func (cs *candidates) ruleFeasible(rules []rule, i int) bool {
	r := &rules[i]
	if r.re != nil && r.literals && len(cs.litPos[i]) == 0 {
		return false
	}
	for _, g := range r.all {
		if len(cs.groups[g]) == 0 {
			return false
		}
	}
	if len(r.any) > 0 {
		for _, g := range r.any {
			if len(cs.groups[g]) > 0 {
				return true
			}
		}
		return false
	}
	return true
}
