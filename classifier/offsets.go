package classifier

import "sort"

// span is a range [start, end) of byte offsets.
type span struct{ start, end int }

// spanMap maps byte offsets of a derived text (the normalised text, or the
// numeric view) back to the text it was derived from.
//
// The derived text is a sequence of pieces, each starting at an anchor. A
// plain piece corresponds byte for byte to the source from the anchor on
// (characters copied, or replaced by characters of the same length such as
// ASCII lower-casing and most traditional → simplified conversions). An
// atomic piece replaced a source range by text of another length (a
// full-width digit, a Chinese numeral): every byte of it maps to the whole
// source range. Source bytes between pieces were dropped (separators).
type spanMap struct {
	anchors []anchor
	srcLen  int
	dstLen  int
}

type anchor struct {
	dst, src int
	srcEnd   int // for an atomic piece, the end of its source range; -1 for a plain piece
}

// identityMap returns the map of a text derived by copying all n bytes.
func identityMap(n int) spanMap {
	return spanMap{anchors: []anchor{{0, 0, -1}}, srcLen: n, dstLen: n}
}

// mapBuilder builds a spanMap while the derived text is written.
type mapBuilder struct {
	m        spanMap
	plainDst int // dst offset where the open plain piece would continue, -1 if none is open
	plainSrc int
}

func newMapBuilder(srcLen int) *mapBuilder {
	return &mapBuilder{m: spanMap{srcLen: srcLen}, plainDst: -1}
}

// copied records that the source bytes [src, src+n) were written at dst
// with the same length.
func (b *mapBuilder) copied(dst, src, n int) {
	if n == 0 {
		return
	}
	if b.plainDst != dst || b.plainSrc != src {
		b.m.anchors = append(b.m.anchors, anchor{dst, src, -1})
	}
	b.plainDst, b.plainSrc = dst+n, src+n
}

// replaced records that the source bytes [src, srcEnd) were written at dst
// as text of another length.
func (b *mapBuilder) replaced(dst, src, srcEnd int) {
	b.m.anchors = append(b.m.anchors, anchor{dst, src, srcEnd})
	b.plainDst = -1
}

func (b *mapBuilder) done(dstLen int) spanMap {
	b.m.dstLen = dstLen
	if len(b.m.anchors) == 0 {
		b.m.anchors = []anchor{{0, 0, -1}}
	}
	return b.m
}

// find returns the index of the last anchor at or before dst.
func (m *spanMap) find(dst int) int {
	i := sort.Search(len(m.anchors), func(i int) bool { return m.anchors[i].dst > dst })
	if i == 0 {
		return 0
	}
	return i - 1
}

// start maps the offset of the first byte of a derived span to the source.
func (m *spanMap) start(dst int) int {
	if dst >= m.dstLen {
		return m.srcLen
	}
	a := m.anchors[m.find(dst)]
	if a.srcEnd >= 0 {
		return a.src
	}
	return clamp(a.src+(dst-a.dst), 0, m.srcLen)
}

// end maps the (exclusive) end offset of a non-empty derived span to the
// source: the end of the source of its last byte.
func (m *spanMap) end(dstEnd int) int {
	if dstEnd <= 0 {
		return m.start(0)
	}
	last := dstEnd - 1
	if last >= m.dstLen {
		return m.srcLen
	}
	a := m.anchors[m.find(last)]
	if a.srcEnd >= 0 {
		return a.srcEnd
	}
	return clamp(a.src+(last-a.dst)+1, 0, m.srcLen)
}

// span maps the derived span [s, e) to the source. An empty span maps to an
// empty span at the source of s.
func (m *spanMap) span(s, e int) (int, int) {
	if e <= s {
		p := m.start(s)
		return p, p
	}
	return m.start(s), m.end(e)
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
