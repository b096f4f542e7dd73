package main

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"adscan"
	"adscan/crawler/fakesite"
)

// TestDevScheduledProfileScanUsesProfileAsRegistered runs the real
// program: a schedule of a platform profile, the profile registered again
// with another site, a run of the schedule — which crawls the new site and
// files its cases under it, and never asks the old site for anything.
func TestDevScheduledProfileScanUsesProfileAsRegistered(t *testing.T) {
	skipShort(t)
	oldSite, newSite := fakesite.NewPlainPlatform(), fakesite.NewPlainPlatform()
	defer oldSite.Close()
	defer newSite.Close()
	prog, a := startDev(t, t.TempDir())

	register := func(site string, want int) {
		t.Helper()
		yaml := fakesite.PlainPlatformProfileYAML("pingtai", site, "[海淀区, 朝阳区]", 3, 0)
		if code := a.do("POST", "/api/profiles", map[string]string{"yaml": yaml}, nil); code != want {
			t.Fatalf("POST /api/profiles (site %s): %d, want %d", site, code, want)
		}
	}
	register(oldSite.URL, http.StatusCreated)
	schedule := map[string]any{"id": "pingtai-nightly", "cron": "0 3 1 1 *", "targets": []adscan.ScanTarget{{Profile: "pingtai"}}}
	var e apiError
	if code := a.do("POST", "/api/schedules", schedule, &e); code != http.StatusCreated {
		t.Fatalf("POST /api/schedules: %d %s", code, e.Error)
	}
	var sch adscan.Schedule
	if code := a.do("GET", "/api/schedules/pingtai-nightly", nil, &sch); code != http.StatusOK ||
		!slices.Equal(sch.Targets, []adscan.ScanTarget{{Profile: "pingtai"}}) {
		t.Fatalf("GET the schedule: %d, targets %+v; want the profile alone", code, sch.Targets)
	}
	register(newSite.URL, http.StatusOK) // the platform moved
	if code := a.do("POST", "/api/schedules/pingtai-nightly/trigger", map[string]string{}, nil); code != http.StatusAccepted {
		t.Fatalf("trigger: %d", code)
	}

	var scanID string
	for deadline := time.Now().Add(60 * time.Second); scanID == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var scans []adscan.Scan
		a.do("GET", "/api/scans", nil, &scans)
		for _, s := range scans {
			if s.Schedule == "pingtai-nightly" {
				scanID = s.ID
			}
		}
	}
	if scanID == "" {
		t.Fatalf("the schedule's run did not record a scan; output:\n%s", prog.out.String())
	}
	scan := a.waitScan(scanID, 120*time.Second)
	// 2 keywords × 2 cities, 2 second pages, 8 detail pages.
	if scan.Status != adscan.ScanCompleted || scan.Pages != 14 || scan.Errors != 0 {
		t.Fatalf("scheduled scan: %s, %d pages, %d errors (%s); output:\n%s", scan.Status, scan.Pages, scan.Errors, scan.Error, prog.out.String())
	}
	wantTarget := adscan.ScanTarget{URL: newSite.URL + "/", Profile: "pingtai"}
	if len(scan.Targets) != 1 || scan.Targets[0] != wantTarget {
		t.Errorf("scan targets %+v, want %+v", scan.Targets, wantTarget)
	}
	var want []string
	for _, ad := range fakesite.PlatformAds {
		if ad.Violates {
			want = append(want, newSite.PostURL(ad.ID))
		}
	}
	slices.Sort(want)
	cases := a.cases("scan=" + scanID)
	if got := caseURLs(cases); !slices.Equal(got, want) {
		t.Errorf("cases %v\nwant  %v", got, want)
	}
	for _, c := range cases {
		if c.Target != newSite.URL+"/" || c.Profile != "pingtai" || c.Advertiser == "" {
			t.Errorf("case %s: target %s, profile %q, advertiser %q", c.URL, c.Target, c.Profile, c.Advertiser)
		}
	}
	if reqs := oldSite.Requests(); len(reqs) != 0 {
		t.Errorf("the old site was asked for %d pages, first %s", len(reqs), reqs[0].Path)
	}
}
