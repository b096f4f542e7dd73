package classifier

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
)

// termKind says what a prefilter pattern stands for.
type termKind uint8

const (
	kindGroup      termKind = iota // a term of a group (word boundaries apply)
	kindSuppressor                 // a term of a suppressor
	kindExclusion                  // a term of an exclusion
	kindAllow                      // the phrase of an allow entry
	kindLiteral                    // a literal some rule pattern requires
)

// termRef is one use of a prefilter pattern: the index of the group,
// suppressor, exclusion, allow entry or pattern rule it belongs to.
type termRef struct {
	kind  termKind
	index int
}

// prefilter finds, in one pass, every occurrence of every normalised term
// and required pattern literal of a lexicon.
type prefilter struct {
	ac       *ahocorasick.Automaton
	patterns []string    // normalised pattern text by pattern ID
	refs     [][]termRef // uses by pattern ID
	ids      map[string]int
	maxLen   int // bytes of the longest pattern
}

func newPrefilterBuilder() *prefilter {
	return &prefilter{ids: map[string]int{}}
}

// add registers a normalised pattern for a use.
func (p *prefilter) add(pattern string, ref termRef) {
	id, ok := p.ids[pattern]
	if !ok {
		id = len(p.patterns)
		p.ids[pattern] = id
		p.patterns = append(p.patterns, pattern)
		p.maxLen = max(p.maxLen, len(pattern))
		p.refs = append(p.refs, nil)
	}
	for _, r := range p.refs[id] {
		if r == ref {
			return
		}
	}
	p.refs[id] = append(p.refs[id], ref)
}

func (p *prefilter) build() error {
	if len(p.patterns) == 0 {
		return nil
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(p.patterns).Build()
	if err != nil {
		return fmt.Errorf("classifier: build prefilter: %w", err)
	}
	p.ac = ac
	return nil
}

// occurrence is one match of a prefilter pattern in the normalised text.
type occurrence struct {
	pattern    int
	start, end int
}

// scanChunk is how much text one automaton pass covers, which bounds the
// memory of its match list on huge documents.
const scanChunk = 1 << 20

// scan calls fn for every occurrence, overlapping ones included, in order
// of their starts within each chunk of the text.
func (p *prefilter) scan(norm string, fn func(occurrence)) {
	if p.ac == nil || norm == "" {
		return
	}
	for off := 0; off < len(norm); off += scanChunk {
		end := min(len(norm), off+scanChunk+p.maxLen)
		window := []byte(norm[off:end])
		for _, m := range p.ac.FindAllOverlapping(window) {
			start := off + m.Start
			// Each chunk takes the matches that start in it; a pattern is
			// valid UTF-8, so a match that does not start on a character
			// boundary is inside a longer character.
			if m.Start >= scanChunk || start > 0 && !utf8.RuneStart(norm[start]) {
				continue
			}
			fn(occurrence{m.PatternID, start, off + m.End})
		}
	}
}

// requiredLiterals returns literals of which every match of the pattern
// contains at least one, or nil when there is no such set (the pattern must
// then run on every document). Literals never contain ASCII digits or %:
// the numeric view writes those where the normalised text has Chinese
// numerals, so only the other characters of a match are sure to be found in
// the normalised text as they are.
func requiredLiterals(pattern string) ([]string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	return literalsOf(re.Simplify()), nil
}

func literalsOf(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			s = strings.ToLower(s)
		}
		best := ""
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r >= '0' && r <= '9' || r == '%' }) {
			if len(part) > len(best) {
				best = part
			}
		}
		if best == "" {
			return nil
		}
		return []string{best}
	case syntax.OpCharClass:
		var lits []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo > 8 || len(lits) > 16 {
				return nil
			}
			for r := lo; r <= hi; r++ {
				if r >= '0' && r <= '9' || r == '%' || 'A' <= r && r <= 'Z' {
					return nil
				}
				lits = append(lits, string(r))
			}
		}
		return lits
	case syntax.OpCapture, syntax.OpPlus:
		return literalsOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalsOf(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var best []string
		for _, sub := range re.Sub {
			if lits := literalsOf(sub); lits != nil && (best == nil || shortest(lits) > shortest(best)) {
				best = lits
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits := literalsOf(sub)
			if lits == nil {
				return nil
			}
			all = append(all, lits...)
		}
		return all
	}
	return nil
}

// prefixLiterals returns literals one of which every match of the pattern
// starts with, or nil if there are none (or too many).
func prefixLiterals(pattern string) ([]string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	lits := prefixesOf(re.Simplify())
	if len(lits) > 64 {
		return nil, nil
	}
	return lits, nil
}

func prefixesOf(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		var lits []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 16 {
				return nil
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				lits = append(lits, string(r))
			}
		}
		return lits
	case syntax.OpCapture, syntax.OpPlus:
		return prefixesOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixesOf(re.Sub[0])
		}
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return prefixesOf(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits := prefixesOf(sub)
			if lits == nil {
				return nil
			}
			all = append(all, lits...)
		}
		return all
	}
	return nil
}

func shortest(lits []string) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}
