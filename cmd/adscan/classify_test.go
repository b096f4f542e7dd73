package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the classify tests")

const classifyTestdata = "testdata/classify"

// runClassifyCmd runs adscan with args and stdin, returning the status and output.
func runClassifyCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{in: strings.NewReader(stdin), out: &out, err: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// golden compares got with testdata/classify/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(classifyTestdata, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestClassifyJSONGolden(t *testing.T) {
	lex := filepath.Join(classifyTestdata, "lexicon.yaml")
	docs := filepath.Join(classifyTestdata, "docs")
	code, out, errOut := runClassifyCmd(t, "", "classify", "--json", "--lexicon", lex, docs)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "docs.jsonl", out)
	checkJSONLines(t, out)
}

func TestClassifyReportGolden(t *testing.T) {
	lex := filepath.Join(classifyTestdata, "lexicon.yaml")
	docs := filepath.Join(classifyTestdata, "docs")
	code, out, errOut := runClassifyCmd(t, "", "classify", "--lexicon", lex, docs)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "docs.txt", out)
}

// checkJSONLines checks the contract of --json: one object per line with
// source, lexicon and a flags array whose evidence indexes the text.
func checkJSONLines(t *testing.T, out string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, key := range []string{"source", "lexicon", "flags"} {
			if _, ok := line[key]; !ok {
				t.Fatalf("line %q has no %q", sc.Text(), key)
			}
		}
		if !bytes.HasPrefix(line["flags"], []byte("[")) {
			t.Fatalf("flags is not an array in %q", sc.Text())
		}
	}
}

func TestClassifyStdin(t *testing.T) {
	lex := filepath.Join(classifyTestdata, "lexicon.yaml")
	text := "喜报：今年我校学员共有38人考入名校，欢迎咨询。"
	for _, args := range [][]string{
		{"classify", "--json", "--lexicon", lex},
		{"classify", "--json", "--lexicon", lex, "-"},
	} {
		code, out, errOut := runClassifyCmd(t, text, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		var got classifyJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %v in %q", args, err, out)
		}
		if got.Source != "-" || len(got.Flags) != 1 || got.Flags[0].Category != "elite_admission" {
			t.Fatalf("%v: got %+v", args, got)
		}
		ev := got.Flags[0].Evidence[0]
		if text[ev.Start:ev.End] != ev.Text {
			t.Fatalf("evidence %+v does not index the text", ev)
		}
	}
}

func TestClassifyBadInputs(t *testing.T) {
	lex := filepath.Join(classifyTestdata, "lexicon.yaml")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.txt", []byte("今年录取38人。去年录取40人。"))
	binary := write("image.txt", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"))
	empty := write("empty.txt", nil)
	invalid := write("invalid.txt", []byte("今年录取38人\xff\xfe。去年录取40人。"))
	missing := filepath.Join(dir, "missing.txt")
	big := write("big.txt", bytes.Repeat([]byte("好"), 400))

	code, out, errOut := runClassifyCmd(t, "", "classify", "--json", "--max-bytes", "1000", "--lexicon", lex, "--model", "none",
		missing, good, binary, empty, invalid, big)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{missing, binary, big} {
		if !strings.Contains(errOut, "classify "+want+":") {
			t.Errorf("stderr does not name %s:\n%s", want, errOut)
		}
	}
	if !strings.Contains(errOut, "binary") || !strings.Contains(errOut, "larger than 1000 bytes") {
		t.Errorf("stderr does not say why:\n%s", errOut)
	}
	var sources []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var got classifyJSON
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("%v in %q", err, l)
		}
		sources = append(sources, got.Source)
		switch got.Source {
		case good, invalid:
			if len(got.Flags) != 1 {
				t.Errorf("%s: flags %+v, want one", got.Source, got.Flags)
			}
		case empty:
			if got.Flags == nil || len(got.Flags) != 0 {
				t.Errorf("%s: flags %+v, want []", got.Source, got.Flags)
			}
		}
	}
	if want := []string{good, empty, invalid}; strings.Join(sources, ",") != strings.Join(want, ",") {
		t.Errorf("sources %v, want %v in input order", sources, want)
	}
}

// A directory with nothing to classify is an error, not an empty report
// (which reads as "nothing flagged"); the dictionary is not even loaded.
func TestClassifyEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.md"), []byte("补习班招生"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runClassifyCmd(t, "", "classify", "--json", dir)
	if code != exitFailure || out != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, exitFailure)
	}
	if want := dir + ": no .txt, .html or .htm file in this directory"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q does not say %q", errOut, want)
	}
}

// A file named twice (itself and in its directory) is classified once.
func TestClassifyEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.txt")
	if err := os.WriteFile(page, []byte("今年录取38人。"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runClassifyCmd(t, "", "classify", "--json", "--model", "none", page, dir, filepath.Join(dir, ".", "page.txt"))
	if code != exitOK || strings.Count(out, "\n") != 1 {
		t.Errorf("exit %d, %d lines; want one document:\n%s%s", code, strings.Count(out, "\n"), out, errOut)
	}
}

func TestClassifyBadLexicon(t *testing.T) {
	dir := t.TempDir()
	lex := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(lex, []byte("name: bad\nversion: \"1\"\ncategories:\n  - id: nope\n    threshold: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runClassifyCmd(t, "今年录取38人", "classify", "--lexicon", lex)
	if code != exitFailure || out != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, exitFailure)
	}
	if !strings.Contains(errOut, lex+":") {
		t.Errorf("stderr does not name the lexicon with a line:\n%s", errOut)
	}
	code, _, errOut = runClassifyCmd(t, "", "classify", "--lexicon", filepath.Join(dir, "missing.yaml"))
	if code != exitFailure || !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("missing lexicon: exit %d, stderr %q", code, errOut)
	}
}

// TestClassifyDefaultLexicon runs the embedded default lexicon end to end.
func TestClassifyDefaultLexicon(t *testing.T) {
	code, out, errOut := runClassifyCmd(t, "今天天气很好，我们去公园散步。", "classify", "--json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got classifyJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Lexicon.Name == "" || got.Lexicon.Version == "" || got.Flags == nil || len(got.Flags) != 0 {
		t.Fatalf("got %+v", got)
	}
}
