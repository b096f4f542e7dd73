package classifier

import (
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// Segmenter cuts Chinese text into words with gse and its embedded
// simplified-Chinese dictionary. Loading takes about a second and some
// 130 MB, so a process loads it once (SharedSegmenter) and every
// Classifier shares it.
//
// It is safe for concurrent use: after loading, gse's Segment only reads
// the dictionary (a cedar double-array trie that Jump/Value read without
// writing) and allocates its own working arrays per call. The only write
// gse makes to package state, its HMM model, happens while loading, which
// sync.Once serialises. Nothing adds words after loading: lexicon terms
// are handled by the boundary rule of boundaryOK, not by changing the
// shared dictionary, so classifiers with different lexicons cannot affect
// each other.
type Segmenter struct {
	seg   gse.Segmenter
	cache *textCache[[]int] // word starts of recently segmented texts
}

// NewSegmenter loads gse's embedded dictionary (no files are read). Prefer
// SharedSegmenter: each call costs about a second and 130 MB.
func NewSegmenter() (*Segmenter, error) {
	s := &Segmenter{cache: newTextCache(cloneInts)}
	s.seg.SkipLog = true
	s.seg.NotLoadHMM = true // Segment uses the dictionary's shortest path only
	if err := s.seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("classifier: load gse dictionary: %w", err)
	}
	return s, nil
}

var sharedSegmenter = sync.OnceValues(NewSegmenter)

// SharedSegmenter returns the process's Segmenter, loading it on first use.
func SharedSegmenter() (*Segmenter, error) { return sharedSegmenter() }

// Preload starts loading the process's Segmenter in the background, for a
// program that has other slow work to do before it classifies (starting or
// dialling Temporal): New then finds the dictionary loaded, or waits for
// the rest of it. A failed load is New's to report.
func Preload() { go func() { _, _ = sharedSegmenter() }() }

// Cut returns the words of text, as gse's Cut does with default options.
// The benchmark compares the classifier against it.
func (s *Segmenter) Cut(text string) []string { return s.seg.Cut(text) }

// boundaries returns the byte offsets in text at which gse's words start,
// followed by len(text). The caller owns the slice.
func (s *Segmenter) boundaries(text string) []int {
	if b, ok := s.cache.get(text); ok {
		return b
	}
	segs := s.seg.Segment([]byte(text))
	b := make([]int, 0, len(segs)+1)
	for i := range segs {
		b = append(b, segs[i].Start())
	}
	b = append(b, len(text))
	s.cache.put(text, b)
	return b
}

// Segmentation limits: a sentence longer than maxSegmentBytes is not cut
// whole; a region of segmentMargin bytes either side of the term is.
const (
	maxSegmentBytes = 2048
	segmentMargin   = 512
)

// words is the value of the segmentation stage: it answers whether
// candidate k of group g lies on word boundaries (valid), by gse's words
// and the boundary rule of boundaryOK (著名校友 does not hold the word 名校).
//
// It segments nothing up front. The first question about a candidate cuts
// the sentence around it with gse (the part of the sentence around it, if
// the sentence is long) and settles every candidate in that region at once;
// later questions there are answered from what was settled. The rule stage
// asks only about candidates that could complete a hit, so most of a page
// is never segmented: this laziness is what keeps Classify faster than
// gse's Cut of the same text, and it stays inside this type.
//
// The settled answers are its only state. For a candidate in a long
// sentence the answer can depend on which region around it was cut first,
// so the stages after it ask their questions in a fixed order.
type words struct {
	seg   *Segmenter
	text  *normText
	cands *candidates
	// verdict holds the answer for candidate k of group g at base[g]+k:
	// 0 while unchecked, then 1 (on word boundaries) or -1.
	verdict []int8
	base    []int
}

// segment is the segmentation stage. It returns at once: the words are cut
// as questions come (see words).
func (c *Classifier) segment(text *normText, cands *candidates) *words {
	w := &words{seg: c.seg, text: text, cands: cands, base: make([]int, len(cands.groups))}
	n := 0
	for g, cs := range cands.groups {
		w.base[g] = n
		n += len(cs)
	}
	w.verdict = make([]int8, n)
	return w
}

// valid reports whether candidate k of group g starts and ends on word
// boundaries. The first question in a region segments it and settles
// every candidate in it at once.
func (w *words) valid(g, k int) bool {
	v := &w.verdict[w.base[g]+k]
	if *v == 0 {
		cd := w.cands.groups[g][k]
		w.checkRegion(cd.start, cd.end) // settles v, with the candidates around it
	}
	return *v == 1
}

// ruledOut reports whether candidate k of group g is known not to lie on
// word boundaries, without segmenting anything.
func (w *words) ruledOut(g, k int) bool { return w.verdict[w.base[g]+k] < 0 }

// checkRegion segments the region around [s, e) and settles the word
// boundaries of every unchecked candidate inside it, away from artificial
// region edges.
func (w *words) checkRegion(s, e int) {
	lo, hi, starts := w.region(s, e)
	sentLo, sentHi := w.text.sentence(s)
	const edge = 128 // candidates this close to an artificial edge wait for their own region
	for g, cands := range w.cands.groups {
		verdict := w.verdict[w.base[g] : w.base[g]+len(cands)]
		k := sort.Search(len(cands), func(k int) bool { return cands[k].start >= lo })
		for ; k < len(cands) && cands[k].start < hi; k++ {
			cd := cands[k]
			if verdict[k] != 0 || cd.end > hi {
				continue
			}
			inner := (cd.start-lo >= edge || lo == sentLo) && (hi-cd.end >= edge || hi >= sentHi)
			if !inner && !(cd.start == s && cd.end == e) {
				continue
			}
			verdict[k] = -1
			if w.boundaryOK(starts, cd.start, cd.end) {
				verdict[k] = 1
			}
		}
	}
}

// region returns the region segmented for a term at [s, e) — its
// sentence, or a part of it around the term if the sentence is long — and
// the gse word starts in it (absolute offsets in norm, ending with hi).
func (w *words) region(s, e int) (lo, hi int, starts []int) {
	norm := w.text.norm
	lo, hi = w.text.sentence(s)
	if e > hi {
		hi = e
	}
	if hi-lo > maxSegmentBytes {
		lo = max(lo, runeStartAtOrBefore(norm, s-segmentMargin))
		hi = min(hi, runeStartAtOrAfter(norm, e+segmentMargin))
	}
	starts = w.seg.boundaries(norm[lo:hi])
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
