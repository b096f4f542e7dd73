package classifier

import "adscan"

// Classify flags doc by the lexicon's rules. Evidence offsets index into
// doc.Text. It never panics; text that is not valid UTF-8 is classified
// with its invalid bytes taken as they are.
func (c *Classifier) Classify(doc adscan.Document) adscan.Result {
	res := adscan.Result{Lexicon: c.ref, Flags: []adscan.Flag{}}
	if doc.Text == "" {
		return res
	}
	d := c.newDoc(doc)
	if !d.cands.feasible(c.rules) {
		return res
	}
	hits := c.ruleHits(d.w)
	if len(hits) == 0 {
		return res
	}
	res.Flags = d.flags(hits)
	return res
}

// docState is the working state of one Classify call.
type docState struct {
	*normText
	cands *candidates
	w     *words
	c     *Classifier
	doc   adscan.Document

	// docExcluded caches whether each document-wide exclusion applies:
	// 0 not yet known, 1 yes, -1 no.
	docExcluded []int8
}

func (c *Classifier) newDoc(doc adscan.Document) *docState {
	n := c.normalizeText(doc.Text)
	cands := c.findCandidates(n)
	return &docState{
		normText: n, cands: cands, w: c.segment(n, cands), c: c, doc: doc,
		docExcluded: make([]int8, len(c.exclusions)),
	}
}
