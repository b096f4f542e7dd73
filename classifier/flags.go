package classifier

import (
	"math"
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

// flags is the last stage: the flags of the scored categories whose
// passages the voice stage found promotional (all of them without a voice
// model), in the lexicon's category order, with their evidence in the
// original text and the voice decision.
func (c *Classifier) flags(text *normText, scored []scoredCategory, voices []*adscan.Voice) []adscan.Flag {
	flags := []adscan.Flag{}
	for i, sc := range scored {
		v := voices[i]
		if v != nil && !v.Promotional {
			continue
		}
		flags = append(flags, adscan.Flag{
			Category: c.categories[sc.cat].id,
			Score:    math.Round(sc.score*1e4) / 1e4,
			Basis:    c.categories[sc.cat].basis,
			Evidence: c.evidence(text, sc.hits),
			Voice:    v,
		})
	}
	return flags
}

// evidence returns up to maxEvidence spans, the heaviest rules first, then
// in text order; overlapping hits of one rule (one per subject word of
// 语文、数学、英语) are given as one span, and a span found by two rules once.
func (c *Classifier) evidence(text *normText, hs []hit) []adscan.Evidence {
	hs = mergeOverlaps(hs)
	sort.SliceStable(hs, func(a, b int) bool {
		wa, wb := c.rules[hs[a].rule].weight, c.rules[hs[b].rule].weight
		if wa != wb {
			return wa > wb
		}
		return hs[a].start < hs[b].start
	})
	seen := map[span]bool{}
	out := []adscan.Evidence{}
	for _, h := range hs {
		s, e := text.nmap.span(h.start, h.end)
		if seen[span{s, e}] {
			continue
		}
		seen[span{s, e}] = true
		out = append(out, adscan.Evidence{
			Text:    text.text[s:e],
			Start:   s,
			End:     e,
			Rule:    c.rules[h.rule].id,
			Snippet: snippet(text.text, s, e),
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
