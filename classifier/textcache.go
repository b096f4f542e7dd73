package classifier

import "sync"

// Bounds of a textCache: entries, and the longest text cached.
const (
	textCacheEntries = 4096
	textCacheMaxText = 1024
)

// textCache remembers a value computed from a short text (a sentence): a
// crawl meets the same navigation, footer and boilerplate sentences on every
// page of a site, and segmenting them and running patterns over them is
// most of a page's classification. It holds at most textCacheEntries texts
// of at most textCacheMaxText bytes and forgets the oldest first. Values are
// copied in and out with clone, so callers own what they get. Safe for
// concurrent use.
type textCache[V any] struct {
	clone func(V) V

	mu    sync.Mutex
	m     map[string]V
	order []string // ring of keys, oldest at next
	next  int
}

func newTextCache[V any](clone func(V) V) *textCache[V] {
	return &textCache[V]{clone: clone}
}

// get returns a copy of the value cached for key.
func (c *textCache[V]) get(key string) (V, bool) {
	var zero V
	if len(key) > textCacheMaxText {
		return zero, false
	}
	c.mu.Lock()
	v, ok := c.m[key]
	c.mu.Unlock()
	if !ok {
		return zero, false
	}
	return c.clone(v), true
}

// put caches a copy of v for key, evicting the oldest entry when full.
func (c *textCache[V]) put(key string, v V) {
	if len(key) > textCacheMaxText {
		return
	}
	v = c.clone(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]V, textCacheEntries)
		c.order = make([]string, 0, textCacheEntries)
	}
	if _, ok := c.m[key]; ok {
		return
	}
	if len(c.order) < textCacheEntries {
		c.order = append(c.order, key)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = key
		c.next = (c.next + 1) % textCacheEntries
	}
	c.m[key] = v
}

func cloneInts(b []int) []int { return append([]int(nil), b...) }

func cloneSpans(locs [][]int) [][]int {
	out := make([][]int, len(locs))
	for i, l := range locs {
		out[i] = cloneInts(l)
	}
	return out
}
