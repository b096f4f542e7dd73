package lexicon

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"adscan"
	"adscan/yamlcheck"
)

// positions records where each decoded value was in the file, so that
// checks made after decoding can name the line.
type positions struct {
	top   map[string]int      // top-level key → line of its value
	items map[string]*itemPos // "rules[3]" → the item's positions
}

// itemPos is where one list item and its fields were.
type itemPos struct {
	line   int
	bad    bool             // not a mapping: already reported, not checked further
	fields map[string]int   // field → line of its value
	elems  map[string][]int // list field → line of each element
}

// line returns the line of path ("rules[3]", "rules[3].weight" or
// "rules[3].all[1]"), falling back to the enclosing value, or 0 if unknown.
func (p *positions) line(path string) int {
	if p == nil {
		return 0
	}
	item, rest, _ := strings.Cut(path, ".")
	it, ok := p.items[item]
	if !ok {
		return p.top[item]
	}
	if rest == "" {
		return it.line
	}
	field, idx, hasIdx := strings.Cut(strings.TrimSuffix(rest, "]"), "[")
	if hasIdx {
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(it.elems[field]) {
			return it.elems[field][i]
		}
	}
	if l, ok := it.fields[field]; ok {
		return l
	}
	return it.line
}

// bad reports whether the item at path could not be decoded at all.
func (p *positions) bad(path string) bool {
	if p == nil {
		return false
	}
	it, ok := p.items[path]
	return ok && it.bad
}

// decoder turns a yaml.Node tree into a Lexicon, reporting every value it
// cannot use, with its line.
type decoder struct {
	probs *problems
	pos   *positions
}

// mapping checks that n is a mapping with only the allowed keys and returns
// its values by key. Unknown and repeated keys are problems.
func (d *decoder) mapping(n *yaml.Node, path, what string, allowed ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.probs.Add(n.Line, path, "%s: want a mapping (key: value lines), got %s", what, yamlcheck.KindName(n))
		if it, ok := d.pos.items[path]; ok {
			it.bad = true
		}
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !yamlcheck.KnownKey(d.probs, k, path, what, allowed, out) {
			continue
		}
		key := k.Value
		if v.Kind == yaml.AliasNode {
			d.probs.Add(v.Line, yamlcheck.Join(path, key), "%s: %s: YAML aliases (*name) are not supported; write the value out", what, key)
			continue
		}
		out[key] = v
	}
	return out
}

// itemLabel names a list item in messages: kind and ID if it has one,
// else kind and path.
func itemLabel(kind string, n *yaml.Node, path string) string {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "id" && v.Kind == yaml.ScalarNode && v.Value != "" {
				return fmt.Sprintf("%s %q", kind, v.Value)
			}
		}
	}
	return kind + " " + path
}

// str decodes a scalar into a string. A missing or null value is "".
func (d *decoder) str(n *yaml.Node, path, what string) string {
	if n == nil || n.Tag == "!!null" {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.probs.Add(n.Line, path, "%s: want text, got %s", what, yamlcheck.KindName(n))
		return ""
	}
	return n.Value
}

// float decodes a scalar number.
func (d *decoder) float(n *yaml.Node, path, what string) float64 {
	if n == nil || n.Tag == "!!null" {
		return 0
	}
	var f float64
	if n.Kind != yaml.ScalarNode || n.Decode(&f) != nil {
		d.probs.Add(n.Line, path, "%s: want a number, got %s", what, yamlcheck.KindName(n))
		return 0
	}
	return f
}

// integer decodes a scalar whole number.
func (d *decoder) integer(n *yaml.Node, path, what string) int {
	if n == nil || n.Tag == "!!null" {
		return 0
	}
	var i int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
		d.probs.Add(n.Line, path, "%s: want a whole number, got %s", what, yamlcheck.KindName(n))
		return 0
	}
	return i
}

// boolean decodes true/false.
func (d *decoder) boolean(n *yaml.Node, path, what string) bool {
	if n == nil || n.Tag == "!!null" {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		d.probs.Add(n.Line, path, "%s: want true or false, got %s", what, yamlcheck.KindName(n))
		return false
	}
	return b
}

// strs decodes a list of texts; a single text is taken as a one-element
// list. It returns the line of each element too.
func (d *decoder) strs(n *yaml.Node, path, what string) ([]string, []int) {
	if n == nil || n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, []int{n.Line}
	}
	if n.Kind != yaml.SequenceNode {
		d.probs.Add(n.Line, path, "%s: want a list, got %s", what, yamlcheck.KindName(n))
		return nil, nil
	}
	if len(n.Content) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(n.Content))
	lines := make([]int, 0, len(n.Content))
	for i, e := range n.Content {
		out = append(out, d.str(e, fmt.Sprintf("%s[%d]", path, i), what))
		lines = append(lines, e.Line)
	}
	return out, lines
}

// categories decodes a list of category IDs (checked later).
func (d *decoder) categories(n *yaml.Node, path, what string) ([]adscan.Category, []int) {
	ss, lines := d.strs(n, path, what)
	if ss == nil {
		return nil, nil
	}
	out := make([]adscan.Category, len(ss))
	for i, s := range ss {
		out[i] = categoryID(s)
	}
	return out, lines
}

// list returns the items of a sequence value (nil, with a problem, for
// anything else), recording each item's line under path[i].
func (d *decoder) list(n *yaml.Node, path string) []*yaml.Node {
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.probs.Add(n.Line, path, "%s: want a list (lines starting with -), got %s", path, yamlcheck.KindName(n))
		return nil
	}
	for i, e := range n.Content {
		d.pos.items[fmt.Sprintf("%s[%d]", path, i)] = &itemPos{line: e.Line, fields: map[string]int{}, elems: map[string][]int{}}
	}
	return n.Content
}

// record notes the lines of the item's fields.
func (d *decoder) record(path string, fields map[string]*yaml.Node) *itemPos {
	it := d.pos.items[path]
	for k, v := range fields {
		it.fields[k] = v.Line
	}
	return it
}

func categoryID(s string) adscan.Category { return adscan.Category(s) }
