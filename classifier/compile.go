package classifier

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/coregx/ahocorasick"

	"adscan"
	"adscan/classifier/voice"
	"adscan/lexicon"
)

// Classifier flags documents by the rules of one lexicon. It is immutable
// after New and safe for concurrent use.
type Classifier struct {
	ref  adscan.LexiconRef
	seg  *Segmenter
	norm *normalizer
	pf   *prefilter

	categories  []category
	groups      []group
	rules       []rule
	suppressors []suppressor
	exclusions  []exclusion
	allow       []allowEntry

	// found caches pattern matches in sentences, keyed by rule and text.
	found *textCache[[][]int]

	// voice gates the flags (see judgeVoice); nil: rules alone.
	voice     *voice.Model
	voiceName string // "name version", cited in each decision
}

var _ adscan.Classifier = (*Classifier)(nil)

type category struct {
	id        adscan.Category
	basis     string
	threshold float64
}

type group struct {
	id    string
	terms []string // normalised
}

type rule struct {
	id       string
	category int // index into Classifier.categories
	all, any []int
	re       *regexp.Regexp
	literals bool // the pattern requires literals the prefilter looks for
	// anchored is re anchored at the start, used when every match starts
	// with one of prefixes: the pattern is then tried only where one occurs.
	anchored *regexp.Regexp
	prefixes *ahocorasick.Automaton
	number   bool
	window   int
	weight   float64
}

// catSet says which categories something applies to; nil means all.
type catSet []bool

func (s catSet) has(cat int) bool { return s == nil || s[cat] }

type suppressor struct {
	id     string
	window int
	cats   catSet
}

type exclusion struct {
	id       string
	minCount int
	window   int // runes either side of a hit; 0: the whole document
	cats     catSet
	unless   []int
}

type allowEntry struct {
	phrase string
	site   string
	cats   catSet
}

// New compiles lex with the process's shared Segmenter (loaded on first
// use) and the embedded voice model (voice.Default). See NewWith and
// WithVoice.
func New(lex *lexicon.Lexicon) (*Classifier, error) {
	seg, err := SharedSegmenter()
	if err != nil {
		return nil, err
	}
	c, err := NewWith(lex, seg)
	if err != nil {
		return nil, err
	}
	m, err := voice.Default()
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	return c.WithVoice(m), nil
}

// NewWith compiles lex: it normalises every term, compiles the rule
// patterns and builds the prefilter. The error names the lexicon item that
// cannot be compiled: an undeclared category, a rule naming a missing
// group, a term that is empty after normalisation, a bad regular
// expression, a weight or threshold outside (0,1].
func NewWith(lex *lexicon.Lexicon, seg *Segmenter) (*Classifier, error) {
	if lex == nil {
		return nil, errors.New("classifier: no lexicon")
	}
	if seg == nil {
		return nil, errors.New("classifier: no segmenter")
	}
	norm, err := sharedNormalizer()
	if err != nil {
		return nil, err
	}
	c := &Classifier{ref: lex.Ref(), seg: seg, norm: norm, pf: newPrefilterBuilder(), found: newTextCache(cloneSpans)}
	comp := compiler{c: c, lex: lex, catIdx: map[adscan.Category]int{}, groupIdx: map[string]int{}}
	for _, step := range []func() error{comp.categories, comp.groups, comp.rules, comp.suppressors, comp.exclusions, comp.allow} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("classifier: lexicon %s %s: %w", lex.Name, lex.Version, err)
		}
	}
	if err := c.pf.build(); err != nil {
		return nil, err
	}
	return c, nil
}

// Lexicon returns the name and version of the compiled lexicon.
func (c *Classifier) Lexicon() adscan.LexiconRef { return c.ref }

// compiler holds the lookups used while compiling one lexicon.
type compiler struct {
	c        *Classifier
	lex      *lexicon.Lexicon
	catIdx   map[adscan.Category]int
	groupIdx map[string]int
}

func (m *compiler) categories() error {
	for _, cat := range m.lex.Categories {
		if !cat.ID.Valid() {
			return fmt.Errorf("category %q: unknown category ID", cat.ID)
		}
		if _, dup := m.catIdx[cat.ID]; dup {
			return fmt.Errorf("category %q: declared twice", cat.ID)
		}
		if !inUnit(cat.Threshold) {
			return fmt.Errorf("category %q: threshold %v is not in (0,1]", cat.ID, cat.Threshold)
		}
		m.catIdx[cat.ID] = len(m.c.categories)
		m.c.categories = append(m.c.categories, category{id: cat.ID, basis: cat.Basis, threshold: cat.Threshold})
	}
	return nil
}

func (m *compiler) groups() error {
	for _, g := range m.lex.Groups {
		if _, dup := m.groupIdx[g.ID]; dup {
			return fmt.Errorf("group %q: declared twice", g.ID)
		}
		idx := len(m.c.groups)
		m.groupIdx[g.ID] = idx
		cg := group{id: g.ID}
		for _, t := range g.Terms {
			n, err := m.term(t)
			if err != nil {
				return fmt.Errorf("group %q: %w", g.ID, err)
			}
			cg.terms = append(cg.terms, n)
			m.c.pf.add(n, termRef{kindGroup, idx})
		}
		if len(cg.terms) == 0 {
			return fmt.Errorf("group %q: no terms", g.ID)
		}
		m.c.groups = append(m.c.groups, cg)
	}
	return nil
}

func (m *compiler) term(t string) (string, error) {
	n := m.c.norm.normalizeTerm(t)
	if n == "" {
		return "", fmt.Errorf("term %q is empty after normalisation", t)
	}
	return n, nil
}

