package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"adscan"
)

// fakeTemporal is the part of client.Client the activities and Client use:
// workflow starts keyed by ID (a second start fails as the server's would)
// and decision Updates answered by onUpdate. Other methods panic (nil
// embedded interface).
type fakeTemporal struct {
	client.Client
	mu       sync.Mutex
	started  map[string]int   // workflow ID → start calls that started it
	args     map[string][]any // workflow ID → arguments
	startErr error            // returned by every ExecuteWorkflow when set
	onUpdate func(opts client.UpdateWorkflowOptions) (DecisionResult, error)
}

func newFakeTemporal() *fakeTemporal {
	return &fakeTemporal{started: map[string]int{}, args: map[string][]any{}}
}

func (f *fakeTemporal) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return nil, f.startErr
	}
	if f.started[o.ID] > 0 {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow execution already started", "", "run")
	}
	f.started[o.ID]++
	f.args[o.ID] = args
	return nil, nil
}

func (f *fakeTemporal) startedIDs() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.started {
		out[k] = v
	}
	return out
}

func (f *fakeTemporal) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	r, err := f.onUpdate(o)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, err // the server refuses at once
	}
	return fakeUpdateHandle{r: r, err: err}, nil
}

type fakeUpdateHandle struct {
	client.WorkflowUpdateHandle
	r   DecisionResult
	err error
}

func (h fakeUpdateHandle) Get(ctx context.Context, v any) error {
	if h.err != nil {
		return h.err
	}
	b, _ := json.Marshal(h.r)
	return json.Unmarshal(b, v)
}

// fakeCrawler hands over pages[i] for i from the resume state (a JSON int,
// the next page) and checkpoints after each; it fails with failErr once
// failAfter pages were handed over in this call (0: never).
type fakeCrawler struct {
	pages     []CrawledPage
	failAfter int
	failErr   error
	resumes   [][]byte // resume states it was called with
}

func (c *fakeCrawler) Crawl(ctx context.Context, t adscan.ScanTarget, resume []byte,
	onPage func(context.Context, CrawledPage) error, onCheckpoint func([]byte)) (CrawlStats, error) {
	c.resumes = append(c.resumes, resume)
	next := 0
	if resume != nil {
		if err := json.Unmarshal(resume, &next); err != nil {
			return CrawlStats{}, fmt.Errorf("fake crawler: bad resume state %q", resume)
		}
	}
	var st CrawlStats
	for i := next; i < len(c.pages); i++ {
		if c.failAfter > 0 && st.Pages == c.failAfter {
			return st, c.failErr
		}
		if err := onPage(ctx, c.pages[i]); err != nil {
			return st, err
		}
		st.Pages++
		st.Elapsed += 100 * time.Millisecond       // a page a tenth of a second,
		st.PolitenessWait += 40 * time.Millisecond // 40 ms of it waiting for the host
		state, _ := json.Marshal(i + 1)
		onCheckpoint(state)
	}
	return st, nil
}
