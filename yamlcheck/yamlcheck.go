// Package yamlcheck is what adscan's YAML formats (lexicons, platform
// profiles) share to report every problem of a file with its line: the
// problem and error types, a collector that reports a field once, parsing
// with a syntax error reported on its line, and the check of a mapping's
// keys (unknown or given twice).
package yamlcheck

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a file.
type Problem struct {
	// Line is the 1-based line of the file the problem is on; 0 when the
	// value was not read from a file.
	Line int `json:"line"`
	// Field is the path of the offending value, e.g. "rules[3].category";
	// "" for the file as a whole.
	Field string `json:"field,omitempty"`
	// Msg says what is wrong, naming the item.
	Msg string `json:"message"`
	// ZH says it in 简体中文 for the console, where a text was written
	// ("" elsewhere: the console then shows Msg).
	ZH string `json:"message_zh,omitempty"`
}

// Format renders the problem as "NAME:LINE: MSG" (or "NAME: MSG" without a line).
func (p Problem) Format(name string) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", name, p.Msg)
}

// ProblemsError is the error a parser returns for a bad file: every
// problem found, in line order.
type ProblemsError struct {
	Name     string // the file name the problems are reported against
	Problems []Problem
}

// Error lists the problems one per line as "NAME:LINE: MSG".
func (e *ProblemsError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Format(e.Name)
	}
	return strings.Join(lines, "\n")
}

// Problems collects problems, one per field: a value already reported
// (for example one that could not be decoded) is not reported again by
// later checks. The zero value is ready to use.
type Problems struct {
	list []Problem
	seen map[string]bool
}

// Add records a problem of field (unless field already has one) and
// returns it, to give its 简体中文 text.
func (ps *Problems) Add(line int, field, format string, args ...any) Added {
	if field != "" {
		if ps.seen[field] {
			return Added{}
		}
		if ps.seen == nil {
			ps.seen = map[string]bool{}
		}
		ps.seen[field] = true
	}
	ps.list = append(ps.list, Problem{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	return Added{ps, len(ps.list) - 1}
}

// Added is a problem Add recorded, or none (field had one already).
type Added struct {
	ps *Problems
	i  int
}

// ZHf sets the problem's 简体中文 text (nothing when Add recorded none).
func (a Added) ZHf(format string, args ...any) {
	if a.ps != nil {
		a.ps.list[a.i].ZH = fmt.Sprintf(format, args...)
	}
}

// Seen reports whether field has a problem.
func (ps *Problems) Seen(field string) bool { return ps.seen[field] }

// SeenUnder reports whether field or one of its parts (field[0],
// field.x) has a problem.
func (ps *Problems) SeenUnder(field string) bool {
	for f := range ps.seen {
		if f == field || strings.HasPrefix(f, field+"[") || strings.HasPrefix(f, field+".") {
			return true
		}
	}
	return false
}

// Len is the number of problems so far.
func (ps *Problems) Len() int { return len(ps.list) }

// Sorted returns the problems in line order (stable, so problems on one
// line keep the order they were found in).
func (ps *Problems) Sorted() []Problem {
	out := append([]Problem(nil), ps.list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlParserErrors are the messages of libyaml's parser (as opposed to its
// scanner). yaml.v3 reports their line 0-based; scanner errors 1-based.
var yamlParserErrors = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// Syntax returns the 1-based line of a yaml.v3 syntax error and its
// message without yaml.v3's "yaml: line N:" prefix. A message without a
// line is about the first line (yaml.v3 omits line 0).
func Syntax(err error) (line int, msg string) {
	text := err.Error()
	line = 1
	if m := yamlLineRE.FindStringSubmatch(text); m != nil && m[1] != "" {
		line, _ = strconv.Atoi(m[1])
		if slices.Contains(yamlParserErrors, m[2]) {
			line++
		}
	}
	return line, yamlLineRE.ReplaceAllString(text, "$2")
}

// Parse parses data into a node tree (the first YAML document). It
// returns nil after adding a problem on line 1 if yaml.v3 panics, or on the
// line of a syntax error (see Syntax).
func Parse(data []byte, ps *Problems) (root *yaml.Node) {
	defer func() {
		// yaml.v3 is third-party code fed untrusted input: a panic in it
		// must not take the caller down.
		if r := recover(); r != nil {
			ps.Add(1, "", "YAML: cannot parse: %v", r).ZHf("无法解析该 YAML 文件。")
			root = nil
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		line, msg := Syntax(err)
		ps.Add(line, "", "YAML syntax: %s", msg).ZHf("YAML 语法错误（%s）。", msg) // the parser's words
		return nil
	}
	return &n
}

// KnownKey checks k, a key of the mapping at path (named what in
// messages) whose usable values so far are got. It returns false after
// adding a problem if k is not a scalar among allowed ("unknown field") or
// is in got already ("given twice", reported under the field + "#dup").
func KnownKey(ps *Problems, k *yaml.Node, path, what string, allowed []string, got map[string]*yaml.Node) bool {
	key := k.Value
	if k.Kind != yaml.ScalarNode || !slices.Contains(allowed, key) {
		ps.Add(k.Line, Join(path, key), "%s: unknown field %q (known: %s)", what, key, strings.Join(allowed, ", ")).
			ZHf("%s：未知的字段“%s”（可用的字段：%s）。", what, key, strings.Join(allowed, "、"))
		return false
	}
	if _, dup := got[key]; dup {
		ps.Add(k.Line, Join(path, key)+"#dup", "%s: field %q given twice", what, key).ZHf("%s：字段“%s”出现了两次。", what, key)
		return false
	}
	return true
}

// KindName names what a node is, for a message: "a mapping", "a list",
// "an alias", the quoted scalar, or "nothing".
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		return quoteShort(n.Value)
	}
	return "nothing"
}

// maxQuoted is how many characters of a scalar a message quotes.
const maxQuoted = 60

// quoteShort quotes s, cut to its first maxQuoted characters: a file that
// is not YAML at all (an HTML page, say) parses as one long scalar, and a
// message quoting it whole would bury the problem.
func quoteShort(s string) string {
	r := []rune(s)
	if len(r) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters)", string(r[:maxQuoted]), len(r))
}

// Join is the path of key under path ("a.b", or "b" at the top).
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
