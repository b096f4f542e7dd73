package classifier

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// normText is the value of the normalisation stage, the first of Classify:
// a document's text, its normalised form and the map between them, with the
// facts about the normalised text that later stages ask for — its sentences
// (sentence), rune positions (runesAround, runeLen) and numeric views
// (wholeNumeric, sentenceNumeric, countsNear). Each fact is worked out on
// first use and kept for the rest of the document; nothing else changes a
// normText. It belongs to one Classify call.
type normText struct {
	text string  // the original text; evidence offsets index into it
	norm string  // the normalised text; every other offset indexes into it
	nmap spanMap // from norm back to text

	delims     []int   // ends of sentence delimiters in norm, lazily (sentence)
	runeStarts []int32 // byte offset of each rune of norm, lazily (runesAround)

	whole        *numView          // the numeric view of all of norm, lazily
	sentNum      map[span]*numView // numeric views of single sentences
	sentNumBytes int               // the text they cover
}

// normalizeText is the normalisation stage: it folds text into the form
// the lexicon's terms were compiled in (see normalize).
func (c *Classifier) normalizeText(text string) *normText {
	norm, nmap := c.norm.normalize(text)
	return &normText{text: text, norm: norm, nmap: nmap}
}

// sentence returns the sentence of norm holding offset p: the text between
// delimiters (。！？；!?; and line breaks).
func (n *normText) sentence(p int) (int, int) {
	if n.delims == nil {
		n.delims = []int{}
		for i := 0; i < len(n.norm); i++ {
			switch n.norm[i] {
			case '\n', '\r', '!', '?', ';':
				n.delims = append(n.delims, i+1)
			case 0xE3: // 。 is E3 80 82
				if strings.HasPrefix(n.norm[i:], "。") {
					n.delims = append(n.delims, i+3)
				}
			}
		}
	}
	k := sort.SearchInts(n.delims, p+1) // first delimiter end > p
	start, end := 0, len(n.norm)
	if k > 0 {
		start = n.delims[k-1]
	}
	if k < len(n.delims) {
		end = n.delims[k]
	}
	return start, end
}

// runesAround widens [s, e) of the normalised text by r runes each way.
// It indexes the runes of the text once per document, so a window costs a
// binary search however wide it is.
func (n *normText) runesAround(s, e, r int) (lo, hi int) {
	if n.runeStarts == nil {
		n.runeStarts = make([]int32, 0, len(n.norm))
		for i := range n.norm {
			n.runeStarts = append(n.runeStarts, int32(i))
		}
	}
	rs := n.runeStarts
	i := sort.Search(len(rs), func(k int) bool { return int(rs[k]) >= s }) // the rune at s
	j := sort.Search(len(rs), func(k int) bool { return int(rs[k]) >= e }) // the rune at (after) e
	lo, hi = 0, len(n.norm)
	if i-r > 0 {
		lo = int(rs[i-r])
	}
	if j+r < len(rs) {
		hi = int(rs[j+r])
	}
	return lo, hi
}

// runeLen returns the number of runes in norm[a:b], or limit+1 if it is
// certainly more than limit.
func (n *normText) runeLen(a, b, limit int) int {
	if b <= a {
		return 0
	}
	if b-a > 4*limit+4 {
		return limit + 1
	}
	return utf8.RuneCountInString(n.norm[a:b])
}

// maxSeparatorRun is the longest run of separators between two Hanzi that
// normalisation removes (名 校, 名 * 校); longer runs are layout, not evasion.
const maxSeparatorRun = 3

// normalizer folds text into the form lexicon terms are matched in.
// It is immutable once built and safe for concurrent use.
type normalizer struct {
	// t2s maps a traditional Hanzi in [t2sLo, t2sHi] to its simplified
	// form, 0 where the character is unchanged.
	t2s []rune
}

const (
	t2sLo = 0x3400
	t2sHi = 0xFAFF
)

// sharedNormalizer builds the normalizer once per process: the table comes
// from OpenCC's embedded t2s dictionaries (no files are read).
var sharedNormalizer = sync.OnceValues(newNormalizer)

// newNormalizer builds the character table of OpenCC's t2s conversion.
// Conversion is character by character on purpose: every traditional
// character in the BMP maps to exactly one simplified character, so
// offsets stay exact, and lexicon terms are folded by the same table, so a
// term and the text it should match always fold alike. (OpenCC's phrase
// tables would only change a few words such as 乾坤, and can change the
// number of characters, which the offset map would then have to absorb.)
func newNormalizer() (*normalizer, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("classifier: load OpenCC t2s: %w", err)
	}
	n := &normalizer{t2s: make([]rune, t2sHi-t2sLo+1)}
	for r := rune(t2sLo); r <= t2sHi; r++ {
		if !isHan(r) {
			continue
		}
		out, err := cc.Convert(string(r))
		if err != nil {
			return nil, fmt.Errorf("classifier: OpenCC t2s %q: %w", r, err)
		}
		s, size := utf8.DecodeRuneInString(out)
		if size == len(out) && s != r && s != utf8.RuneError {
			n.t2s[r-t2sLo] = s
		}
	}
	return n, nil
}