func (m *compiler) groupRefs(ids []string) ([]int, error) {
	var out []int
	for _, id := range ids {
		idx, ok := m.groupIdx[id]
		if !ok {
			return nil, fmt.Errorf("no group %q", id)
		}
		out = append(out, idx)
	}
	return out, nil
}

func (m *compiler) catSet(ids []adscan.Category) (catSet, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	set := make(catSet, len(m.c.categories))
	for _, id := range ids {
		idx, ok := m.catIdx[id]
		if !ok {
			return nil, fmt.Errorf("category %q is not declared", id)
		}
		set[idx] = true
	}
	return set, nil
}

func (m *compiler) rules() error {
	seen := map[string]bool{}
	for _, r := range m.lex.Rules {
		if seen[r.ID] {
			return fmt.Errorf("rule %q: declared twice", r.ID)
		}
		seen[r.ID] = true
		cr, err := m.rule(r)
		if err != nil {
			return fmt.Errorf("rule %q: %w", r.ID, err)
		}
		m.c.rules = append(m.c.rules, cr)
	}
	return nil
}

func (m *compiler) rule(r lexicon.Rule) (rule, error) {
	cat, ok := m.catIdx[r.Category]
	if !ok {
		return rule{}, fmt.Errorf("category %q is not declared", r.Category)
	}
	if !inUnit(r.Weight) {
		return rule{}, fmt.Errorf("weight %v is not in (0,1]", r.Weight)
	}
	if r.Window < 0 {
		return rule{}, fmt.Errorf("window %d is negative", r.Window)
	}
	cr := rule{id: r.ID, category: cat, number: r.Number, window: r.EffectiveWindow(), weight: r.Weight}
	var err error
	if cr.all, err = m.groupRefs(r.All); err != nil {
		return rule{}, err
	}
	if cr.any, err = m.groupRefs(r.Any); err != nil {
		return rule{}, err
	}
	if strings.TrimSpace(r.Pattern) != "" {
		if cr.re, err = regexp.Compile(r.Pattern); err != nil {
			return rule{}, fmt.Errorf("pattern: %w", err)
		}
		lits, err := requiredLiterals(r.Pattern)
		if err != nil {
			return rule{}, fmt.Errorf("pattern: %w", err)
		}
		prefixes, err := prefixLiterals(r.Pattern)
		if err != nil {
			return rule{}, fmt.Errorf("pattern: %w", err)
		}
		if prefixes != nil {
			if cr.anchored, err = regexp.Compile(`^(?:` + r.Pattern + `)`); err != nil {
				return rule{}, fmt.Errorf("pattern: %w", err)
			}
			if cr.prefixes, err = ahocorasick.NewBuilder().AddStrings(prefixes).Build(); err != nil {
				return rule{}, fmt.Errorf("pattern prefixes: %w", err)
			}
		}
		idx := len(m.c.rules)
		for _, l := range lits {
			if n := m.c.norm.normalizeTerm(l); n != "" {
				m.c.pf.add(n, termRef{kindLiteral, idx})
				cr.literals = true
			}
		}
	}
	if cr.re == nil && len(cr.all) == 0 && len(cr.any) == 0 {
		return rule{}, errors.New("needs all, any or pattern")
	}
	return cr, nil
}

func (m *compiler) suppressors() error {
	for i, s := range m.lex.Suppressors {
		cats, err := m.catSet(s.Categories)
		if err != nil {
			return fmt.Errorf("suppressor %q: %w", s.ID, err)
		}
		if s.Window < 0 {
			return fmt.Errorf("suppressor %q: window %d is negative", s.ID, s.Window)
		}
		for _, t := range s.Terms {
			n, err := m.term(t)
			if err != nil {
				return fmt.Errorf("suppressor %q: %w", s.ID, err)
			}
			m.c.pf.add(n, termRef{kindSuppressor, i})
		}
		m.c.suppressors = append(m.c.suppressors, suppressor{id: s.ID, window: s.Window, cats: cats})
	}
	return nil
}

func (m *compiler) exclusions() error {
	for i, e := range m.lex.Exclusions {
		cats, err := m.catSet(e.Categories)
		if err != nil {
			return fmt.Errorf("exclusion %q: %w", e.ID, err)
		}
		unless, err := m.groupRefs(e.Unless)
		if err != nil {
			return fmt.Errorf("exclusion %q: unless: %w", e.ID, err)
		}
		for _, t := range e.Terms {
			n, err := m.term(t)
			if err != nil {
				return fmt.Errorf("exclusion %q: %w", e.ID, err)
			}
			m.c.pf.add(n, termRef{kindExclusion, i})
		}
		m.c.exclusions = append(m.c.exclusions, exclusion{id: e.ID, minCount: e.EffectiveMinCount(), window: e.Window, cats: cats, unless: unless})
	}
	return nil
}

func (m *compiler) allow() error {
	for i, a := range m.lex.Allow {
		cats, err := m.catSet(a.Categories)
		if err != nil {
			return fmt.Errorf("allow entry %d (%q): %w", i+1, a.Phrase, err)
		}
		n, err := m.term(a.Phrase)
		if err != nil {
			return fmt.Errorf("allow entry %d: %w", i+1, err)
		}
		m.c.pf.add(n, termRef{kindAllow, i})
		m.c.allow = append(m.c.allow, allowEntry{phrase: n, site: strings.ToLower(strings.TrimSpace(a.Site)), cats: cats})
	}
	return nil
}

func inUnit(f float64) bool { return f > 0 && f <= 1 && !math.IsNaN(f) }
