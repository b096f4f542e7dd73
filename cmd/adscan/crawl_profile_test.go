package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"adscan/crawler/fakesite"
)

// crawlLines decodes the JSON lines of `crawl --json` by URL.
func crawlLines(t *testing.T, out string) map[string]crawlPageJSON {
	t.Helper()
	m := map[string]crawlPageJSON{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var p crawlPageJSON
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		m[p.URL] = p
	}
	return m
}

// wantPlatformCrawl checks a profile crawl of the platform at base: 2
// keywords × 2 cities, their second pages and the 8 detail pages; only
// the violating adverts flagged, each with the advertiser it names.
func wantPlatformCrawl(t *testing.T, base string, pages map[string]crawlPageJSON) {
	t.Helper()
	if len(pages) != 14 {
		t.Errorf("%d pages, want 14: %v", len(pages), slices.Sorted(maps.Keys(pages)))
	}
	for _, ad := range fakesite.PlatformAds {
		u := fmt.Sprintf("%s/post/%d", base, ad.ID)
		p, ok := pages[u]
		switch {
		case !ok:
			t.Errorf("detail page %s not crawled", u)
		case p.Profile != "pingtai":
			t.Errorf("%s: profile %q", u, p.Profile)
		case ad.Violates && (len(p.Flags) == 0 || p.Advertiser != ad.Publisher):
			t.Errorf("%s: flags %v, advertiser %q; want flagged, %q", u, p.Flags, p.Advertiser, ad.Publisher)
		case !ad.Violates && len(p.Flags) > 0:
			t.Errorf("%s (compliant) flagged %v", u, p.Flags)
		}
	}
	for u, p := range pages {
		if strings.Contains(u, "/search?") && len(p.Flags) > 0 {
			t.Errorf("listing page %s classified: %v", u, p.Flags)
		}
		if strings.HasSuffix(u, "/report") || strings.HasSuffix(u, "/login") || u == base+"/" {
			t.Errorf("%s crawled: the profile follows detail and listing links only", u)
		}
	}
}

