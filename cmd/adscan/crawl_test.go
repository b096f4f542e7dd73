package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/spf13/pflag"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adscan/crawler"
	"adscan/crawler/fakesite"
)

// runCrawlCmd runs adscan with args, returning the status and output.
func runCrawlCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestCrawlJSON(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	tlsSite := httptest.NewUnstartedServer(nil)
	tlsSite.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is expected
	tlsSite.StartTLS()
	defer tlsSite.Close()
	seed := site.URL + "/about.html"
	// --allow-private, DESIGN.md's name, is --allow-private-targets.
	code, out, errOut := runCrawlCmd(t, "crawl", "--json", "--allow-private", "--crawl-delay", "0", "--max-pages", "5", "--max-depth", "1",
		"ftp://example.org/", seed, "http://bad host/", tlsSite.URL+"/")
	if code != exitFailure {
		t.Errorf("exit %d, want 1 (some URLs failed); stderr:\n%s", code, errOut)
	}
	byURL := map[string]crawlPageJSON{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var p crawlPageJSON
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if p.Flags == nil || !strings.Contains(line, `"flags":[`) {
			t.Errorf("line without a flags list: %s", line)
		}
		byURL[p.URL] = p
	}
	if p := byURL[seed]; p.Status != 200 || p.Error != "" || p.BodySHA256 == "" || p.Lexicon == nil {
		t.Errorf("seed line: %+v", p)
	}
	if p := byURL[site.URL+"/"]; p.Status != 200 || p.Depth != 1 {
		t.Errorf("linked page line: %+v", p)
	}
	for _, bad := range []struct{ url, want string }{
		{"ftp://example.org/", "must start with http:// or https://"},
		{"http://bad host/", "invalid"},
		{tlsSite.URL + "/", "certificate"},
	} {
		if p := byURL[bad.url]; !strings.Contains(p.Error, bad.want) || !strings.Contains(errOut, bad.url) {
			t.Errorf("%s: line %+v, want an error with %q, also on stderr", bad.url, p, bad.want)
		}
	}
	if !strings.Contains(errOut, "adscan: crawl "+seed+": ") || !strings.Contains(errOut, " pages, 0 errors") {
		t.Errorf("no summary for the seed on stderr:\n%s", errOut)
	}
}

func TestCrawlScriptTextNotFlagged(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	code, out, errOut := runCrawlCmd(t, "crawl", "--allow-private-targets", "--crawl-delay", "0", "--max-pages", "1",
		site.URL+fakesite.PathScript, site.URL+fakesite.PathFlagged)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || lines[0] != "200 "+site.URL+fakesite.PathScript || !strings.HasPrefix(lines[1], "200 "+site.URL+fakesite.PathFlagged) {
		t.Fatalf("output:\n%s", out)
	}
	// lines[1] follows lines[0] directly: no FLAG line for the script page.
	if !strings.Contains(out, "FLAG elite_admission") {
		t.Errorf("want the visible 名校录取 page flagged (real default lexicon):\n%s", out)
	}
}

func TestCrawlPrivateRefused(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	code, _, errOut := runCrawlCmd(t, "crawl", "--crawl-delay", "0", site.URL+"/")
	if code != exitFailure || !strings.Contains(errOut, "--allow-private-targets") {
		t.Errorf("exit %d, stderr %q; want a refusal that names --allow-private-targets", code, errOut)
	}
	if len(site.RequestedPaths()) != 0 {
		t.Errorf("private site reached: %v", site.RequestedPaths())
	}
}

