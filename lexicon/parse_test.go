package lexicon

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adscan"
)

// base is a valid lexicon; the cases below change it. Its line numbers
// matter: the expected problems name them.
const base = `name: t
version: "1"
categories:
  - id: ranking
    title: 宣传排名
    basis: （十七）不得宣传学员分数排名
    severity: high
    threshold: 0.5
groups:
  - id: score
    terms: [满分, 状元]
  - id: subject
    terms: [数学]
rules:
  - id: r1
    category: ranking
    all: [score]
    weight: 0.5
`

// edit returns base with old replaced by new (old must occur).
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

// want is one expected problem: its line and a part of its message.
type want struct {
	line int
	msg  string
}

func TestBaseIsValid(t *testing.T) {
	if probs := Check([]byte(base), "base.yaml"); len(probs) != 0 {
		t.Fatalf("base lexicon has problems: %v", probs)
	}
}

func TestCheckProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml func(t *testing.T) string
		want []want
	}{
		{"syntax: unclosed flow list", func(t *testing.T) string { return base + "suppressors: [a, b\nallow: []\n" },
			[]want{{19, "YAML syntax: did not find expected ',' or ']'"}}},
		{"syntax: tab indentation", func(t *testing.T) string { return edit(t, "    weight: 0.5", "\tweight: 0.5") },
			[]want{{18, "YAML syntax: found character that cannot start any token"}}},
		{"syntax: unterminated quote", func(t *testing.T) string { return base + "description: \"abc\n" },
			[]want{{19, "YAML syntax: found unexpected end of stream"}}},
		{"syntax: bad indentation", func(t *testing.T) string {
			return edit(t, "    weight: 0.5", "    weight: 0.5\n  weight2: 1\n     x: 2")
		},
			[]want{{15, "YAML syntax: did not find expected '-' indicator"}}},
		{"syntax: first line", func(t *testing.T) string { return "name: [t\n" + base[8:] },
			[]want{{2, "YAML syntax: did not find expected ',' or ']'"}}},
		{"empty file", func(t *testing.T) string { return "" },
			[]want{{1, "the file is empty"}}},
		{"only a comment", func(t *testing.T) string { return "# nothing\n" },
			[]want{{1, "the file is empty"}}},
		{"top level is a list", func(t *testing.T) string { return "- a\n- b\n" },
			[]want{{1, "want a mapping with name, version"}}},
		{"unknown top-level field", func(t *testing.T) string { return base + "colour: red\n" },
			[]want{{19, `lexicon: unknown field "colour"`}}},
		{"unknown rule field", func(t *testing.T) string { return edit(t, "    weight: 0.5\n", "    weight: 0.5\n    wieght: 1\n") },
			[]want{{19, `rule "r1": unknown field "wieght"`}}},
		{"field given twice", func(t *testing.T) string { return edit(t, "    weight: 0.5\n", "    weight: 0.5\n    weight: 0.6\n") },
			[]want{{19, `rule "r1": field "weight" given twice`}}},
		{"missing name", func(t *testing.T) string { return edit(t, "name: t\n", "") },
			[]want{{1, "missing name"}}},
		{"missing version", func(t *testing.T) string { return edit(t, "version: \"1\"\n", "") },
			[]want{{1, "missing version"}}},
		{"empty version", func(t *testing.T) string { return edit(t, "version: \"1\"", "version: \"\"") },
			[]want{{2, "missing version"}}},
		{"unknown category declared", func(t *testing.T) string { return edit(t, "  - id: ranking", "  - id: rankings") },
			[]want{{4, `unknown category "rankings"`}, {16, `rule "r1": category "ranking" is not declared`}}},
		{"category declared twice", func(t *testing.T) string {
			return edit(t, "groups:\n", "  - id: ranking\n    title: 再次\n    basis: x\n    severity: low\n    threshold: 1\ngroups:\n")
		}, []want{{9, `category "ranking" declared twice`}}},
		{"category missing title", func(t *testing.T) string { return edit(t, "    title: 宣传排名\n", "") },
			[]want{{4, `category "ranking": missing title`}}},
		{"category missing basis", func(t *testing.T) string {
			return edit(t, "    basis: （十七）不得宣传学员分数排名\n", "")
		},
			[]want{{4, `category "ranking": missing basis`}}},
		{"bad severity", func(t *testing.T) string { return edit(t, "severity: high", "severity: urgent") },
			[]want{{7, `category "ranking": severity "urgent": want low, medium or high`}}},
		{"threshold zero", func(t *testing.T) string { return edit(t, "threshold: 0.5", "threshold: 0") },
			[]want{{8, `category "ranking": threshold 0 outside (0,1]`}}},
		{"threshold above one", func(t *testing.T) string { return edit(t, "threshold: 0.5", "threshold: 1.5") },
			[]want{{8, `threshold 1.5 outside (0,1]`}}},
		{"threshold not a number", func(t *testing.T) string { return edit(t, "threshold: 0.5", "threshold: high") },
			[]want{{8, `category "ranking": threshold: want a number, got "high"`}}},
		{"rule with unknown category", func(t *testing.T) string { return edit(t, "    category: ranking", "    category: foo") },
			[]want{{16, `rule "r1": unknown category "foo"`}}},
		{"rule with undeclared category", func(t *testing.T) string { return edit(t, "    category: ranking", "    category: late_hours") },
			[]want{{16, `rule "r1": category "late_hours" is not declared under categories`}}},
		{"rule without category", func(t *testing.T) string { return edit(t, "    category: ranking\n", "") },
			[]want{{15, `rule "r1": missing category`}}},
		{"empty group", func(t *testing.T) string { return edit(t, "terms: [数学]", "terms: []") },
			[]want{{13, `group "subject": empty group`}}},
		{"group without terms", func(t *testing.T) string { return edit(t, "    terms: [数学]\n", "") },
			[]want{{12, `group "subject": empty group`}}},
		{"empty term", func(t *testing.T) string {
			return edit(t, "terms: [满分, 状元]", "terms:\n      - 满分\n      - \"  \"")
		},
			[]want{{13, `group "score": empty term`}}},
		{"term without letters", func(t *testing.T) string { return edit(t, "terms: [满分, 状元]", "terms: [满分, '*·']") },
			[]want{{11, `group "score": term "*·" has no letter or digit`}}},
		{"group term is a list", func(t *testing.T) string { return edit(t, "terms: [满分, 状元]", "terms: [满分, [状元]]") },
			[]want{{11, `group "score": terms: want text, got a list`}}},
		{"duplicate group id", func(t *testing.T) string { return edit(t, "  - id: subject", "  - id: score") },
			[]want{{12, `duplicate group id "score"`}}},
		{"group without id", func(t *testing.T) string { return edit(t, "  - id: subject\n    terms", "  - terms") },
			[]want{{12, `group groups[1]: missing id`}}},
		{"duplicate rule id", func(t *testing.T) string {
			return base + "  - id: r1\n    category: ranking\n    all: [subject]\n    weight: 0.2\n"
		}, []want{{19, `duplicate rule id "r1"`}}},
		{"rule names missing group", func(t *testing.T) string { return edit(t, "all: [score]", "all: [score, nogroup]") },
			[]want{{17, `rule "r1": all names missing group "nogroup"`}}},
		{"rule any names missing group", func(t *testing.T) string {
			return edit(t, "    weight: 0.5\n", "    weight: 0.5\n    any:\n      - subject\n      - grade\n")
		},
			[]want{{21, `rule "r1": any names missing group "grade"`}}},
		{"rule with neither all nor pattern", func(t *testing.T) string { return edit(t, "    all: [score]\n", "") },
			[]want{{15, `rule "r1": needs all (groups that must co-occur) or pattern`}}},
		{"bad regex", func(t *testing.T) string { return edit(t, "    all: [score]", `    pattern: '录取(\d+人'`) },
			[]want{{17, "rule \"r1\": bad pattern: error parsing regexp: missing closing ): `录取(\\d+人`"}}},
		{"pattern matching empty text", func(t *testing.T) string { return edit(t, "    all: [score]", `    pattern: '\d*'`) },
			[]want{{17, `rule "r1": pattern "\\d*" matches empty text`}}},
		{"weight zero", func(t *testing.T) string { return edit(t, "weight: 0.5", "weight: 0") },
			[]want{{18, `rule "r1": weight 0 outside (0,1]`}}},
		{"weight above one", func(t *testing.T) string { return edit(t, "weight: 0.5", "weight: 1.01") },
			[]want{{18, `rule "r1": weight 1.01 outside (0,1]`}}},
		{"weight missing", func(t *testing.T) string { return edit(t, "    weight: 0.5\n", "") },
			[]want{{15, `rule "r1": weight 0 outside (0,1]`}}},
		{"weight not a number", func(t *testing.T) string { return edit(t, "weight: 0.5", "weight: heavy") },
			[]want{{18, `rule "r1": weight: want a number, got "heavy"`}}},
		{"negative window", func(t *testing.T) string { return base + "    window: -1\n" },
			[]want{{19, `rule "r1": window -1 is negative`}}},
		{"window not whole", func(t *testing.T) string { return base + "    window: 2.5\n" },
			[]want{{19, `rule "r1": window: want a whole number, got "2.5"`}}},
		{"number not bool", func(t *testing.T) string { return base + "    number: maybe\n" },
			[]want{{19, `rule "r1": number: want true or false, got "maybe"`}}},
		{"rule item not a mapping", func(t *testing.T) string { return base + "  - just text\n" },
			[]want{{19, `rule rules[1]: want a mapping`}}},
		{"rules not a list", func(t *testing.T) string {
			return edit(t, "rules:\n  - id: r1\n    category: ranking\n    all: [score]\n    weight: 0.5\n", "rules: none\n")
		},
			[]want{{14, `rules: want a list`}}},
		{"alias", func(t *testing.T) string {
			return edit(t, "terms: [满分, 状元]", "terms: &s [满分, 状元]") + "suppressors:\n  - id: s\n    terms: *s\n"
		},
			[]want{{21, `suppressor "s": terms: YAML aliases (*name) are not supported`}}},
		{"suppressor without terms", func(t *testing.T) string { return base + "suppressors:\n  - id: s\n    terms: []\n" },
			[]want{{21, `suppressor "s": no terms`}}},
		{"suppressor unknown category", func(t *testing.T) string {
			return base + "suppressors:\n  - id: s\n    terms: [严禁]\n    categories: [ranking, foo]\n"
		}, []want{{22, `suppressor "s": unknown category "foo"`}}},
		{"suppressor undeclared category", func(t *testing.T) string {
			return base + "suppressors:\n  - id: s\n    terms: [严禁]\n    categories: [late_hours]\n"
		}, []want{{22, `suppressor "s": category "late_hours" is not declared under categories`}}},
		{"suppressor negative window", func(t *testing.T) string {
			return base + "suppressors:\n  - id: s\n    terms: [严禁]\n    window: -5\n"
		},
			[]want{{22, `suppressor "s": window -5 is negative`}}},
		{"duplicate suppressor id", func(t *testing.T) string {
			return base + "suppressors:\n  - id: s\n    terms: [严禁]\n  - id: s\n    terms: [查处]\n"
		}, []want{{22, `duplicate suppressor id "s"`}}},
		{"exclusion unknown category", func(t *testing.T) string {
			return base + "exclusions:\n  - id: e\n    terms: [篮球]\n    categories: [sports]\n"
		},
			[]want{{22, `exclusion "e": unknown category "sports"`}}},
		{"exclusion unless names missing group", func(t *testing.T) string {
			return base + "exclusions:\n  - id: e\n    terms: [篮球]\n    unless: [subjects]\n"
		},
			[]want{{22, `exclusion "e": unless names missing group "subjects"`}}},
		{"exclusion negative min_count", func(t *testing.T) string {
			return base + "exclusions:\n  - id: e\n    terms: [篮球]\n    min_count: -1\n"
		},
			[]want{{22, `exclusion "e": min_count -1 is negative`}}},
		{"exclusion negative window", func(t *testing.T) string {
			return base + "exclusions:\n  - id: e\n    terms: [篮球]\n    window: -3\n"
		},
			[]want{{22, `exclusion "e": window -3 is negative`}}},
		{"exclusion empty term", func(t *testing.T) string { return base + "exclusions:\n  - id: e\n    terms: [篮球, '']\n" },
			[]want{{21, `exclusion "e": empty term`}}},
		{"duplicate exclusion id", func(t *testing.T) string {
			return base + "exclusions:\n  - id: e\n    terms: [篮球]\n  - id: e\n    terms: [游泳]\n"
		}, []want{{22, `duplicate exclusion id "e"`}}},
		{"allow without phrase", func(t *testing.T) string { return base + "allow:\n  - site: example.cn\n" },
			[]want{{20, `allow entry allow[0]: missing phrase`}}},
		{"allow with URL for site", func(t *testing.T) string { return base + "allow:\n  - phrase: 校友\n    site: https://example.cn/\n" },
			[]want{{21, `allow entry allow[0]: site "https://example.cn/": want a host name`}}},
		{"allow phrase without letters", func(t *testing.T) string { return base + "allow:\n  - phrase: '--'\n" },
			[]want{{20, `allow entry allow[0]: phrase "--" has no letter or digit`}}},
		{"allow unknown category", func(t *testing.T) string { return base + "allow:\n  - phrase: 校友\n    categories: [elite]\n" },
			[]want{{21, `allow entry allow[0]: unknown category "elite"`}}},
		{"several problems, all reported in line order", func(t *testing.T) string {
			s := edit(t, "severity: high", "severity: urgent")
			s = strings.Replace(s, "  - id: subject", "  - id: score", 1)
			return strings.Replace(s, "all: [score]", "all: [nogroup]", 1) + "    window: -3\n"
		}, []want{
			{7, `severity "urgent"`},
			{12, `duplicate group id "score"`},
			{17, `all names missing group "nogroup"`},
			{19, `window -3 is negative`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check([]byte(tt.yaml(t)), "t.yaml")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), formatAll(got))
			}
			for i, w := range tt.want {
				if got[i].Line != w.line || !strings.Contains(got[i].Msg, w.msg) {
					t.Errorf("problem %d = line %d %q; want line %d containing %q", i, got[i].Line, got[i].Msg, w.line, w.msg)
				}
			}
		})
	}
}

