package lexicon

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"

	"adscan"
)

// validator checks a decoded lexicon; pos (nil for in-memory lexicons)
// supplies line numbers.
type validator struct {
	lex  *Lexicon
	ps   *problems
	pos  *positions
	cats map[adscan.Category]bool // declared categories
	grps map[string]bool          // group IDs
}

// validate adds every problem of lex to ps.
func validate(lex *Lexicon, ps *problems, pos *positions) {
	v := &validator{lex: lex, ps: ps, pos: pos, cats: map[adscan.Category]bool{}, grps: map[string]bool{}}
	if strings.TrimSpace(lex.Name) == "" {
		v.add("name", "missing name (e.g. name: shuangjian-default)")
	}
	if strings.TrimSpace(lex.Version) == "" {
		v.add("version", "missing version (e.g. version: \"2026.11.0\"); every result names it")
	}
	v.categories()
	v.groups()
	v.rules()
	v.suppressors()
	v.exclusions()
	v.allow()
}

// add reports a problem at path (whose line comes from the positions; for
// a missing top-level field, line 1).
func (v *validator) add(path, format string, args ...any) {
	line := v.pos.line(path)
	if line == 0 && v.pos != nil {
		line = 1
	}
	v.ps.Add(line, path, format, args...)
}

func (v *validator) categories() {
	for i, c := range v.lex.Categories {
		p := fmt.Sprintf("categories[%d]", i)
		if v.pos.bad(p) {
			continue
		}
		what := fmt.Sprintf("category %q", c.ID)
		switch {
		case c.ID == "":
			v.add(p+".id", "category %s: missing id", p)
			continue
		case !c.ID.Valid():
			v.add(p+".id", "unknown category %q (known: %s)", c.ID, knownCategories())
			continue
		case v.cats[c.ID]:
			v.add(p+".id", "%s declared twice", what)
			continue
		}
		v.cats[c.ID] = true
		if strings.TrimSpace(c.Title) == "" {
			v.add(p+".title", "%s: missing title (in Chinese, shown to reviewers)", what)
		}
		if strings.TrimSpace(c.Basis) == "" {
			v.add(p+".basis", "%s: missing basis (the clause of the policy it rests on)", what)
		}
		switch c.Severity {
		case "low", "medium", "high":
		default:
			v.add(p+".severity", "%s: severity %q: want low, medium or high", what, c.Severity)
		}
		if !inUnit(c.Threshold) {
			v.add(p+".threshold", "%s: threshold %v outside (0,1]", what, c.Threshold)
		}
	}
}

func (v *validator) groups() {
	for i, g := range v.lex.Groups {
		p := fmt.Sprintf("groups[%d]", i)
		if v.pos.bad(p) {
			continue
		}
		what := fmt.Sprintf("group %q", g.ID)
		if !v.id(p, "group", g.ID, v.grps) {
			what = "group " + p
		}
		if len(g.Terms) == 0 {
			v.add(p+".terms", "%s: empty group (no terms)", what)
		}
		v.terms(p, what, g.Terms)
	}
}

func (v *validator) rules() {
	seen := map[string]bool{}
	for i, r := range v.lex.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		if v.pos.bad(p) {
			continue
		}
		what := fmt.Sprintf("rule %q", r.ID)
		if !v.id(p, "rule", r.ID, seen) {
			what = "rule " + p
		}
		v.category(p+".category", what, r.Category)
		if len(r.All) == 0 && r.Pattern == "" {
			v.add(p, "%s: needs all (groups that must co-occur) or pattern (a regular expression)", what)
		}
		v.groupRefs(p, "all", what, r.All)
		v.groupRefs(p, "any", what, r.Any)
		if r.Pattern != "" {
			if re, err := regexp.Compile(r.Pattern); err != nil {
				v.add(p+".pattern", "%s: bad pattern: %v", what, err)
			} else if re.MatchString("") {
				v.add(p+".pattern", "%s: pattern %q matches empty text, so it would match every page", what, r.Pattern)
			}
		}
		if !inUnit(r.Weight) {
			v.add(p+".weight", "%s: weight %v outside (0,1]", what, r.Weight)
		}
		if r.Window < 0 {
			v.add(p+".window", "%s: window %d is negative", what, r.Window)
		}
	}
}

