package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"adscan"
)

// profileScanEnv is a scan's workflow environment whose activities run for
// real on a store with the profile pingtai registered (site
// https://new.pingtai.example/); site scans are mocked as in newScanEnv.
// It returns the store, a function that runs the scan and returns its
// summary, and the URLs of the site scans started (in the order the test
// environment reports them, which for children started together is not
// the targets' order).
func profileScanEnv(t *testing.T) (*countingStore, func(ScanInput) (ScanSummary, error), *[]string) {
	t.Helper()
	st := newTestStore(t)
	if _, _, err := st.PutProfile(t.Context(), adscan.PlatformProfile{Name: "pingtai", Site: "https://new.pingtai.example/",
		YAML: []byte("name: pingtai\n"), CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	env, sites := newScanEnvWith(t, &Activities{Store: st})
	crawled := &sites.started
	exec := func(in ScanInput) (ScanSummary, error) {
		env.ExecuteWorkflow(ScanWorkflow, in)
		var sum ScanSummary
		if err := env.GetWorkflowError(); err != nil {
			return sum, err
		}
		return sum, env.GetWorkflowResult(&sum)
	}
	return st, exec, crawled
}

// TestScanWorkflowGoesOnPastAnUnresolvedProfile: one target of three names
// a profile that is not registered. That target fails, with why; the
// plain site and the other profile are crawled, and the scan completes
// saying one of three targets failed and which profile did not resolve.
func TestScanWorkflowGoesOnPastAnUnresolvedProfile(t *testing.T) {
	st, exec, crawled := profileScanEnv(t)
	given := []adscan.ScanTarget{{URL: "https://a.example/"}, {Profile: "gone"}, {Profile: "pingtai", MaxPages: 40}}
	sum, err := exec(ScanInput{ScanID: "scan-p", ScheduleID: "nightly", Targets: given})
	if err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	if sum.FailedTargets != 1 || sum.Targets != 2 {
		t.Errorf("summary %+v, want 2 targets scanned, 1 failed", sum)
	}
	slices.Sort(*crawled)
	if got := fmt.Sprint(*crawled); got != "[https://a.example/ https://new.pingtai.example/]" {
		t.Errorf("site scans of %s, want the plain site and the registered profile's", got)
	}
	scan, err := st.GetScan(t.Context(), "scan-p")
	if err != nil {
		t.Fatal(err)
	}
	const why = "1 of 3 targets failed: targets[1]: profile gone is not registered (adscan profile add FILE registers one)"
	if scan.Status != adscan.ScanCompleted || scan.Error != why {
		t.Errorf("scan %s, error %q; want completed, %q", scan.Status, scan.Error, why)
	}
	want := []adscan.ScanTarget{{URL: "https://a.example/"}, {Profile: "gone"},
		{URL: "https://new.pingtai.example/", Profile: "pingtai", MaxPages: 40}}
	if fmt.Sprint(scan.Targets) != fmt.Sprint(want) {
		t.Errorf("scan targets %+v, want %+v", scan.Targets, want)
	}
	if scan.Pages != 4 { // the mocked site scans of targets 0 and 2: 1 + 3 pages
		t.Errorf("scan pages %d, want 4 (the totals are exact: every site scan that ran finished)", scan.Pages)
	}
}

// TestScanWorkflowFailsWhenNoProfileResolves: a scan of two profiles,
// neither of which resolves, starts no site scan and fails, saying why
// for each.
func TestScanWorkflowFailsWhenNoProfileResolves(t *testing.T) {
	st, exec, crawled := profileScanEnv(t)
	if _, _, err := st.PutProfile(t.Context(), adscan.PlatformProfile{Name: "lan", Site: "http://192.168.1.10/",
		YAML: []byte("name: lan\n"), CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	sum, err := exec(ScanInput{ScanID: "scan-n", Targets: []adscan.ScanTarget{{Profile: "gone"}, {Profile: "lan"}}})
	if err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	if sum.FailedTargets != 2 || len(*crawled) != 0 {
		t.Errorf("summary %+v, site scans of %v; want 2 failed, none started", sum, *crawled)
	}
	scan, err := st.GetScan(t.Context(), "scan-n")
	if err != nil {
		t.Fatal(err)
	}
	if scan.Status != adscan.ScanFailed || !strings.HasPrefix(scan.Error, "all 2 targets failed: targets[0]: profile gone is not registered") ||
		!strings.Contains(scan.Error, "; targets[1]: profile lan: site: ") || !strings.Contains(scan.Error, "private targets are not allowed") {
		t.Errorf("scan %s, error %q; want failed, naming both profiles and why", scan.Status, scan.Error)
	}
}

// TestScanWorkflowSkipsUnresolvedTargetsAfterContinueAsNew: a target
// whose profile did not resolve at the start gets no site scan in a
// continued run either, and the last run's error text still says why.
func TestScanWorkflowSkipsUnresolvedTargetsAfterContinueAsNew(t *testing.T) {
	env, _ := newScanEnv(t)
	var a *Activities
	given := []adscan.ScanTarget{{URL: "https://a.example/"}, {URL: "https://b.example/"}, {Profile: "gone"}, {Profile: "gone"}}
	env.OnActivity(a.ResolveScanTargets, mock.Anything, mock.Anything).Return([]TargetResolution{
		{Target: given[0]}, {Target: given[1]},
		{Target: given[2], Error: "targets[2]: profile gone is not registered"},
		{Target: given[3], Error: "targets[3]: profile gone is not registered"},
	}, nil).Once()
	env.OnActivity(a.RecordScanStart, mock.Anything, mock.Anything).Return(nil).Once()
	env.ExecuteWorkflow(ScanWorkflow, ScanInput{ScanID: "scan-c", Targets: given, ContinueAsNewAfter: 2})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow error = %v, want continue-as-new", err)
	}
	var next ScanInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if len(next.Unresolved) != 2 || next.Summary.FailedTargets != 2 || next.Summary.Targets != 2 {
		t.Fatalf("continued with %+v, want the 2 unresolved targets carried and counted", next)
	}

	env2, sites := newScanEnv(t)
	var finished FinishScanInput
	env2.OnActivity(a.FinishScan, mock.Anything, mock.Anything).Return(func(_ context.Context, in FinishScanInput) error {
		finished = in
		return nil
	}).Once()
	env2.ExecuteWorkflow(ScanWorkflow, next)
	if err := env2.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(sites.started) != 0 {
		t.Errorf("site scans of %v started for unresolved targets", sites.started)
	}
	want := FinishScanInput{ScanID: "scan-c", Status: adscan.ScanCompleted,
		Error: "2 of 4 targets failed: targets[2]: profile gone is not registered; targets[3]: profile gone is not registered",
		Pages: 3, Exact: true}
	if finished != want {
		t.Errorf("finished with %+v\nwant %+v", finished, want)
	}
}

// The scan's error text names at most ten reasons, unresolved profiles
// first, and counts every failed target it does not name.
func TestFailureText(t *testing.T) {
	gone := func(n int) []UnresolvedTarget {
		var list []UnresolvedTarget
		for i := range n {
			list = append(list, UnresolvedTarget{Index: i, Profile: "gone", Error: fmt.Sprintf("targets[%d]: gone", i)})
		}
		return list
	}
	sites := func(n int) []string {
		var out []string
		for i := range min(n, maxUnresolvedText) {
			out = append(out, fmt.Sprintf("https://s%d.example/: timeout", i))
		}
		return out
	}
	for _, tc := range []struct {
		name           string
		unresolved     int
		failedSites    int
		prefix, suffix string
	}{
		{"none", 0, 0, "", ""},
		{"12 unresolved", 12, 0, "targets[0]: gone; targets[1]: gone;", "targets[9]: gone; and 2 more"},
		{"12 unresolved, 5 sites", 12, 5, "targets[0]: gone;", "targets[9]: gone; and 7 more"},
		{"3 unresolved, 4 sites", 3, 4, "targets[0]: gone;", "targets[2]: gone; https://s0.example/: timeout; https://s1.example/: timeout; https://s2.example/: timeout; https://s3.example/: timeout"},
		{"2 unresolved, 30 sites", 2, 30, "targets[0]: gone; targets[1]: gone; https://s0.example/: timeout;", "https://s7.example/: timeout; and 22 more"},
	} {
		sum := ScanSummary{FailedTargets: tc.unresolved + tc.failedSites, Failures: sites(tc.failedSites)}
		got := failureText(gone(tc.unresolved), sum)
		if !strings.HasPrefix(got, tc.prefix) || !strings.HasSuffix(got, tc.suffix) || (tc.suffix == "" && got != "") {
			t.Errorf("%s: %q; want it to start %q and end %q", tc.name, got, tc.prefix, tc.suffix)
		}
	}
}
