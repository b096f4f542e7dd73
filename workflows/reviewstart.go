package workflows

import (
	"context"
	"sync"
)

// reviewWorkers bounds the review workflows a crawl starts at once.
const reviewWorkers = 4

// reviewStarter starts review workflows off a crawl's path: each start is a
// round trip to Temporal, and a crawl that waited for one per flagged page
// ran at a fraction of its speed. Each case is started once per crawl, a
// few at a time; wait returns when all are done. A start lost to a crash is
// made good by EnsureReviews, which runs after the crawl.
type reviewStarter struct {
	ctx   context.Context
	start func(ctx context.Context, caseID string) (bool, error)
	queue chan string
	wg    sync.WaitGroup

	mu     sync.Mutex
	queued map[string]bool
	err    error
}

func newReviewStarter(ctx context.Context, start func(context.Context, string) (bool, error)) *reviewStarter {
	s := &reviewStarter{ctx: ctx, start: start, queue: make(chan string, 64), queued: map[string]bool{}}
	for range reviewWorkers {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

func (s *reviewStarter) work() {
	defer s.wg.Done()
	for id := range s.queue {
		if _, err := s.start(s.ctx, id); err != nil {
			s.mu.Lock()
			if s.err == nil {
				s.err = err
			}
			s.mu.Unlock()
		}
	}
}

// add queues the start of a case's review unless it was queued before. It
// blocks while the queue is full, so a crawl never runs far ahead.
func (s *reviewStarter) add(caseID string) {
	s.mu.Lock()
	seen := s.queued[caseID]
	s.queued[caseID] = true
	s.mu.Unlock()
	if !seen {
		s.queue <- caseID
	}
}

// wait lets the queued starts finish and returns the first error. Call it
// once, after the last add.
func (s *reviewStarter) wait() error {
	close(s.queue)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