func formatAll(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Format("t.yaml") + " [" + p.Field + "]\n")
	}
	return b.String()
}

func TestParseError(t *testing.T) {
	data := edit(t, "    category: ranking", "    category: foo")
	lex, err := Parse([]byte(data), "my.yaml")
	if lex != nil {
		t.Errorf("Parse returned a lexicon for a bad file")
	}
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *ProblemsError", err, err)
	}
	if !strings.HasPrefix(err.Error(), `my.yaml:16: rule "r1": unknown category "foo"`) {
		t.Errorf("err = %q", err)
	}
	if len(pe.Problems) != 1 || pe.Problems[0].Field != "rules[0].category" {
		t.Errorf("problems = %+v", pe.Problems)
	}
}

func TestParseValid(t *testing.T) {
	lex, err := Load(filepath.Join("testdata", "small.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if lex.Name != "small" || lex.Version != "1.0" {
		t.Errorf("ref = %+v", lex.Ref())
	}
	if len(lex.Categories) != 2 || len(lex.Groups) != 3 || len(lex.Rules) != 2 ||
		len(lex.Suppressors) != 2 || len(lex.Exclusions) != 1 || len(lex.Allow) != 1 {
		t.Fatalf("counts wrong: %+v", lex)
	}
	r := lex.Rules[0]
	if r.ID != "elite-admit-number" || r.Category != adscan.CategoryEliteAdmission || !r.Number ||
		r.Window != 30 || r.Weight != 0.7 || strings.Join(r.All, ",") != "admit,elite" {
		t.Errorf("rule 0 = %+v", r)
	}
	if got := lex.Rules[1].EffectiveWindow(); got != DefaultWindow {
		t.Errorf("default window = %d", got)
	}
	e := lex.Exclusions[0]
	if e.MinCount != 2 || e.EffectiveMinCount() != 2 || strings.Join(e.Unless, ",") != "subject" {
		t.Errorf("exclusion = %+v", e)
	}
	if c, ok := lex.Category(adscan.CategoryLateHours); !ok || c.Threshold != 0.5 {
		t.Errorf("Category(late_hours) = %+v, %v", c, ok)
	}
	if _, ok := lex.Group("nope"); ok {
		t.Errorf("Group(nope) found")
	}
	if a := lex.Allow[0]; a.Site != "example.edu.cn" || a.Phrase != "校友风采" {
		t.Errorf("allow = %+v", a)
	}
}

func TestLoadUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want an error naming %s", err, path)
	}
	var pe *ProblemsError
	if errors.As(err, &pe) {
		t.Errorf("an unreadable file is not a problem list: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("test file unexpectedly exists")
	}
}

func TestValidateInMemory(t *testing.T) {
	lex, err := Parse([]byte(base), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p := lex.Validate(); len(p) != 0 {
		t.Fatalf("valid lexicon: %v", p)
	}
	bad := lex.WithAllow(AllowEntry{Site: "x.cn"})
	p := bad.Validate()
	if len(p) != 1 || p[0].Line != 0 || !strings.Contains(p[0].Msg, "missing phrase") {
		t.Fatalf("problems = %+v", p)
	}
	if got := p[0].Format("mem"); got != "mem: allow entry allow[0]: missing phrase (the text the exception is scoped to)" {
		t.Errorf("Format = %q", got)
	}
}
