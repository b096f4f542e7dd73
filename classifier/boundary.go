package classifier

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// suffixMorphemes are single characters that may follow a lexicon term
// inside one gse word and still leave the term a word of its own:
// 奥数|班, 补习|班, 名校|生, 学科|类.
const suffixMorphemes = "班课营类科生级部组期"

// boundaryOK reports whether the term occurrence norm[s:e] starts and ends
// on word boundaries, given the gse word starts b of a region holding it.
// An edge character that is an ASCII letter or digit needs an ASCII word
// boundary there. Other edges need a gse word boundary, with two exceptions
// for terms gse joins to a neighbour inside one word, both needing at least
// two of the term's characters inside that word: a term may end inside a
// word if the rest of the word is at least two characters or one of
// suffixMorphemes (奥数班 holds 奥数, 暑期|集训营 holds 暑期集训, 名|校长 does
// not hold 名校), and start inside a word running to its end if at least two
// characters come before it (北京大学 holds 大学; 十八|大 does not hold 八大,
// 著名|校友 not 名校).
func (w *words) boundaryOK(b []int, s, e int) bool {
	norm := w.text.norm
	term := norm[s:e]
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	asciiFirst, asciiLast := isASCIIWordRune(first), isASCIIWordRune(last)
	if asciiFirst && s > 0 && isASCIIWordRune(rune(norm[s-1])) {
		return false
	}
	if asciiLast && e < len(norm) && isASCIIWordRune(rune(norm[e])) {
		return false
	}
	if asciiFirst && asciiLast {
		return true
	}
	if !asciiFirst && !w.startOK(b, s, e) {
		return false
	}
	return asciiLast || w.endOK(b, s, e)
}

// word returns the gse word [a, b) holding offset p, given the word starts.
func word(starts []int, p int) (int, int) {
	k := sort.SearchInts(starts, p+1) // first start > p
	a, b := starts[0], starts[len(starts)-1]
	if k > 0 {
		a = starts[k-1]
	}
	if k < len(starts) {
		b = starts[k]
	}
	return a, b
}

func isStart(starts []int, p int) bool {
	k := sort.SearchInts(starts, p)
	return k < len(starts) && starts[k] == p
}

func (w *words) startOK(starts []int, s, e int) bool {
	if isStart(starts, s) {
		return true
	}
	a, b := word(starts, s)
	// The term starts inside the word a..b: it must run to the word's end or
	// beyond, with at least two characters of the word before it and two
	// of the term inside it (北京|大学 holds 大学; 十|八 of 十八大 and 著|名 of
	// 著名校友 do not start words).
	return e >= b && utf8.RuneCountInString(w.text.norm[a:s]) >= 2 && utf8.RuneCountInString(w.text.norm[s:b]) >= 2
}

func (w *words) endOK(starts []int, s, e int) bool {
	if isStart(starts, e) {
		return true
	}
	a, b := word(starts, e-1)
	if n := utf8.RuneCountInString(w.text.norm[max(a, s):e]); n < 2 && s != a {
		return false // the term's part inside the word is one character (名|校长)
	}
	rest := w.text.norm[e:b]
	if n := utf8.RuneCountInString(rest); n >= 2 {
		return true
	} else if n == 1 {
		return strings.Contains(suffixMorphemes, rest)
	}
	return false
}

func isASCIIWordRune(r rune) bool {
	return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
}
