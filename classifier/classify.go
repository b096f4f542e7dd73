package classifier

import "adscan"

// The pipeline. Classify takes a document through these stages, in this
// order and never back to an earlier one:
//
//	stage           from                      to              file
//	normalizeText   doc.Text                  *normText       normalize.go
//	findCandidates  *normText                 *candidates     candidates.go
//	segment         *normText, *candidates    *words          segment.go
//	ruleHits        *words                    []hit           rules.go
//	filterHits      *words, []hit, doc.Site   keptHits        filter.go
//	flags           *normText, keptHits       []adscan.Flag   flags.go
//
// A stage reads the values of the stages before it and changes none of
// them, except that two of them work facts out on first use: normText its
// sentences, rune index and numeric views, words the word boundaries of a
// sentence region (segmenting only where a rule asks is what keeps the
// classifier fast). The answers words gives can depend, in long sentences,
// on which region was cut first, so ruleHits and filterHits ask their
// questions in a fixed order: the rules in lexicon order, then the hits in
// the order found.
//
// A stage that judges the kept hits, keptHits in and keptHits out, fits
// between filterHits and flags without changing the others.

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
