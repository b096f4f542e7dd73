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
