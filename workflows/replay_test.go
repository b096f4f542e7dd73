package workflows

import (
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