func TestCrawlWithoutScheme(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	host := strings.TrimPrefix(site.URL, "http://")
	code, out, errOut := runCrawlCmd(t, "crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--max-pages", "1", host+fakesite.PathAbout)
	if code != exitOK || !strings.Contains(out, `"url":"`+site.URL+fakesite.PathAbout+`"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestCrawlUsage(t *testing.T) {
	if code, _, _ := runCrawlCmd(t, "crawl"); code != exitUsage {
		t.Errorf("no URL: exit %d, want 2", code)
	}
	// A bad value is named by its flag (and --delay by its name now).
	for _, tc := range [][]string{{"--max-pages", "0"}, {"--crawl-delay", "-1s"}, {"--max-depth", "-1"}, {"--parallelism", "0"}, {"--budget", "-1s"}} {
		code, _, errOut := runCrawlCmd(t, "crawl", tc[0], tc[1], "http://example.org/")
		if code != exitUsage || !strings.Contains(errOut, "crawl: "+tc[0]+" must be") {
			t.Errorf("%s %s: exit %d, %q; want 2 naming the flag", tc[0], tc[1], code, errOut)
		}
	}
}

func TestCrawlProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf) // not a terminal: plain lines
	p.every = 0
	p.start("http://example.org/")
	p.add(crawler.Page{})
	p.add(crawler.Page{Err: errors.New("boom")})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "crawl http://example.org/: 2 pages, 1 errors, 0 flagged, ") ||
		!strings.HasSuffix(lines[1], " pages/s") || strings.Contains(buf.String(), "\r") {
		t.Errorf("progress output %q", buf.String())
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/devd/adscan.db":                    "/tmp/devd/adscan.db",
		"postgres://u@h:5432/db?sslmode=disable": "'postgres://u@h:5432/db?sslmode=disable'",
		"my data/outbox":                         "'my data/outbox'",
		"it's":                                   `'it'\''s'`,
		"":                                       "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestCrawlDelayAlias: --delay still works, deprecated for --crawl-delay,
// the name dev and worker use.
func TestCrawlDelayAlias(t *testing.T) {
	for _, flag := range []string{"--delay", "--crawl-delay"} {
		// The flag is accepted (no usage error); the URL then fails as it should.
		code, _, errOut := runCrawlCmd(t, "crawl", flag, "0", "ftp://example.invalid/")
		if code != exitFailure || !strings.Contains(errOut, "must start with http:// or https://") {
			t.Errorf("%s: exit %d, stderr %q", flag, code, errOut)
		}
	}
}

// TestWorkerArgs: the flags a hand-started worker needs to work as dev's
// would, defaults left out.
func TestWorkerArgs(t *testing.T) {
	var o workerOptions
	fs := pflag.NewFlagSet("w", pflag.ContinueOnError)
	o.register(fs, streams{getenv: func(string) string { return "" }})
	if a := o.args(); len(a) != 0 {
		t.Errorf("defaults give %q, want nothing", a)
	}
	if err := fs.Parse([]string{"--lexicon", "my lex.yaml", "--crawl-delay", "0", "--outbox", "/data/outbox", "--allow-private-targets", "--max-browsers", "1"}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(o.args(), " ")
	if want := "--lexicon 'my lex.yaml' --allow-private-targets --crawl-delay 0s --outbox /data/outbox --max-browsers 1"; got != want {
		t.Errorf("args = %s, want %s", got, want)
	}
}

// dev refuses what it cannot do as asked, with exit 2 and before it makes
// anything: --metrics without a worker (it would be ignored), a negative
// --demo, an --http or --metrics that is no address.
func TestDevRefusesFlagsItCannotHonour(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"dev", "--data", data, "--no-worker", "--metrics", "127.0.0.1:0"}, "give --metrics to each adscan worker"},
		{[]string{"dev", "--data", data, "--demo", "-5"}, "--demo -5"},
		{[]string{"dev", "--data", data, "--http", "localhost"}, `--http "localhost": want HOST:PORT`},
		{[]string{"dev", "--data", data, "--metrics", "9090"}, `--metrics "9090": want HOST:PORT or :PORT`},
	} {
		code, _, errOut := runAdmin(t, nil, "", tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("dev made its data directory")
	}
}

// dev and worker refuse negative durations and counts as crawl does, and
// dev does so before it makes anything under --data.
func TestWorkerFlagsNotNegative(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"dev", "--data", data, "--crawl-delay", "-1s"}, "want 0 or more"},
		{[]string{"dev", "--data", data, "--review-sla", "-1h"}, "want more than 0"},
		{[]string{"dev", "--data", data, "--review-sla", "0s"}, "want more than 0 (the default is 72h0m0s)"},
		{[]string{"serve", "--db", filepath.Join(data, "adscan.db"), "--review-sla", "0s"}, "serve: --review-sla 0s: want more than 0"},
		{[]string{"dev", "--data", data, "--max-pages", "-5"}, "want 0 or more"},
		{[]string{"dev", "--data", data, "--max-activities", "-1"}, "want 0 (the Temporal SDK's default) or more"},
		{[]string{"worker", "--db", filepath.Join(data, "adscan.db"), "--crawl-delay", "-1s"}, "want 0 or more"},
		{[]string{"worker", "--db", filepath.Join(data, "adscan.db"), "--max-crawls", "0"}, "--max-crawls 0: want 1 or more"},
		{[]string{"classify", "--max-bytes", "-1", "x.html"}, "--max-bytes -1: want 1 or more"},
	} {
		code, _, errOut := runAdmin(t, nil, "", tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.args[len(tc.args)-2]+" ") && tc.args[0] != "classify" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 naming the flag and %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused dev made %s: %v", data, err)
	}
}

// --max-depth 0 is the default depth, as max_depth 0 is in a scan, the
// register and the API; --max-pages 1 crawls the URL alone.
func TestCrawlMaxDepthZeroIsTheDefault(t *testing.T) {
	site := fakesite.New(fakesite.Options{})
	defer site.Close()
	pages := func(args ...string) int {
		t.Helper()
		code, out, errOut := runCrawlCmd(t, append([]string{"crawl", "--json", "--allow-private-targets", "--crawl-delay", "0"}, append(args, site.URL+"/")...)...)
		if code != exitOK && code != exitFailure { // the fake site has a page that fails
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return strings.Count(out, `"url":`)
	}
	if n := pages("--max-depth", "0"); n < 3 {
		t.Errorf("--max-depth 0 crawled %d pages; want the default depth's (several)", n)
	}
	if n := pages("--max-pages", "1"); n != 1 {
		t.Errorf("--max-pages 1 crawled %d pages, want 1", n)
	}
}

// A first admin's password too short for the account rules is refused
// before dev makes its database: before, dev migrated one, then failed to
// make its admin, and left it admin-less. (Where the database exists, its
// admin does, and the variable is ignored, as it was.)
func TestShortAdminPasswordMakesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	code, _, errOut := runAdmin(t, map[string]string{"ADSCAN_ADMIN_PASSWORD": "short"}, "", "dev", "--data", data)
	if want := "dev: ADSCAN_ADMIN_PASSWORD: password is too short: want at least 8 bytes"; code != exitUsage || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, %q; want 2 and %q", code, errOut, want)
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused start made %s: %v", data, err)
	}
}