// fold maps one rune: full-width forms to ASCII, ASCII to lower case,
// traditional to simplified Hanzi.
func (n *normalizer) fold(r rune) rune {
	switch {
	case r < 0x80:
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	case 0xFF01 <= r && r <= 0xFF5E:
		r -= 0xFEE0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000:
		return ' '
	case t2sLo <= r && r <= t2sHi:
		if s := n.t2s[r-t2sLo]; s != 0 {
			return s
		}
	}
	return r
}

// normalize folds s and removes zero-width characters and evasion
// separators between two Hanzi. It returns the normalised text and the map
// of its bytes back to s. Invalid UTF-8 bytes are kept as they are. When
// nothing changes, the result is s itself with an identity map.
func (n *normalizer) normalize(s string) (string, spanMap) {
	var (
		out     *strings.Builder // nil while the output equals s[:i]
		mb      *mapBuilder
		lastHan bool
	)
	start := func(i int) {
		out = &strings.Builder{}
		out.Grow(len(s))
		out.WriteString(s[:i])
		mb = newMapBuilder(len(s))
		mb.copied(0, 0, i)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if lastHan && isSeparator(n.fold(r)) {
			if j, ok := n.separatorRunBeforeHan(s, i); ok {
				if out == nil {
					start(i)
				}
				i = j
				continue
			}
		}
		if lastHan && (r == '(' || r == '（') {
			if j, ok := pinyinGloss(s, i+size); ok {
				if out == nil {
					start(i)
				}
				i = j // 學(xué): the gloss goes like a separator; the Hanzi before it stays lastHan
				continue
			}
		}
		if isZeroWidth(r) {
			if out == nil {
				start(i)
			}
			i += size
			continue
		}
		f := r
		if !(r == utf8.RuneError && size == 1) {
			f = n.fold(r)
		}
		lastHan = isHan(f)
		if f == r {
			if out != nil {
				mb.copied(out.Len(), i, size)
				out.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		if out == nil {
			start(i)
		}
		dst := out.Len()
		out.WriteRune(f)
		if out.Len()-dst == size {
			mb.copied(dst, i, size)
		} else {
			mb.replaced(dst, i, i+size)
		}
		i += size
	}
	if out == nil {
		return s, identityMap(len(s))
	}
	return out.String(), mb.done(out.Len())
}

// pinyinGloss reports whether s[i:] is a pinyin syllable of at most
// maxPinyinRunes letters (with tone marks) closed by ")" or "）", as content
// farms put after every character (學(xué)習(xí)); it returns the offset after
// the closing bracket.
func pinyinGloss(s string, i int) (int, bool) {
	for k := 0; i < len(s); k++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == ')' || r == '）' {
			return i + size, k > 0
		}
		if k == maxPinyinRunes || !isPinyinLetter(r) {
			return 0, false
		}
		i += size
	}
	return 0, false
}

// maxPinyinRunes is the longest pinyin syllable (zhuang, shuang) with a
// tone number.
const maxPinyinRunes = 7

func isPinyinLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '1' && r <= '5' || strings.ContainsRune("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêɑ", r)
}

// separatorRunBeforeHan reports whether a run of at most maxSeparatorRun
// separators starts at s[i:] and is followed by a Hanzi; it returns the
// offset of that Hanzi.
func (n *normalizer) separatorRunBeforeHan(s string, i int) (int, bool) {
	j := i
	for k := 0; j < len(s); k++ {
		r, size := utf8.DecodeRuneInString(s[j:])
		f := n.fold(r)
		if !isSeparator(f) && !isZeroWidth(r) {
			return j, k > 0 && isHan(f)
		}
		if k == maxSeparatorRun {
			return 0, false
		}
		j += size
	}
	return 0, false
}

// normalizeTerm folds a lexicon term like text. It returns "" for a term
// that is empty after normalisation.
func (n *normalizer) normalizeTerm(term string) string {
	out, _ := n.normalize(term)
	return trimSpace(out)
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\n' || s[j-1] == '\r') {
		j--
	}
	return s[i:j]
}

// isHan reports whether r is a CJK ideograph (the Han script's main blocks
// and 〇).
func isHan(r rune) bool {
	switch {
	case r < 0x3007:
		return false
	case r == 0x3007:
		return true
	case 0x3400 <= r && r <= 0x4DBF, 0x4E00 <= r && r <= 0x9FFF, 0xF900 <= r && r <= 0xFAFF:
		return true
	case 0x20000 <= r && r <= 0x3134F:
		return true
	}
	return false
}

// isSeparator reports whether a folded rune is one of the characters that
// evade word lists when put between Hanzi.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '*', '.', '-', '_', '|', '/', '\\', '~', '+',
		0x00A0,         // no-break space
		0x00B7,         // ·
		0x2022,         // •
		0x2027,         // ‧
		0x2013, 0x2014, // – —
		0x30FB, // ・
		0x3000: // ideographic space
		return true
	}
	return false
}

// isZeroWidth reports whether r is an invisible character that
// normalisation removes everywhere.
func isZeroWidth(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E:
		return true
	}
	return false
}
