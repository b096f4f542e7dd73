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
	cache boundaryCache
}

// NewSegmenter loads gse's embedded dictionary (no files are read). Prefer
// SharedSegmenter: each call costs about a second and 130 MB.
func NewSegmenter() (*Segmenter, error) {
	s := &Segmenter{}
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

// Bounds of the boundary cache: entries, and the longest text cached.
const (
	boundaryCacheEntries = 4096
	boundaryCacheMaxText = 1024
)

// boundaryCache remembers the word starts of recently segmented texts. A
// crawl meets the same navigation, footer and boilerplate sentences on
// every page of a site, and segmentation is most of a flagged page's cost.
// It holds at most boundaryCacheEntries texts of at most
// boundaryCacheMaxText bytes (a few MB) and forgets the oldest first.
type boundaryCache struct {
	mu    sync.Mutex
	m     map[string][]int
	order []string // ring of keys, oldest at next
	next  int
}

// get returns a copy of the boundaries cached for text.
func (c *boundaryCache) get(text string) ([]int, bool) {
	if len(text) > boundaryCacheMaxText {
		return nil, false
	}
	c.mu.Lock()
	b, ok := c.m[text]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	return append([]int(nil), b...), true
}

// put caches a copy of the boundaries of text, evicting the oldest entry
// when full.
func (c *boundaryCache) put(text string, b []int) {
	if len(text) > boundaryCacheMaxText {
		return
	}
	b = append([]int(nil), b...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string][]int, boundaryCacheEntries)
		c.order = make([]string, 0, boundaryCacheEntries)
	}
	if _, ok := c.m[text]; ok {
		return
	}
	if len(c.order) < boundaryCacheEntries {
		c.order = append(c.order, text)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = text
		c.next = (c.next + 1) % boundaryCacheEntries
	}
	c.m[text] = b
}