func (v *validator) suppressors() {
	seen := map[string]bool{}
	for i, s := range v.lex.Suppressors {
		p := fmt.Sprintf("suppressors[%d]", i)
		if v.pos.bad(p) {
			continue
		}
		what := fmt.Sprintf("suppressor %q", s.ID)
		if !v.id(p, "suppressor", s.ID, seen) {
			what = "suppressor " + p
		}
		if len(s.Terms) == 0 {
			v.add(p+".terms", "%s: no terms", what)
		}
		v.terms(p, what, s.Terms)
		if s.Window < 0 {
			v.add(p+".window", "%s: window %d is negative", what, s.Window)
		}
		v.categoryRefs(p, what, s.Categories)
	}
}

func (v *validator) exclusions() {
	seen := map[string]bool{}
	for i, e := range v.lex.Exclusions {
		p := fmt.Sprintf("exclusions[%d]", i)
		if v.pos.bad(p) {
			continue
		}
		what := fmt.Sprintf("exclusion %q", e.ID)
		if !v.id(p, "exclusion", e.ID, seen) {
			what = "exclusion " + p
		}
		if len(e.Terms) == 0 {
			v.add(p+".terms", "%s: no terms", what)
		}
		v.terms(p, what, e.Terms)
		v.categoryRefs(p, what, e.Categories)
		v.groupRefs(p, "unless", what, e.Unless)
		if e.MinCount < 0 {
			v.add(p+".min_count", "%s: min_count %d is negative", what, e.MinCount)
		}
		if e.Window < 0 {
			v.add(p+".window", "%s: window %d is negative", what, e.Window)
		}
	}
}

func (v *validator) allow() {
	for i, a := range v.lex.Allow {
		p := fmt.Sprintf("allow[%d]", i)
		if v.pos.bad(p) {
			continue
		}
		what := "allow entry " + p
		if strings.TrimSpace(a.Phrase) == "" {
			v.add(p+".phrase", "%s: missing phrase (the text the exception is scoped to)", what)
		} else if !hasWordRune(a.Phrase) {
			v.add(p+".phrase", "%s: phrase %q has no letter or digit", what, a.Phrase)
		}
		if strings.ContainsAny(a.Site, "/: ") {
			v.add(p+".site", "%s: site %q: want a host name such as example.com", what, a.Site)
		}
		v.categoryRefs(p, what, a.Categories)
	}
}

// id checks an item's ID: present and not used before in seen. It reports
// whether the ID is usable to name the item.
func (v *validator) id(path, kind, id string, seen map[string]bool) bool {
	switch {
	case strings.TrimSpace(id) == "":
		v.add(path+".id", "%s %s: missing id", kind, path)
		return false
	case seen[id]:
		v.add(path+".id", "duplicate %s id %q", kind, id)
	}
	seen[id] = true
	return true
}

// terms reports empty terms and terms without a letter or digit (which
// normalisation would leave empty: it drops separators such as * and ·).
func (v *validator) terms(path, what string, terms []string) {
	for j, t := range terms {
		p := fmt.Sprintf("%s.terms[%d]", path, j)
		switch {
		case strings.TrimSpace(t) == "":
			v.add(p, "%s: empty term", what)
		case !hasWordRune(t):
			v.add(p, "%s: term %q has no letter or digit", what, t)
		}
	}
}

func hasWordRune(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

// category checks a rule's category: known and declared.
func (v *validator) category(path, what string, c adscan.Category) {
	switch {
	case c == "":
		v.add(path, "%s: missing category", what)
	case !c.Valid():
		v.add(path, "%s: unknown category %q (known: %s)", what, c, knownCategories())
	case !v.cats[c]:
		v.add(path, "%s: category %q is not declared under categories", what, c)
	}
}

// categoryRefs checks a list of category IDs: each must be one of the ten
// and declared under categories.
func (v *validator) categoryRefs(path, what string, cs []adscan.Category) {
	for j, c := range cs {
		p := fmt.Sprintf("%s.categories[%d]", path, j)
		switch {
		case !c.Valid():
			v.add(p, "%s: unknown category %q (known: %s)", what, c, knownCategories())
		case !v.cats[c]:
			v.add(p, "%s: category %q is not declared under categories", what, c)
		}
	}
}

// groupRefs checks that each named group exists.
func (v *validator) groupRefs(path, field, what string, ids []string) {
	for j, id := range ids {
		if !v.grps[id] {
			v.add(fmt.Sprintf("%s.%s[%d]", path, field, j), "%s: %s names missing group %q", what, field, id)
		}
	}
}

func inUnit(f float64) bool { return f > 0 && f <= 1 && !math.IsNaN(f) }

func knownCategories() string {
	s := make([]string, len(adscan.Categories))
	for i, c := range adscan.Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}
