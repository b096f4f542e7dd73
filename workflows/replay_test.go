package workflows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplay replays histories recorded from a real server (see
// TestRecordHistories) against today's workflow code: a change that would
// break running workflows fails here.
func TestReplay(t *testing.T) {
	for _, name := range []string{
		"scan.json",           // fan-out, then Continue-As-New
		"scan_final.json",     // the continued run: last target, FinishScan
		"sitescan.json",       // crawl, ensure reviews
		"review_dismiss.json", // dismissed before the SLA (timer canceled)
		"review_confirm.json", // SLA escalation, confirm, referral, referred
		// Since 2026-12-03: a crawl that started every review skips
		// EnsureReviews; a review reads its case's state in a local activity.
		"sitescan_reviews_started.json",
		"review_dismiss_local_state.json",
		"review_confirm_local_state.json",
		// A scan of a platform profile whose target carries the site the
		// profile had when the scan was asked for.
		"scan_profile.json",
		// Since 2026-12-03: a scan resolves its profiles when it starts
		// (a schedule's run: the profile alone, registered again since).
		"scan_profile_resolved.json",
		// Since 2026-12-03: each target's profile resolves on its own (a
		// plain site, a profile registered again since, and one not
		// registered, which fails alone).
		"scan_profile_per_target.json",
		// Since 2026-12-03 (scan-store-local): a scan records its start and
		// its end in local activities.
		"scan_store_local.json",
		"scan_final_store_local.json",
		"scan_profile_per_target_store_local.json",
		// Since 2026-12-03 (site-scan-inline): a scan of one target runs
		// its site scan in its own history, not as a child workflow.
		"scan_one_target_inline.json",
	} {
		t.Run(name, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ScanWorkflow, workflow.RegisterOptions{Name: ScanWorkflowName})
			r.RegisterWorkflowWithOptions(SiteScanWorkflow, workflow.RegisterOptions{Name: SiteScanWorkflowName})
			r.RegisterWorkflowWithOptions(CaseReviewWorkflow, workflow.RegisterOptions{Name: CaseReviewWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, filepath.Join("testdata", name)); err != nil {
				t.Fatalf("replay %s: %v", name, err)
			}
		})
	}
}

// TestHistoriesCarryNoPageText checks the recorded histories for the text
// of the pages the recorder's crawler served: page bodies and extracted text
// stay in the store, out of workflow history.
func TestHistoriesCarryNoPageText(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories in testdata (%v)", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		payloads := 0
		walkPayloads(doc, func(data []byte) {
			payloads++
			for _, text := range []string{"奥数", "状元", "WARC/1.1", "记者"} {
				if bytes.Contains(data, []byte(text)) {
					t.Errorf("%s: a payload holds page text %q: %.80s", f, text, data)
				}
			}
		})
		if payloads == 0 {
			t.Errorf("%s: no payloads found; is the format still the same?", f)
		}
	}
}

// walkPayloads calls fn with the decoded data of every payload in a history
// decoded from JSON.
func walkPayloads(v any, fn func([]byte)) {
	switch v := v.(type) {
	case map[string]any:
		if s, ok := v["data"].(string); ok {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				fn(b)
			}
		}
		for _, x := range v {
			walkPayloads(x, fn)
		}
	case []any:
		for _, x := range v {
			walkPayloads(x, fn)
		}
	}
}
