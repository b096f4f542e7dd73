// Package lexicon defines adscan's rule file format (YAML), loads and
// validates it, and embeds the default 双减 lexicon.
//
// A lexicon is written for a regulator's analyst, not a programmer: named
// term groups, rules that require groups to co-occur within a window or a
// regular expression to match, suppressors that mark reporting or
// prohibition, exclusions for out-of-scope training, and narrow allow-list
// entries scoped to a phrase and a site.
package lexicon

import "adscan"

// Lexicon is a parsed, validated rule file.
type Lexicon struct {
	Name        string `yaml:"name"`
	Version     string `yaml:"version"`
	Description string `yaml:"description,omitempty"`

	Categories  []Category   `yaml:"categories"`
	Groups      []Group      `yaml:"groups"`
	Rules       []Rule       `yaml:"rules"`
	Suppressors []Suppressor `yaml:"suppressors,omitempty"`
	Exclusions  []Exclusion  `yaml:"exclusions,omitempty"`
	Allow       []AllowEntry `yaml:"allow,omitempty"`

	// Digest is the hex SHA-256 of the file the lexicon was parsed from, or
	// of its encoding when it was changed in memory (WithAllow); "" for a
	// lexicon built in code.
	Digest string `yaml:"-"`
}

// Ref returns the name and version that classification results carry. The
// version gets the first 12 hex digits of the digest as build metadata
// (2026.11.1+sha256.3f2a9c01b7de), so evidence names the exact rules that
// produced it even when an edited file kept its version.
func (l *Lexicon) Ref() adscan.LexiconRef {
	v := l.Version
	if len(l.Digest) >= 12 {
		v += "+sha256." + l.Digest[:12]
	}
	return adscan.LexiconRef{Name: l.Name, Version: v}
}

// Category describes one category of DESIGN.md: its Chinese title, the
// clause of the policy it rests on, and when a page is flagged for it.
type Category struct {
	ID       adscan.Category `yaml:"id"`
	Title    string          `yaml:"title"`    // in Chinese, shown to reviewers
	Basis    string          `yaml:"basis"`    // the clause, e.g. "（十七）……"
	Severity string          `yaml:"severity"` // low | medium | high
	// Threshold is the score in (0,1] a page must reach to be flagged.
	Threshold float64 `yaml:"threshold"`
}

// Group is a named set of terms. Terms match on word boundaries of the
// segmented text, after normalisation (full-width → half-width, traditional
// → simplified, evasion separators removed).
type Group struct {
	ID    string   `yaml:"id"`
	Terms []string `yaml:"terms"`
}

// Rule raises evidence for one category. Either All (groups that must all
// occur within Window runes of each other, optionally with a number nearby)
// or Pattern (a regular expression over the normalised text), optionally
// both: then the pattern must match and the groups co-occur around it.
type Rule struct {
	ID       string          `yaml:"id"`
	Category adscan.Category `yaml:"category"`
	// All names groups that must all occur within Window runes.
	All []string `yaml:"all,omitempty"`
	// Any names groups of which at least one must occur within Window runes
	// of the All (or Pattern) match.
	Any []string `yaml:"any,omitempty"`
	// Pattern is a Go (RE2) regular expression over the normalised text.
	Pattern string `yaml:"pattern,omitempty"`
	// Number requires a number (Arabic or Chinese numerals) within the window.
	Number bool `yaml:"number,omitempty"`
	// Window is the co-occurrence window in runes (default 40).
	Window int `yaml:"window,omitempty"`
	// Weight is the score this rule adds to its category, in (0,1].
	Weight float64 `yaml:"weight"`
	// Note explains the rule to a reviewer.
	Note string `yaml:"note,omitempty"`
}

// Suppressor marks context that reports or forbids rather than advertises
// (严禁, 不得, 查处, 通报, 记者, 依法, 责令 …). A rule match with a suppressor
// term in the same sentence (or within Window runes) is discarded.
type Suppressor struct {
	ID         string            `yaml:"id"`
	Terms      []string          `yaml:"terms"`
	Window     int               `yaml:"window,omitempty"`     // 0: the sentence
	Categories []adscan.Category `yaml:"categories,omitempty"` // empty: all
}

// Exclusion marks a document as out of scope for some categories when its
// terms dominate: non-subject training (sports, arts, coding), adult and
// vocational training, university admissions.
type Exclusion struct {
	ID         string            `yaml:"id"`
	Terms      []string          `yaml:"terms"`
	Categories []adscan.Category `yaml:"categories,omitempty"` // empty: all
	// MinCount is how many occurrences exclude the document (default 1).
	MinCount int `yaml:"min_count,omitempty"`
	// Window, when > 0, makes the exclusion local: only terms (and Unless
	// terms) within Window runes of a hit count, and only that hit is
	// excluded. A long page that holds an advert among news or notices is
	// then judged near the advert. 0 counts the whole document.
	Window int `yaml:"window,omitempty"`
	// Unless names groups: the exclusion does not apply when any term of
	// them occurs in the document (e.g. a sports-training exclusion unless
	// 数学/英语/语文 also occur).
	Unless []string `yaml:"unless,omitempty"`
	Note   string   `yaml:"note,omitempty"`
}

// AllowEntry is a narrow exception, typically made from a reviewer's
// dismissal: evidence containing Phrase on Site (a host; "" for any site)
// is not flagged for Categories (empty: all).
type AllowEntry struct {
	Phrase     string            `yaml:"phrase"`
	Site       string            `yaml:"site,omitempty"`
	Categories []adscan.Category `yaml:"categories,omitempty"`
	Note       string            `yaml:"note,omitempty"`
}

// DefaultWindow is the co-occurrence window, in runes, of a rule that does
// not set one.
const DefaultWindow = 40

// EffectiveWindow returns r.Window, or DefaultWindow when it is unset.
func (r Rule) EffectiveWindow() int {
	if r.Window > 0 {
		return r.Window
	}
	return DefaultWindow
}

// EffectiveMinCount returns e.MinCount, or 1 when it is unset.
func (e Exclusion) EffectiveMinCount() int {
	if e.MinCount > 0 {
		return e.MinCount
	}
	return 1
}

// Category returns the declared category with the ID, if any.
func (l *Lexicon) Category(id adscan.Category) (Category, bool) {
	for _, c := range l.Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// Group returns the group with the ID, if any.
func (l *Lexicon) Group(id string) (Group, bool) {
	for _, g := range l.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}
