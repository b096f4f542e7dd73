package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runLexicon runs adscan with args and returns the exit status and output.
func runLexicon(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodLexicon = `name: mini
version: "0.1"
categories:
  - id: ranking
    title: 宣传排名
    basis: （十七）
    severity: high
    threshold: 0.5
groups:
  - id: score
    terms: [满分, 状元]
rules:
  - id: r1
    category: ranking
    all: [score]
    weight: 0.5
`

func TestLexiconCheckOK(t *testing.T) {
	path := writeFile(t, "mini.yaml", goodLexicon)
	code, out, errOut := runLexicon(t, "lexicon", "check", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if want := "ok: mini 0.1, 1 category, 1 group, 1 rule\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestLexiconCheckProblems(t *testing.T) {
	bad := strings.Replace(goodLexicon, "category: ranking", "category: foo", 1)
	bad = strings.Replace(bad, "terms: [满分, 状元]", "terms: []", 1)
	bad += "  - id: r2\n    category: ranking\n    pattern: '(('\n    weight: 0.5\n"
	path := writeFile(t, "bad.yaml", bad)
	code, out, _ := runLexicon(t, "lexicon", "check", path)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	want := []string{
		path + `:11: group "score": empty group (no terms)`,
		path + `:14: rule "r1": unknown category "foo"`,
		path + `:19: rule "r2": bad pattern: error parsing regexp: missing closing ): ` + "`((`",
		"3 problems",
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("stdout:\n%s\nwant %d lines", out, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestLexiconCheckSyntaxError(t *testing.T) {
	path := writeFile(t, "syntax.yaml", "name: x\nversion: [1\n")
	code, out, _ := runLexicon(t, "lexicon", "check", path)
	if code != exitFailure || !strings.Contains(out, path+":2: YAML syntax:") || !strings.HasSuffix(out, "1 problem\n") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

func TestLexiconCheckUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	code, out, errOut := runLexicon(t, "lexicon", "check", path)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if out != "" || !strings.Contains(errOut, path) {
		t.Errorf("stdout %q, stderr %q: want an error naming %s", out, errOut, path)
	}
}

func TestLexiconUsage(t *testing.T) {
	for _, args := range [][]string{
		{"lexicon", "check"},
		{"lexicon", "check", "a.yaml", "b.yaml"},
		{"lexicon"},
		{"lexicon", "frobnicate"},
		{"lexicon", "check", "--nope", "a.yaml"},
	} {
		code, _, errOut := runLexicon(t, args...)
		if code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and a message", args, code, errOut, exitUsage)
		}
	}
}

func TestLexiconDefault(t *testing.T) {
	code, out, _ := runLexicon(t, "lexicon", "default")
	if code != exitOK || !strings.Contains(out, "name: shuangjian-default") {
		t.Fatalf("exit %d, stdout starts %.200q", code, out)
	}
	// What it prints is a valid lexicon.
	path := writeFile(t, "default.yaml", out)
	code, out, _ = runLexicon(t, "lexicon", "check", path)
	if code != exitOK || !strings.HasPrefix(out, "ok: shuangjian-default ") || !strings.Contains(out, "10 categories") {
		t.Errorf("check of the default: exit %d, %q", code, out)
	}
}
