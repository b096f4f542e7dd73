package classifier

import (
	"sort"

	"adscan"
	"adscan/classifier/voice"
)

// Passages the voice model judges: the text within passageRunes runes
// either side of a category's hits (overlapping windows merged), at most
// maxPassages of them per category, the heaviest hits first. The model was
// trained on pages' openings of a few hundred to two thousand characters,
// which is what a passage of this size looks like.
const (
	passageRunes = 200
	maxPassages  = 3
	// maxPassageBytes bounds a passage that overlapping windows widen: on a
	// long listing they would otherwise merge into one passage of the
	// whole page, more than voiceBag reads (maxVoiceBytes).
	maxPassageBytes = 4 * 3 * passageRunes
)

// How the voice and the rules combine: a category flags when the voice
// model's probability for the passage around its hits reaches the model's
// threshold, or strongRelief less than it where the rules' score is at
// least strongScore (several rules firing together, e.g. a subject class
// with its price and its hotline, are evidence of an advert in their own
// right). Chosen by cross-validation on the train and dev splits (README).
const (
	strongScore  = 0.8
	strongRelief = 0.1
)

// judgeVoice is the voice stage. The voice model judges the passages
// around the hits of every scored category (each passage once); the most
// promotional of them is the page's voice, and a category flags where its
// probability reaches the threshold (lowered for strong rule evidence, see
// strongScore). One voice per page, not per category, because a provider's
// advert speaks in one voice: judged per category, a claim near the page's
// filler (a footer, a news list) lost the voice its own advert had. The
// decision names the passage it was taken on. Without a voice model it
// returns nils (every scored category flags, as with rules alone).
func (c *Classifier) judgeVoice(text *normText, scored []scoredCategory) []*adscan.Voice {
	out := make([]*adscan.Voice, len(scored))
	if c.voice == nil {
		return out
	}
	judged := map[span]voice.Decision{}
	var best *adscan.Voice
	var exact float64 // best's unrounded probability
	for _, sc := range scored {
		for _, p := range c.passages(text, sc.hits) {
			d, ok := judged[p]
			if !ok {
				d = c.voice.Decide(c.seg.voiceBag(text.norm[p.start:p.end]))
				judged[p] = d
			}
			if best == nil || d.Exact > exact {
				s, e := text.nmap.span(p.start, p.end)
				best, exact = &adscan.Voice{Model: c.voiceName, Probability: d.Probability,
					Start: s, End: e, Features: voiceFeatures(d.Features)}, d.Exact
			}
		}
	}
	for i, sc := range scored {
		need := c.voice.Threshold
		if sc.score >= strongScore {
			need -= strongRelief
		}
		v := *best
		v.Promotional = exact >= need
		out[i] = &v
	}
	return out
}

// passages returns the windows of passageRunes runes around the hits,
// merged where they overlap as long as the merged passage stays within
// maxPassageBytes, the ones holding the heaviest hits first.
func (c *Classifier) passages(text *normText, hs []hit) []span {
	order := append([]hit(nil), hs...)
	sort.SliceStable(order, func(a, b int) bool { return c.rules[order[a].rule].weight > c.rules[order[b].rule].weight })
	var out []span
	for _, h := range order {
		lo, hi := text.runesAround(h.start, h.end, passageRunes)
		merged := false
		for k := range out {
			mlo, mhi := min(lo, out[k].start), max(hi, out[k].end)
			if lo < out[k].end && hi > out[k].start && mhi-mlo <= maxPassageBytes {
				out[k] = span{mlo, mhi}
				merged = true
				break
			}
		}
		if !merged {
			if len(out) == maxPassages {
				continue
			}
			out = append(out, span{lo, hi})
		}
	}
	return out
}

func voiceFeatures(cs []voice.Contribution) []adscan.VoiceFeature {
	out := make([]adscan.VoiceFeature, len(cs))
	for i, c := range cs {
		out[i] = adscan.VoiceFeature{Feature: c.Feature, Weight: c.Weight}
	}
	return out
}

// WithVoice returns a copy of the classifier that gates its flags with the
// voice model m: a category flags only where the passage around its hits
// is promotional. A nil m gives rules alone.
func (c *Classifier) WithVoice(m *voice.Model) *Classifier {
	cp := *c
	cp.voice, cp.voiceName = m, ""
	if m != nil {
		cp.voiceName = m.Name + " " + m.Version
	}
	return &cp
}
