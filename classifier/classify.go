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
//	scoreCategories keptHits                  []scoredCategory score.go
//	judgeVoice      *normText, scored         []*adscan.Voice voicestage.go
//	flags           *normText, scored, voices []adscan.Flag   flags.go
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
// The rules say what a page claims; the voice stage says who is speaking.
// A scored category flags only where the voice model finds the page
// promotional — judged on the passages around the hits of every scored
// category: a provider advertising its own service, not a report, a
// regulation, advice, fiction, a school or adult training (see package
// voice and judgeVoice). Without a voice model every scored category flags.

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
	scored := c.scoreCategories(kept)
	voices := c.judgeVoice(text, scored)
	res.Flags = c.flags(text, scored, voices)
	return res
}
