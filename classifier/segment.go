package classifier

import (
	"fmt"
	"sync"

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
