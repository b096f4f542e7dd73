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
	text := c.normalizeText(doc.Text)
	cands := c.findCandidates(text)
	if !cands.feasible(c.rules) {
		return res // no rule can fire: the page is never segmented
	}
	w := c.segment(text, cands)
	hits := c.ruleHits(w)
	if len(hits) == 0 {
		return res
	}
	kept := c.filterHits(w, hits, doc.Site)
	res.Flags = c.flags(text, kept)
	return res
}
