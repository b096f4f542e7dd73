package yamlcheck

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSyntaxLines(t *testing.T) {
	for _, c := range []struct {
		doc  string
		line int
	}{
		{"a: 1\nb: [1, 2\nc: 3\n", 2}, // a parser error, reported 0-based by yaml.v3
		{"a: 1\n\tb: 2\n", 2},         // a scanner error, reported 1-based
		{"a: 'unclosed\n", 2},         // the stream ends on line 2
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(c.doc), &n)
		if err == nil {
			t.Fatalf("%q parsed", c.doc)
		}
		line, msg := Syntax(err)
		if line != c.line || strings.HasPrefix(msg, "yaml:") {
			t.Errorf("%q: line %d, %q; want line %d without the yaml: prefix", c.doc, line, msg, c.line)
		}
	}
}

func TestProblemsOncePerFieldInLineOrder(t *testing.T) {
	var ps Problems
	ps.Add(5, "b", "second")
	ps.Add(2, "a[0]", "first")
	ps.Add(9, "b", "not again")
	ps.Add(1, "", "whole file %d", 1)
	if ps.Len() != 3 || !ps.Seen("b") || ps.Seen("a") || !ps.SeenUnder("a") || ps.SeenUnder("c") {
		t.Errorf("len %d, seen b %v, a %v, under a %v", ps.Len(), ps.Seen("b"), ps.Seen("a"), ps.SeenUnder("a"))
	}
	err := &ProblemsError{Name: "f.yaml", Problems: ps.Sorted()}
	if want := "f.yaml:1: whole file 1\nf.yaml:2: first\nf.yaml:5: second"; err.Error() != want {
		t.Errorf("error %q, want %q", err.Error(), want)
	}
}

func TestParseReportsSyntaxOnItsLine(t *testing.T) {
	var ps Problems
	if root := Parse([]byte("a: 1\nb: [1, 2\nc: 3\n"), &ps); root != nil {
		t.Fatalf("a bad document parsed: %v", root)
	}
	got := ps.Sorted()
	if len(got) != 1 || got[0].Line != 2 || !strings.HasPrefix(got[0].Msg, "YAML syntax: ") || strings.Contains(got[0].Msg, "yaml:") {
		t.Errorf("problems %+v, want one YAML syntax problem on line 2", got)
	}
	ps = Problems{}
	if root := Parse([]byte("a: 1\n"), &ps); root == nil || ps.Len() != 0 {
		t.Errorf("a good document: root %v, problems %+v", root, ps.Sorted())
	}
}

func TestKnownKey(t *testing.T) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nz: 2\na: 3\nb: 4\n"), &root); err != nil {
		t.Fatal(err)
	}
	var ps Problems
	got := map[string]*yaml.Node{}
	m := root.Content[0]
	var kept []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		if KnownKey(&ps, m.Content[i], "top", "the thing", []string{"a", "b"}, got) {
			got[m.Content[i].Value] = m.Content[i+1]
			kept = append(kept, m.Content[i].Value)
		}
	}
	err := &ProblemsError{Name: "f.yaml", Problems: ps.Sorted()}
	want := "f.yaml:2: the thing: unknown field \"z\" (known: a, b)\nf.yaml:3: the thing: field \"a\" given twice"
	if strings.Join(kept, ",") != "a,b" || err.Error() != want {
		t.Errorf("kept %v, problems %q; want a,b and %q", kept, err.Error(), want)
	}
	if !ps.Seen("top.z") || !ps.Seen("top.a#dup") {
		t.Errorf("problems not under top.z and top.a#dup: %+v", ps.Sorted())
	}
}

// A file that is not YAML (an HTML page) parses as one long scalar; a
// message names it by its start, not by all of it.
func TestKindNameQuotesLongScalarsShort(t *testing.T) {
	page := "<html><head><title>补习班</title></head><body>" + strings.Repeat("<p>一段很长的正文。</p>", 500) + "</body></html>"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(page), &n); err != nil {
		t.Fatal(err)
	}
	got := KindName(n.Content[0])
	if len([]rune(got)) > 100 || !strings.HasPrefix(got, `"<html><head><title>补习班`) || !strings.Contains(got, "characters)") {
		t.Errorf("KindName = %q; want the page's first characters and its length", got)
	}
	if got := KindName(&yaml.Node{Kind: yaml.ScalarNode, Value: "12"}); got != `"12"` {
		t.Errorf("KindName(12) = %s", got)
	}
}
