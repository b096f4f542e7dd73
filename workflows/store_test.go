package workflows

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"adscan"
	"adscan/store"
)

// countingStore is the real store (SQLite in a temporary directory) that
// counts some calls and remembers the captures it stored, for tests that
// check what an activity wrote.
type countingStore struct {
	adscan.Store
	mu         sync.Mutex
	calls      map[string]int
	captureIDs []string
}

func newTestStore(t *testing.T) *countingStore {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "adscan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &countingStore{Store: s, calls: map[string]int{}}
}

func (s *countingStore) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[name]
}

func (s *countingStore) called(name string) {
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()
}

func (s *countingStore) PutCapture(ctx context.Context, c adscan.Capture) (string, error) {
	s.called("PutCapture")
	id, err := s.Store.PutCapture(ctx, c)
	if err == nil {
		s.mu.Lock()
		if !slices.Contains(s.captureIDs, id) {
			s.captureIDs = append(s.captureIDs, id)
		}
		s.mu.Unlock()
	}
	return id, err
}

// RecordPages counts the batch's captures as PutCapture calls and its
// flagged pages as RecordFindings calls, as the crawl made them one by
// one before it batched them.
func (s *countingStore) RecordPages(ctx context.Context, b adscan.PageBatch) ([]adscan.PageRecorded, error) {
	s.called("RecordPages")
	recs, err := s.Store.RecordPages(ctx, b)
	if err == nil {
		s.mu.Lock()
		for i, r := range recs {
			if r.CaptureID != "" {
				s.calls["PutCapture"]++
				if !slices.Contains(s.captureIDs, r.CaptureID) {
					s.captureIDs = append(s.captureIDs, r.CaptureID)
				}
			}
			if r.Case != nil && len(b.Pages[i].Flags) > 0 {
				s.calls["RecordFindings"]++
			}
		}
		s.mu.Unlock()
	}
	return recs, err
}

func (s *countingStore) RecordFindings(ctx context.Context, in adscan.FindingsInput) (adscan.Case, bool, error) {
	s.called("RecordFindings")
	return s.Store.RecordFindings(ctx, in)
}

func (s *countingStore) SaveReferral(ctx context.Context, r adscan.Referral) error {
	s.called("SaveReferral")
	return s.Store.SaveReferral(ctx, r)
}

// casesOf lists the cases of a target (all of them when target is "").
func (s *countingStore) casesOf(t *testing.T, target string) []adscan.Case {
	t.Helper()
	cs, err := s.ListCases(context.Background(), adscan.CaseFilter{Target: target, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// caseAt returns the case of a page.
func (s *countingStore) caseAt(t *testing.T, url string) adscan.Case {
	t.Helper()
	for _, c := range s.casesOf(t, "") {
		if c.URL == url {
			return c
		}
	}
	t.Fatalf("no case for %s", url)
	return adscan.Case{}
}
