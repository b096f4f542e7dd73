package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"adscan"
)

const goodProfile = `name: mini-platform
site: http://127.0.0.1:8999/
render: browser
crawl_delay: 250ms
search:
  urls: ['http://127.0.0.1:8999/search?q={keyword}&city={city}']
  keywords: [暑假班 数学, 奥数]
  cities: [海淀区, 朝阳区]
listing:
  follow: ['^/search\?.*page=']
  max_pages: 2
detail:
  follow: ['^/ad/[0-9]+$']
`

func TestProfileCheckOK(t *testing.T) {
	path := writeTempFile(t, "mini.yaml", goodProfile)
	code, out, errOut := runAdmin(t, nil, "", "profile", "check", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "ok: mini-platform (http://127.0.0.1:8999/), 4 search URLs, render browser, crawl delay 250ms, at most 200 pages, 2 listing pages per search\n"
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

// TestProfileCheckExamples checks the profiles shipped as examples.
func TestProfileCheckExamples(t *testing.T) {
	files, _ := filepath.Glob("../../profile/examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example profiles")
	}
	for _, f := range files {
		if code, out, errOut := runAdmin(t, nil, "", "profile", "check", f); code != exitOK || !strings.HasPrefix(out, "ok: ") {
			t.Errorf("%s: exit %d, %q %q", f, code, out, errOut)
		}
	}
}

func TestProfileCheckProblems(t *testing.T) {
	bad := strings.Replace(goodProfile, "render: browser", "render: firefox", 1)
	bad = strings.Replace(bad, "  max_pages: 2", "  max_pages: two", 1)
	path := writeTempFile(t, "bad.yaml", bad)
	code, out, _ := runAdmin(t, nil, "", "profile", "check", path)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	want := path + `:3: render "firefox": want plain (the served HTML) or browser (rendered in headless Chromium)` + "\n" +
		path + `:11: listing.max_pages: want a whole number from 1 to 100, got "two"` + "\n" +
		"2 problems\n"
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}
	if code, _, errOut := runAdmin(t, nil, "", "profile", "check"); code != exitUsage || !strings.Contains(errOut, "want exactly one FILE") {
		t.Errorf("no file: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runAdmin(t, nil, "", "profile", "check", "/nonexistent/p.yaml"); code != exitFailure || !strings.Contains(errOut, "/nonexistent/p.yaml") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
}

func TestProfileAddListShow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "adscan.db")
	path := writeTempFile(t, "mini.yaml", goodProfile)
	env := map[string]string{"USER": "wang"}

	// A loopback site needs --allow-private-targets, as any target does.
	code, _, errOut := runAdmin(t, env, "", "profile", "add", path, "--db", db)
	if code != exitFailure || !strings.Contains(errOut, "private targets are not allowed") {
		t.Fatalf("loopback site without the flag: exit %d, %q", code, errOut)
	}
	code, out, errOut := runAdmin(t, env, "", "profile", "add", path, "--db", db, "--allow-private-targets")
	if code != exitOK || !strings.HasPrefix(out, "adscan: registered profile mini-platform (http://127.0.0.1:8999/") {
		t.Fatalf("add: exit %d, %q %q", code, out, errOut)
	}
	if code, out, _ = runAdmin(t, env, "", "profile", "add", path, "--db", db, "--allow-private-targets"); code != exitOK || !strings.HasPrefix(out, "adscan: replaced profile mini-platform") {
		t.Errorf("add again: exit %d, %q", code, out)
	}
	bad := writeTempFile(t, "bad.yaml", strings.Replace(goodProfile, "crawl_delay: 250ms", "crawl_delay: fast", 1))
	code, out, _ = runAdmin(t, env, "", "profile", "add", bad, "--db", db, "--allow-private-targets")
	if code != exitFailure || !strings.Contains(out, bad+":4: crawl_delay") {
		t.Errorf("bad file: exit %d, %q", code, out)
	}

	code, out, _ = runAdmin(t, env, "", "profile", "list", "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("list: exit %d", code)
	}
	var p adscan.PlatformProfile
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("list --json: %v: %q", err, out)
	}
	if p.Name != "mini-platform" || p.Site != "http://127.0.0.1:8999/" || p.Render != adscan.RenderBrowser || p.CreatedBy != "cli:wang" || len(p.Digest) != 64 {
		t.Errorf("listed %+v", p)
	}
	code, out, _ = runAdmin(t, env, "", "profile", "list", "--db", db)
	if code != exitOK || !strings.Contains(out, "mini-platform") || !strings.Contains(out, "browser") {
		t.Errorf("list: exit %d, %q", code, out)
	}
	code, out, _ = runAdmin(t, env, "", "profile", "show", "mini-platform", "--db", db)
	if code != exitOK || out != goodProfile {
		t.Errorf("show: exit %d, %q", code, out)
	}
	code, _, errOut = runAdmin(t, env, "", "profile", "show", "nope", "--db", db)
	if code != exitFailure || !strings.Contains(errOut, `no platform profile "nope"`) {
		t.Errorf("show unknown: exit %d, %q", code, errOut)
	}
}
