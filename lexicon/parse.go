package lexicon

import (
	"adscan/yamlcheck"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the text of the embedded default 双减 lexicon, for
// regulators who start their own from it.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Default parses the embedded default 双减 lexicon. It returns an error
// only if the embedded file is broken, which its tests rule out.
func Default() (*Lexicon, error) {
	return Parse(defaultYAML, "default.yaml")
}

// Load reads and parses the lexicon file at path. It returns an error naming
// the file if it cannot be read, or a *ProblemsError listing every problem.
func Load(path string) (*Lexicon, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lexicon: read %s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse decodes and validates a lexicon. name labels problems (usually the
// file name). If anything is wrong, the error is a *ProblemsError listing
// every problem with its line.
func Parse(data []byte, name string) (*Lexicon, error) {
	lex, probs := parse(data)
	if len(probs) > 0 {
		return nil, &ProblemsError{Name: name, Problems: probs}
	}
	sum := sha256.Sum256(data)
	lex.Digest = hex.EncodeToString(sum[:])
	return lex, nil
}

// Check returns every problem of the lexicon in data, in line order; none
// means Parse would succeed. name is accepted for symmetry with Parse and
// for future messages; problems carry lines, not names.
func Check(data []byte, name string) []Problem {
	_, probs := parse(data)
	return probs
}

// Validate checks a lexicon built or changed in memory (for example by
// WithAllow) by the rules Parse applies. Its problems have no lines.
func (l *Lexicon) Validate() []Problem {
	var ps problems
	validate(l, &ps, nil)
	return ps.Sorted()
}

// parse decodes data and validates the result, collecting all problems.
func parse(data []byte) (*Lexicon, []Problem) {
	var ps problems
	root := yamlcheck.Parse(data, &ps)
	if root == nil {
		return nil, ps.Sorted()
	}
	d := &decoder{probs: &ps, pos: &positions{top: map[string]int{}, items: map[string]*itemPos{}}}
	lex := d.lexicon(root)
	if lex == nil {
		return nil, ps.Sorted()
	}
	validate(lex, &ps, d.pos)
	return lex, ps.Sorted()
}

// lexicon decodes the document node.
func (d *decoder) lexicon(root *yaml.Node) *Lexicon {
	if root.Kind == 0 || len(root.Content) == 0 {
		d.probs.Add(1, "", "the file is empty; a lexicon needs at least name, version, categories, groups and rules")
		return nil
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		d.probs.Add(doc.Line, "", "want a mapping with name, version, categories, groups, rules …; got %s", yamlcheck.KindName(doc))
		return nil
	}
	f := d.mapping(doc, "", "lexicon", "name", "version", "description",
		"categories", "groups", "rules", "suppressors", "exclusions", "allow")
	for k, v := range f {
		d.pos.top[k] = v.Line
	}
	lex := &Lexicon{
		Name:        d.str(f["name"], "name", "name"),
		Version:     d.str(f["version"], "version", "version"),
		Description: d.str(f["description"], "description", "description"),
	}
	for i, n := range d.list(f["categories"], "categories") {
		lex.Categories = append(lex.Categories, d.category(n, fmt.Sprintf("categories[%d]", i)))
	}
	for i, n := range d.list(f["groups"], "groups") {
		lex.Groups = append(lex.Groups, d.group(n, fmt.Sprintf("groups[%d]", i)))
	}
	for i, n := range d.list(f["rules"], "rules") {
		lex.Rules = append(lex.Rules, d.rule(n, fmt.Sprintf("rules[%d]", i)))
	}
	for i, n := range d.list(f["suppressors"], "suppressors") {
		lex.Suppressors = append(lex.Suppressors, d.suppressor(n, fmt.Sprintf("suppressors[%d]", i)))
	}
	for i, n := range d.list(f["exclusions"], "exclusions") {
		lex.Exclusions = append(lex.Exclusions, d.exclusion(n, fmt.Sprintf("exclusions[%d]", i)))
	}
	for i, n := range d.list(f["allow"], "allow") {
		lex.Allow = append(lex.Allow, d.allow(n, fmt.Sprintf("allow[%d]", i)))
	}
	return lex
}

func (d *decoder) category(n *yaml.Node, path string) Category {
	what := itemLabel("category", n, path)
	f := d.mapping(n, path, what, "id", "title", "basis", "severity", "threshold")
	d.record(path, f)
	return Category{
		ID:        categoryID(d.str(f["id"], path+".id", what)),
		Title:     d.str(f["title"], path+".title", what+": title"),
		Basis:     d.str(f["basis"], path+".basis", what+": basis"),
		Severity:  d.str(f["severity"], path+".severity", what+": severity"),
		Threshold: d.float(f["threshold"], path+".threshold", what+": threshold"),
	}
}

func (d *decoder) group(n *yaml.Node, path string) Group {
	what := itemLabel("group", n, path)
	f := d.mapping(n, path, what, "id", "terms")
	it := d.record(path, f)
	g := Group{ID: d.str(f["id"], path+".id", what)}
	g.Terms, it.elems["terms"] = d.strs(f["terms"], path+".terms", what+": terms")
	return g
}

func (d *decoder) rule(n *yaml.Node, path string) Rule {
	what := itemLabel("rule", n, path)
	f := d.mapping(n, path, what, "id", "category", "all", "any", "pattern", "number", "window", "weight", "note")
	it := d.record(path, f)
	r := Rule{
		ID:       d.str(f["id"], path+".id", what),
		Category: categoryID(d.str(f["category"], path+".category", what+": category")),
		Pattern:  d.str(f["pattern"], path+".pattern", what+": pattern"),
		Number:   d.boolean(f["number"], path+".number", what+": number"),
		Window:   d.integer(f["window"], path+".window", what+": window"),
		Weight:   d.float(f["weight"], path+".weight", what+": weight"),
		Note:     d.str(f["note"], path+".note", what+": note"),
	}
	r.All, it.elems["all"] = d.strs(f["all"], path+".all", what+": all")
	r.Any, it.elems["any"] = d.strs(f["any"], path+".any", what+": any")
	return r
}

func (d *decoder) suppressor(n *yaml.Node, path string) Suppressor {
	what := itemLabel("suppressor", n, path)
	f := d.mapping(n, path, what, "id", "terms", "window", "categories")
	it := d.record(path, f)
	s := Suppressor{
		ID:     d.str(f["id"], path+".id", what),
		Window: d.integer(f["window"], path+".window", what+": window"),
	}
	s.Terms, it.elems["terms"] = d.strs(f["terms"], path+".terms", what+": terms")
	s.Categories, it.elems["categories"] = d.categories(f["categories"], path+".categories", what+": categories")
	return s
}

func (d *decoder) exclusion(n *yaml.Node, path string) Exclusion {
	what := itemLabel("exclusion", n, path)
	f := d.mapping(n, path, what, "id", "terms", "categories", "min_count", "window", "unless", "note")
	it := d.record(path, f)
	e := Exclusion{
		ID:       d.str(f["id"], path+".id", what),
		MinCount: d.integer(f["min_count"], path+".min_count", what+": min_count"),
		Window:   d.integer(f["window"], path+".window", what+": window"),
		Note:     d.str(f["note"], path+".note", what+": note"),
	}
	e.Terms, it.elems["terms"] = d.strs(f["terms"], path+".terms", what+": terms")
	e.Categories, it.elems["categories"] = d.categories(f["categories"], path+".categories", what+": categories")
	e.Unless, it.elems["unless"] = d.strs(f["unless"], path+".unless", what+": unless")
	return e
}

func (d *decoder) allow(n *yaml.Node, path string) AllowEntry {
	what := "allow entry " + path
	f := d.mapping(n, path, what, "phrase", "site", "categories", "note")
	it := d.record(path, f)
	a := AllowEntry{
		Phrase: d.str(f["phrase"], path+".phrase", what+": phrase"),
		Site:   d.str(f["site"], path+".site", what+": site"),
		Note:   d.str(f["note"], path+".note", what+": note"),
	}
	a.Categories, it.elems["categories"] = d.categories(f["categories"], path+".categories", what+": categories")
	return a
}