// TestCrawlProfileFile tries a profile file on a plain-HTML platform: the
// search, listing and detail pages a scan would crawl, the violating
// adverts flagged with their advertisers.
func TestCrawlProfileFile(t *testing.T) {
	site := fakesite.NewPlainPlatform()
	defer site.Close()
	file := writeTempFile(t, "pingtai.yaml", fakesite.PlainPlatformProfileYAML("pingtai", site.URL, "[海淀区, 朝阳区]", 3, 0))

	code, out, errOut := runCrawlCmd(t, "crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--profile", file)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	wantPlatformCrawl(t, site.URL, crawlLines(t, out))
	if !strings.Contains(errOut, "adscan: crawl profile pingtai: 14 pages, 0 errors, 4 flagged") {
		t.Errorf("summary:\n%s", errOut)
	}

	// The text output names each flagged page's advertiser.
	code, out, errOut = runCrawlCmd(t, "crawl", "--allow-private-targets", "--crawl-delay", "0", "--profile", file)
	if code != exitOK {
		t.Fatalf("text: exit %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"200 " + site.PostURL(1) + "\n    FLAG ", "    ADVERTISER 学霸堂培训学校\n", "    ADVERTISER 博雅外语培训\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "ADVERTISER") != 4 {
		t.Errorf("%d advertiser lines, want one per flagged page:\n%s", strings.Count(out, "ADVERTISER"), out)
	}

	// --max-pages replaces the profile's max_pages, as a target's does.
	code, out, _ = runCrawlCmd(t, "crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--max-pages", "6", "--profile", file)
	if n := len(crawlLines(t, out)); code != exitOK || n != 6 {
		t.Errorf("--max-pages 6: exit %d, %d pages", code, n)
	}
}

// TestCrawlProfileRegistered tries registered profiles, read from --db or
// $ADSCAN_DB, one of them taking its cities from the register.
func TestCrawlProfileRegistered(t *testing.T) {
	site := fakesite.NewPlainPlatform()
	defer site.Close()
	db := filepath.Join(t.TempDir(), "adscan.db")
	env := map[string]string{"USER": "wang"}
	file := writeTempFile(t, "pingtai.yaml", fakesite.PlainPlatformProfileYAML("pingtai", site.URL, "[海淀区, 朝阳区]", 3, 0))
	if code, out, errOut := runAdmin(t, env, "", "profile", "add", file, "--db", db, "--allow-private-targets"); code != exitOK {
		t.Fatalf("profile add: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut := runAdmin(t, env, "", "crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--profile", "pingtai", "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	wantPlatformCrawl(t, site.URL, crawlLines(t, out))

	// cities: register, the register read from $ADSCAN_DB: 海淀区 only.
	csv := writeTempFile(t, "targets.csv", "url,name,region\nhttps://haidian.example.cn/,某培训学校,海淀区\n")
	if code, _, errOut := runAdmin(t, env, "", "targets", "import", csv, "--db", db); code != exitOK {
		t.Fatalf("targets import: exit %d %q", code, errOut)
	}
	regional := writeTempFile(t, "regional.yaml", fakesite.PlainPlatformProfileYAML("regional", site.URL, "register", 3, 0))
	env[envDB] = db
	for _, profile := range []string{regional, "regional"} {
		if profile == "regional" {
			if code, _, errOut := runAdmin(t, env, "", "profile", "add", regional, "--allow-private-targets"); code != exitOK {
				t.Fatalf("profile add regional: exit %d %q", code, errOut)
			}
		}
		code, out, errOut = runAdmin(t, env, "", "crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--profile", profile)
		if code != exitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", profile, code, errOut)
		}
		// 暑假 in 海淀区 (2 pages), 英语 in 海淀区 (1), ads 1 to 4.
		pages := crawlLines(t, out)
		var elsewhere []string
		for u := range pages {
			if strings.Contains(u, "/search?") && !strings.Contains(u, "city=%E6%B5%B7%E6%B7%80%E5%8C%BA") {
				elsewhere = append(elsewhere, u)
			}
		}
		if len(pages) != 7 || len(elsewhere) != 0 {
			t.Errorf("%s: %d pages (want 7), searches of other cities than the register's 海淀区: %v", profile, len(pages), elsewhere)
		}
	}
}

// TestCrawlProfileRefusals: what `crawl --profile` refuses, and why.
func TestCrawlProfileRefusals(t *testing.T) {
	db := newDatabase(t) // as adscan dev leaves it
	good := fakesite.PlainPlatformProfileYAML("pingtai", "http://127.0.0.1:9", "[海淀区]", 3, 0)
	file := writeTempFile(t, "pingtai.yaml", good)
	bad := writeTempFile(t, "bad.yaml", strings.Replace(good, "render: plain", "render: firefox", 1))
	regional := writeTempFile(t, "regional.yaml", fakesite.PlainPlatformProfileYAML("regional", "http://127.0.0.1:9", "register", 3, 0))
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"problems as profile check", []string{"--profile", bad}, exitFailure, bad + ":4: render"},
		{"no such file", []string{"--profile", "/nonexistent/p.yaml"}, exitFailure, "/nonexistent/p.yaml"},
		{"a name without a database", []string{"--profile", "pingtai"}, exitUsage, "no database: give --db DSN or set ADSCAN_DB"},
		{"an unregistered name", []string{"--profile", "nope", "--db", db}, exitFailure, "profile nope is not registered"},
		{"private site", []string{"--profile", file}, exitFailure, "private targets are not allowed"},
		{"register without a database", []string{"--allow-private-targets", "--profile", regional}, exitUsage, "takes its cities from the register: reading it needs the adscan database"},
		{"URLs too", []string{"--profile", file, "http://127.0.0.1:9/"}, exitUsage, "give URLs or --profile, not both"},
		{"max depth", []string{"--profile", file, "--max-depth", "3"}, exitUsage, "--max-depth does not apply to a profile"},
		{"render a plain profile", []string{"--allow-private-targets", "--render", "--profile", file}, exitUsage, "profile pingtai fetches its pages plainly"},
		{"db without a profile", []string{"--db", db, "http://127.0.0.1:9/"}, exitUsage, "--db reads a registered profile"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCrawlCmd(t, append([]string{"crawl", "--crawl-delay", "0"}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, c.code, c.want)
			}
		})
	}

	// A bare name is a registered profile's, even when a file has it;
	// the refusal says how to crawl the file.
	dir := filepath.Dir(file)
	if err := os.Rename(file, filepath.Join(dir, "pingtai")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, _, errOut := runCrawlCmd(t, "crawl", "--profile", "pingtai", "--db", db)
	if code != exitFailure || !strings.Contains(errOut, "profile pingtai is not registered") || !strings.Contains(errOut, "give its path: ./pingtai") {
		t.Errorf("a file named as a profile: exit %d, %q", code, errOut)
	}
}

// TestCrawlProfileRendered tries the JavaScript platform's profile: its
// render: browser starts the browser without --render.
func TestCrawlProfileRendered(t *testing.T) {
	chromium := chromiumOrSkip(t)
	site := fakesite.NewPlatform()
	defer site.Close()
	file := writeTempFile(t, "pingtai.yaml", fakesite.PlatformProfileYAML("pingtai", site.URL, "[海淀区, 朝阳区]", 3, 0))
	code, out, errOut := runCrawlCmd(t, "crawl", "--json", "--allow-private-targets", "--crawl-delay", "0", "--chromium", chromium, "--profile", file)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	pages := crawlLines(t, out)
	wantPlatformCrawl(t, site.URL, pages)
	if p := pages[site.PostURL(1)]; !p.Rendered || len(p.ScreenshotSHA256) != 64 {
		t.Errorf("detail page 1: rendered %v, screenshot %q", p.Rendered, p.ScreenshotSHA256)
	}
}
