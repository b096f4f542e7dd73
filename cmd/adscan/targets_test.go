package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adscan"
	"adscan/store"
)

// runAdmin runs the adscan command line with env as the environment and
// returns the exit status and output.
func runAdmin(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{
		in: strings.NewReader(stdin), out: &out, err: &errb,
		getenv: func(k string) string { return env[k] },
	})
	return code, out.String(), errb.String()
}

// writeTempFile writes content to a file named name in a new temporary directory.
func writeTempFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// listTargets returns the targets `targets list --json` prints.
func listTargets(t *testing.T, db string) []adscan.Target {
	t.Helper()
	code, out, errOut := runAdmin(t, nil, "", "targets", "list", "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("targets list: exit %d: %s", code, errOut)
	}
	var list []adscan.Target
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var tg adscan.Target
		if err := dec.Decode(&tg); err != nil {
			t.Fatalf("targets list --json: %v in %q", err, out)
		}
		list = append(list, tg)
	}
	return list
}

func TestTargetsImport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "adscan.db")
	// Columns in another order and case, a spreadsheet's BOM, a quoted
	// field with a comma, optional columns left empty.
	good := writeTempFile(t, "good.csv", "\ufeffName,URL,max_pages,Region\n"+
		`"北京某培训, 朝阳校区",https://Peixun.Example.com,50,北京`+"\n"+
		"\n"+
		",http://b.example/courses#top,,\n")
	code, out, errOut := runAdmin(t, nil, "", "targets", "import", good, "--db", db)
	if code != exitOK || !strings.Contains(out, "imported 2 targets") || !strings.Contains(out, "2 added, 0 updated") {
		t.Fatalf("import good.csv: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	list := listTargets(t, db)
	if len(list) != 2 {
		t.Fatalf("after import: %d targets, want 2: %+v", len(list), list)
	}
	want := []adscan.Target{
		{URL: "https://peixun.example.com/", Name: "北京某培训, 朝阳校区", Region: "北京", MaxPages: 50},
		{URL: "http://b.example/courses"},
	}
	for i, w := range want {
		g := list[i]
		if g.URL != w.URL || g.Name != w.Name || g.Region != w.Region || g.MaxPages != w.MaxPages || g.MaxDepth != w.MaxDepth || g.ID == "" {
			t.Errorf("target %d = %+v, want %+v", i, g, w)
		}
	}

	// The same URL again updates the target (found by its normalised URL)
	// in the file's columns; region and max_pages, not in it, stay.
	update := writeTempFile(t, "update.csv", "url,max_depth,name\nhttps://peixun.example.com/,3,北京某培训\nhttps://c.example/,,\n")
	code, out, errOut = runAdmin(t, map[string]string{envDB: db}, "", "targets", "import", update)
	if code != exitOK || !strings.Contains(out, "1 added, 1 updated") {
		t.Fatalf("import update.csv (db from %s): exit %d, stdout %q, stderr %q", envDB, code, out, errOut)
	}
	list = listTargets(t, db)
	if len(list) != 3 || list[0].ID == "" || list[0].MaxDepth != 3 || list[0].Name != "北京某培训" || list[0].Region != "北京" || list[0].MaxPages != 50 {
		t.Errorf("after update: %+v", list)
	}

	// The table lists every target.
	code, out, _ = runAdmin(t, nil, "", "targets", "list", "--db", db)
	if code != exitOK || !strings.Contains(out, "URL") || !strings.Contains(out, "https://c.example/") || strings.Count(out, "\n") != 4 {
		t.Errorf("targets list: exit %d:\n%s", code, out)
	}
}

func TestTargetsImportBadRows(t *testing.T) {
	db := newDatabase(t) // as adscan dev leaves it
	bad := writeTempFile(t, "bad.csv", strings.Join([]string{
		"url,name,max_pages,max_depth",
		"https://ok.example/,fine,10,2",
		"ftp://files.example/,wrong scheme,,",
		"https://neg.example/,negative,-5,",
		"https://word.example/,not a number,,deep",
		`https://multi.example/,"a name`,
		`over two lines",,`,
		"https://ok.example,repeated,,",
		"https://many.example/,x,1,2,3",
		",no url,,",
		"http://127.0.0.1:8080/,private,,",
		"https:///nohost,,,",
		"https://gbk.example/,\xb1\xb1\xbe\xa9,,", // 北京 in GBK
	}, "\n")+"\n")

	code, out, errOut := runAdmin(t, nil, "", "targets", "import", bad, "--db", db)
	if code != exitFailure {
		t.Fatalf("import bad.csv: exit %d, want %d; stdout %q, stderr %q", code, exitFailure, out, errOut)
	}
	for _, want := range []string{
		"bad.csv:3: target \"ftp://files.example/\"",
		"bad.csv:4: max_pages \"-5\"",
		"bad.csv:5: max_depth \"deep\"",
		"bad.csv:8: url https://ok.example/ repeats line 2",
		"bad.csv:9: 5 fields",
		"bad.csv:10: no url",
		"bad.csv:11: target \"http://127.0.0.1:8080/\"",
		"bad.csv:12: target \"https:///nohost\" has no host",
		"bad.csv:13: not UTF-8",
		"9 bad row(s); nothing imported",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "bad.csv:6:") || strings.Contains(errOut, "bad.csv:2:") {
		t.Errorf("good rows reported as bad:\n%s", errOut)
	}
	if list := listTargets(t, db); len(list) != 0 {
		t.Errorf("a bad row let %d targets be written: %+v", len(list), list)
	}

	// --skip-invalid imports the good rows (2 and the two-line 6) and
	// still reports the bad ones; --allow-private-targets lets line 11 in.
	code, out, errOut = runAdmin(t, nil, "", "targets", "import", bad, "--db", db, "--skip-invalid", "--allow-private-targets")
	if code != exitOK || !strings.Contains(out, "imported 3 targets") || !strings.Contains(out, "8 bad rows skipped") || !strings.Contains(errOut, "bad.csv:3:") {
		t.Fatalf("import --skip-invalid: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	list := listTargets(t, db)
	if len(list) != 3 || list[1].Name != "a name\nover two lines" || list[2].URL != "http://127.0.0.1:8080/" {
		t.Errorf("after --skip-invalid: %+v", list)
	}
}

func TestTargetsImportErrors(t *testing.T) {
	db := newDatabase(t) // as adscan dev leaves it
	for _, tc := range []struct {
		name    string
		csv     string // "" for no file
		args    []string
		code    int
		stderr  string
		noStore bool
	}{
		{name: "no url column", csv: "name,region\nx,y\n", code: exitFailure, stderr: "no url column"},
		{name: "unknown column", csv: "url,pages\nhttps://a.example/,3\n", code: exitFailure, stderr: `t.csv:1: unknown column "pages"`},
		{name: "column twice", csv: "url,URL\nhttps://a.example/,https://b.example/\n", code: exitFailure, stderr: `column "url" appears twice`},
		{name: "empty file", csv: "\n", code: exitFailure, stderr: "empty file"},
		{name: "header only", csv: "url\n", code: exitFailure, stderr: "no target to import"},
		{name: "broken quotes", csv: "url,name\nhttps://a.example/,\"open\n", code: exitFailure, stderr: "t.csv:"},
		{name: "missing file", args: []string{"targets", "import", "/nonexistent/t.csv", "--db", db}, code: exitFailure, stderr: "/nonexistent/t.csv"},
		{name: "no file", args: []string{"targets", "import", "--db", db}, code: exitUsage, stderr: "want one FILE.csv"},
		{name: "no db", csv: "url\nhttps://a.example/\n", args: []string{"--db", ""}, code: exitUsage, stderr: "--db"},
		{name: "stray argument", args: []string{"targets", "list", "x", "--db", db}, code: exitUsage, stderr: `unexpected argument "x"`},
		{name: "no subcommand", args: []string{"targets"}, code: exitUsage, stderr: "want a subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.csv != "" {
				file := writeTempFile(t, "t.csv", tc.csv)
				args = append([]string{"targets", "import", file, "--db", db}, args...)
			}
			code, _, errOut := runAdmin(t, nil, "", args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.stderr)
			}
		})
	}
	if list := listTargets(t, db); len(list) != 0 {
		t.Errorf("failed imports wrote %d targets", len(list))
	}
}

