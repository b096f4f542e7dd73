// Package workflows runs adscan's durable work on Temporal: a scan fans out
// to one site-scan child workflow per target, each site scan crawls in a
// heartbeating activity that records evidence and cases in the store, every
// new case gets a review workflow that waits for a reviewer's decision (an
// Update), escalates on an SLA timer and on confirm delivers the referral
// package. Client implements adscan.Orchestrator over a Temporal client, with
// recurring scans as Temporal Schedules.
//
// Workflow code here is deterministic: no I/O, no time.Now, no goroutines,
// no ranging over maps. Page bodies never enter workflow history: activities
// write evidence to the store and return counters and IDs.
package workflows

import (
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the task queue of adscan's workflows and of every activity
// but the crawl; CrawlTaskQueue is the crawls' own (network-bound, long,
// heartbeating), so crawl capacity and review capacity scale apart
// (adscan worker --queues).
const (
	TaskQueue      = "adscan"
	CrawlTaskQueue = "adscan-crawl"
)

// Workflow type names, as registered by Register.
const (
	ScanWorkflowName       = "ScanWorkflow"
	SiteScanWorkflowName   = "SiteScanWorkflow"
	CaseReviewWorkflowName = "CaseReviewWorkflow"
	ReferralWorkflowName   = "ReferralWorkflow"
)

// DecisionUpdate is the name of CaseReviewWorkflow's Update that takes a
// reviewer's adscan.CaseDecision.
const DecisionUpdate = "decision"

// Defaults for the workflow inputs' zero values.
const (
	DefaultMaxConcurrent      = 4
	DefaultContinueAsNewAfter = 200
	DefaultReviewSLA          = 72 * time.Hour
)

// Application error types carried by non-retryable errors and Update
// rejections; Client maps them to adscan error codes.
const (
	errTypeInvalid  = "adscan.invalid"
	errTypeConflict = "adscan.conflict"
	errTypeNotFound = "adscan.not_found"
)

// ReviewWorkflowID is the workflow ID of a case's review workflow. There is
// at most one per case.
func ReviewWorkflowID(caseID string) string { return "case-" + caseID }

// RegisterActivities registers a's activities only: a worker of the
// crawl task queue runs no workflow.
func RegisterActivities(r worker.Registry, a *Activities) {
	r.RegisterActivityWithOptions(a, activity.RegisterOptions{})
}

// Register registers the workflows and a's activities with a worker.
func Register(r worker.Registry, a *Activities) {
	r.RegisterWorkflowWithOptions(ScanWorkflow, workflow.RegisterOptions{Name: ScanWorkflowName})
	r.RegisterWorkflowWithOptions(SiteScanWorkflow, workflow.RegisterOptions{Name: SiteScanWorkflowName})
	r.RegisterWorkflowWithOptions(CaseReviewWorkflow, workflow.RegisterOptions{Name: CaseReviewWorkflowName})
	r.RegisterWorkflowWithOptions(ReferralWorkflow, workflow.RegisterOptions{Name: ReferralWorkflowName})
	r.RegisterActivityWithOptions(a, activity.RegisterOptions{})
}

// shortActivity is the options of the quick store activities.
func shortActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         shortRetry(),
	})
}

// storeActivity is how a workflow runs a quick store activity: as an
// activity task (shortActivity) in histories recorded before version 1 of
// changeID, and as a local activity, inside the workflow task that needs
// it, since. Each activity task is a round trip through Temporal's
// matching service and a workflow task of its own. Call it where the
// version is to be decided, at the same point in the workflow every time.
func storeActivity(ctx workflow.Context, changeID string) (workflow.Context, func(workflow.Context, any, ...any) workflow.Future) {
	if workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, 1) != 1 {
		return shortActivity(ctx), workflow.ExecuteActivity
	}
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         shortRetry(),
	}), workflow.ExecuteLocalActivity
}

// shortRetry retries a store activity until it works: the store comes back.
func shortRetry() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
		MaximumAttempts:    0,
	}
}
