package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
	"adscan/workflows"
)

const e2ePassword = "e2e-admin-password"

// adPages lists the URLs of a fakesite.NewGenerated(n) site that carry the
// tutoring advert (every fifth page).
func adPages(base string, n int) []string {
	var out []string
	for i := 0; i < n; i += 5 {
		out = append(out, base+"/p/"+strconv.Itoa(i)+".html")
	}
	return out
}

func caseURLs(cs []adscan.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.URL)
	}
	slices.Sort(out)
	return out
}

func sortedNumerically(urls []string) []string {
	num := regexp.MustCompile(`/p/(\d+)\.html$`)
	out := slices.Clone(urls)
	slices.SortFunc(out, func(a, b string) int {
		ai, _ := strconv.Atoi(num.FindStringSubmatch(a)[1])
		bi, _ := strconv.Atoi(num.FindStringSubmatch(b)[1])
		return ai - bi
	})
	return out
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test of the real program; skipped with -short")
	}
}

// TestDevEndToEnd runs the real program: a scan of a fake site makes cases
// for the violating pages only; a confirmed case's referral lands in the
// outbox with digests matching what the site served; after a restart on the
// same data directory the scan, the cases and a schedule are all still there.
func TestDevEndToEnd(t *testing.T) {
	skipShort(t)
	const pages = 40
	site := fakesite.NewGenerated(pages)
	defer site.Close()
	dir := t.TempDir()
	args := []string{"dev", "--data", dir, "--http", freeAddr(t), "--temporal-address", freeAddr(t),
		"--allow-private-targets", "--crawl-delay", "0"}

	prog := startChild(t, e2ePassword, args...)
	a := api{t: t, base: waitConsoleURL(t, prog.out, 90*time.Second), user: "admin", pass: e2ePassword}

	scanID := a.startScan(adscan.ScanTarget{URL: site.URL + "/p/0.html", MaxPages: 100, MaxDepth: 20})
	scan := a.waitScan(scanID, 90*time.Second)
	if scan.Status != adscan.ScanCompleted || scan.Pages != pages || scan.Errors != 0 {
		t.Fatalf("scan = %s, %d pages, %d errors; want completed, %d pages, 0 errors", scan.Status, scan.Pages, scan.Errors, pages)
	}
	cases := a.cases("scan=" + scanID)
	want := adPages(site.URL, pages)
	slices.Sort(want)
	if got := caseURLs(cases); !slices.Equal(got, want) {
		t.Fatalf("cases for\n%v\nwant exactly the advert pages\n%v", sortedNumerically(got), sortedNumerically(want))
	}
	if scan.Cases != len(want) {
		t.Errorf("scan.Cases = %d, want %d", scan.Cases, len(want))
	}

	// Confirm one case; its referral package lands in the outbox.
	target := cases[0]
	var decided adscan.Case
	if code := a.do("POST", "/api/cases/"+target.ID+"/decision", map[string]string{"decision": "confirm", "note": "典型违规广告"}, &decided); code != http.StatusOK {
		t.Fatalf("confirm: status %d", code)
	}
	var pkgBytes []byte
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, "outbox", target.ID+".json")); err == nil {
			pkgBytes = b
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pkgBytes == nil {
		t.Fatalf("no referral in %s after confirm", filepath.Join(dir, "outbox"))
	}
	checkReferral(t, a, site.URL, target, dir, pkgBytes)

	// A schedule, to see it survive the restart.
	schedule := map[string]any{"id": "nightly-e2e", "cron": "0 3 * * *", "targets": []adscan.ScanTarget{{URL: site.URL + "/p/0.html"}}}
	if code := a.do("POST", "/api/schedules", schedule, nil); code != http.StatusCreated {
		t.Fatalf("POST /api/schedules: status %d", code)
	}

	// Bad input: clear 4xx errors, nothing written.
	var e apiError
	if code := a.do("POST", "/api/cases/"+target.ID+"/decision", map[string]string{"decision": "dismiss"}, &e); code != http.StatusConflict || e.Error == "" {
		t.Errorf("decision on a closed case: status %d %q, want 409 with a message", code, e.Error)
	}
	if code := a.do("POST", "/api/scans", map[string]any{"targets": []map[string]string{{"url": "notaurl"}}}, &e); code != http.StatusBadRequest || !strings.Contains(e.Error, "notaurl") {
		t.Errorf("invalid target: status %d %q, want 400 naming the URL", code, e.Error)
	}
	if code := a.do("POST", "/api/schedules/no-such-schedule/pause", map[string]string{}, &e); code != http.StatusNotFound {
		t.Errorf("unknown schedule: status %d %q, want 404", code, e.Error)
	}
	var scans []adscan.Scan
	a.do("GET", "/api/scans", nil, &scans)
	if len(scans) != 1 {
		t.Errorf("scans after bad requests = %d, want 1 (nothing half-written)", len(scans))
	}

	// Restart on the same data directory: everything is still there.
	prog.stop(t)
	prog = startChild(t, e2ePassword, args...)
	a.base = waitConsoleURL(t, prog.out, 90*time.Second)
	var again adscan.Scan
	if code := a.do("GET", "/api/scans/"+scanID, nil, &again); code != http.StatusOK || again.Status != adscan.ScanCompleted || again.Pages != pages {
		t.Errorf("after restart: scan status %d %+v", code, again)
	}
	if got := caseURLs(a.cases("scan=" + scanID)); !slices.Equal(got, want) {
		t.Errorf("after restart: cases %v, want %v", got, want)
	}
	var c adscan.Case
	if a.do("GET", "/api/cases/"+target.ID, nil, &c); c.State != adscan.CaseReferred {
		t.Errorf("after restart: confirmed case is %q, want referred", c.State)
	}
	var sch adscan.Schedule
	if code := a.do("GET", "/api/schedules/nightly-e2e", nil, &sch); code != http.StatusOK || sch.ID != "nightly-e2e" {
		t.Errorf("after restart: schedule: status %d %+v", code, sch)
	}
	if strings.Contains(prog.out.String(), "password") && strings.Contains(prog.out.String(), "generated") {
		t.Errorf("restart generated a new admin password:\n%s", prog.out.String())
	}

	// A false flag dismissed with an allow-list proposal, approved by a
	// regulator (here the admin), stops flagging its phrase on its site in
	// the next scan — and only there: the same pages at another host name
	// are flagged as before.
	other := cases[1]
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(a.get("/cases"))
	if csrf == nil {
		t.Fatal("no csrf_token on /cases")
	}
	form := func(path string, v url.Values) int {
		t.Helper()
		v.Set("csrf_token", string(csrf[1])) // console forms need it, Basic credentials or not
		req, err := http.NewRequest("POST", strings.TrimSuffix(a.base, "/")+path, strings.NewReader(v.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(a.user, a.pass)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := form("/cases/"+other.ID+"/decision", url.Values{"decision": {"dismiss"}, "note": {"测试：当作误报"},
		"propose": {"1"}, "phrase": {"暑假小学数学"}, "propose_category": {""}}); code != http.StatusSeeOther {
		t.Fatalf("dismiss with a proposal: status %d", code)
	}
	req, _ := http.NewRequest("GET", strings.TrimSuffix(a.base, "/")+"/lexicon", nil)
	req.SetBasicAuth(a.user, a.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`data-proposal="(\d+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no pending proposal on /lexicon")
	}
	if code := form("/lexicon/proposals/"+string(m[1]), url.Values{"decision": {"approve"}}); code != http.StatusSeeOther {
		t.Fatalf("approve: status %d", code)
	}
	here := a.startScan(adscan.ScanTarget{URL: site.URL + "/p/0.html", MaxPages: 100, MaxDepth: 20})
	there := a.startScan(adscan.ScanTarget{URL: strings.Replace(site.URL, "127.0.0.1", "localhost", 1) + "/p/0.html", MaxPages: 100, MaxDepth: 20})
	for _, id := range []string{here, there} {
		if s := a.waitScan(id, 90*time.Second); s.Status != adscan.ScanCompleted || s.Pages != pages {
			t.Fatalf("scan %s after the approval: %s, %d pages", id, s.Status, s.Pages)
		}
	}
	if got := a.cases("scan=" + here); len(got) != 0 {
		t.Errorf("the next scan of the site flagged %d pages despite the approved exception: %v", len(got), caseURLs(got))
	}
	if got := a.cases("scan=" + there); len(got) != len(want) {
		t.Errorf("the same pages at another host: %d cases, want %d (the exception is for its site only)", len(got), len(want))
	}
	prog.stop(t)
}

// checkReferral checks the outbox package against what the site served and
// what the API stores.
func checkReferral(t *testing.T, a api, siteURL string, c adscan.Case, dir string, pkgBytes []byte) {
	t.Helper()
	var pkg workflows.ReferralPackage
	if err := jsonUnmarshal(pkgBytes, &pkg); err != nil {
		t.Fatalf("outbox package: %v", err)
	}
	if pkg.Case.ID != c.ID || len(pkg.Findings) == 0 || len(pkg.Captures) == 0 {
		t.Fatalf("package: case %q, %d findings, %d captures", pkg.Case.ID, len(pkg.Findings), len(pkg.Captures))
	}
	resp, err := http.Get(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, cp := range pkg.Captures {
		if cp.BodySHA256 != sha256Hex(served) {
			t.Errorf("capture %s: body_sha256 %s, but the site serves %s", cp.ID, cp.BodySHA256, sha256Hex(served))
		}
		if cp.TextSHA256 != sha256Hex([]byte(cp.Text)) {
			t.Errorf("capture %s: text_sha256 does not match its text", cp.ID)
		}
		if cp.Lexicon.Version == "" {
			t.Errorf("capture %s: no lexicon version", cp.ID)
		}
		warc, err := os.ReadFile(filepath.Join(dir, "outbox", cp.WARCFile))
		if err != nil {
			t.Errorf("capture %s: WARC file: %v", cp.ID, err)
			continue
		}
		if cp.WARCSHA256 != sha256Hex(warc) {
			t.Errorf("capture %s: warc_sha256 does not match %s", cp.ID, cp.WARCFile)
		}
		if !strings.HasPrefix(string(warc), "WARC/1.1\r\n") || !strings.Contains(string(warc), c.URL) {
			t.Errorf("capture %s: %s is not a WARC/1.1 record of %s", cp.ID, cp.WARCFile, c.URL)
		}
		for _, f := range pkg.Findings {
			for _, ev := range f.Evidence {
				if ev.Start < 0 || ev.End > len(cp.Text) || cp.Text[ev.Start:ev.End] != ev.Text {
					t.Errorf("finding %s: evidence %q [%d,%d) does not lie in the capture's text", f.Category, ev.Text, ev.Start, ev.End)
				}
			}
		}
	}
	// The outbox holds the signed WACZ too; the real program's `evidence
	// verify` accepts it with the key the API names, and refuses another.
	var key struct {
		PublicKey string `json:"public_key"`
	}
	if code := a.do("GET", "/api/evidence/key", nil, &key); code != http.StatusOK || key.PublicKey == "" {
		t.Fatalf("GET /api/evidence/key: status %d, key %q", code, key.PublicKey)
	}
	wacz := filepath.Join(dir, "outbox", c.ID+".wacz")
	out, err := programCommand("evidence", "verify", wacz, "--key", key.PublicKey).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok: ") || !strings.Contains(string(out), c.URL) {
		t.Errorf("adscan evidence verify %s: %v\n%s", wacz, err, out)
	}
	other := "MCowBQYDK2VwAyEAB1hvmEc+dlxNEtiuuRwd0wubzwn7V/6RPcyHjcArjKg="
	if out, err := programCommand("evidence", "verify", wacz, "--key", other).CombinedOutput(); err == nil || !strings.Contains(string(out), "signature") {
		t.Errorf("verify with another deployment's key: %v\n%s", err, out)
	}
	// The API serves the same package, and its digest is the one recorded.
	req, _ := http.NewRequest("GET", strings.TrimSuffix(a.base, "/")+"/api/cases/"+c.ID+"/referral", nil)
	req.SetBasicAuth(a.user, a.pass)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	fromAPI, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || sha256Hex(fromAPI) != sha256Hex(pkgBytes) {
		t.Errorf("GET referral: status %d, digest %s; outbox file digest %s", resp.StatusCode, sha256Hex(fromAPI), sha256Hex(pkgBytes))
	}
}

// TestDevCrashResume kills `adscan dev` with SIGKILL in the middle of a site
// crawl, starts it again on the same data directory and checks the scan
// resumes and completes with no page lost and no case duplicated.
func TestDevCrashResume(t *testing.T) {
	skipShort(t)
	const pages = 80
	site := fakesite.NewGenerated(pages)
	defer site.Close()
	var served atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/p/") {
			time.Sleep(200 * time.Millisecond)
			served.Add(1)
		}
		site.Config.Handler.ServeHTTP(w, r)
	}))
	defer slow.Close()

	dir := t.TempDir()
	// A short heartbeat timeout, so the dead worker's crawl is retried
	// (from its checkpoint) within seconds rather than half a minute.
	args := []string{"dev", "--data", dir, "--http", freeAddr(t), "--temporal-address", freeAddr(t),
		"--allow-private-targets", "--crawl-delay", "0", "--crawl-heartbeat-timeout", "3s"}
	prog := startChild(t, e2ePassword, args...)
	a := api{t: t, base: waitConsoleURL(t, prog.out, 90*time.Second), user: "admin", pass: e2ePassword}
	scanID := a.startScan(adscan.ScanTarget{URL: slow.URL + "/p/0.html", MaxPages: 100, MaxDepth: 20})

	// Kill it once the crawl is well under way.
	deadline := time.Now().Add(60 * time.Second)
	for served.Load() < pages*5/8 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if served.Load() >= pages {
		t.Fatal("the crawl finished before it could be killed")
	}
	prog.kill()
	killedAt := served.Load()
	t.Logf("SIGKILL after %d of %d pages", killedAt, pages)

	prog = startChild(t, e2ePassword, args...)
	a.base = waitConsoleURL(t, prog.out, 90*time.Second)
	scan := a.waitScan(scanID, 3*time.Minute)
	if scan.Status != adscan.ScanCompleted {
		t.Fatalf("scan after restart: %s (%s)", scan.Status, scan.Error)
	}
	if scan.Pages != pages {
		t.Errorf("scan.Pages = %d, want %d", scan.Pages, pages)
	}
	cases := a.cases("scan=" + scanID)
	want := adPages(slow.URL, pages)
	slices.Sort(want)
	if got := caseURLs(cases); !slices.Equal(got, want) {
		t.Errorf("cases after the crash:\n%v\nwant one per advert page:\n%v", sortedNumerically(got), sortedNumerically(want))
	}
	for _, p := range adPages("", pages) {
		if site.Requested(p) == 0 {
			t.Errorf("%s was never fetched", p)
		}
	}
	refetched := served.Load() - pages
	t.Logf("pages served %d for %d pages (refetched after the crash: %d)", served.Load(), pages, refetched)
	if refetched >= killedAt {
		t.Errorf("the retry refetched %d pages of the %d fetched before the crash: it did not resume from a checkpoint", refetched, killedAt)
	}
	prog.stop(t)
}