func TestTargetsImportStdin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "adscan.db")
	code, out, errOut := runAdmin(t, nil, "url\nhttps://a.example/\n", "targets", "import", "-", "--db", db)
	if code != exitOK || !strings.Contains(out, "1 added") {
		t.Fatalf("import from stdin: exit %d, %q, %q", code, out, errOut)
	}
}

// newDatabase creates an empty adscan database, as adscan dev would, and
// returns its path: commands that only read refuse a missing one.
func newDatabase(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "adscan.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	return db
}

// An error of adscan's own wrapped in a command's context reads as one
// line by its message, without the "adscan: invalid:" of its Error method.
func TestErrorLineUnwrapsAdscanErrors(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"targets", "import", "-", "--db", filepath.Join(t.TempDir(), "a.db")},
		streams{in: strings.NewReader("url,nmae\nhttps://a.example/,x\n"), out: &out, err: &errb, getenv: func(string) string { return "" }})
	if want := "adscan: targets import: -:1: unknown column \"nmae\"; the columns are url, name, region, kind, licence, max_pages, max_depth, render\n"; code != exitFailure || errb.String() != want {
		t.Errorf("exit %d, stderr %q; want %q", code, errb.String(), want)
	}
}

// A file with fewer columns updates registered targets in those columns
// alone: a region file does not make a blacklisted site unregistered.
func TestTargetsImportKeepsColumnsItLacks(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	imp := func(csv string) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"targets", "import", "-", "--db", db},
			streams{in: strings.NewReader(csv), out: &out, err: &errb, getenv: func(string) string { return "" }}); code != exitOK {
			t.Fatalf("import: exit %d: %s", code, errb.String())
		}
	}
	imp("url,name,licence,max_pages\nhttp://good1.example.cn/,好机构,whitelist,10\n")
	imp("url,region\nhttp://good1.example.cn/,东城区\n")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts, err := st.ListTargets(context.Background())
	if err != nil || len(ts) != 1 {
		t.Fatalf("targets %+v, %v", ts, err)
	}
	if tg := ts[0]; tg.Name != "好机构" || tg.Licence != adscan.LicenceWhitelist || tg.MaxPages != 10 || tg.Region != "东城区" {
		t.Errorf("after a url,region import: %+v", tg)
	}
}
