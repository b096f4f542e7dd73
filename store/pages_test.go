package store

import (
	"context"
	"testing"

	"adscan"
)

// TestRecordPages: a batch of a fetched page, a flagged page, a failed page
// and one the store refuses is stored at once with its progress; stored
// again (a retried crawl), it makes no second capture, case or error.
func TestRecordPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.CreateScan(ctx, adscan.Scan{ID: "scan-1"}))
		bad := capture("", "", page+"/bad", "bad")
		bad.BodySHA256 = "not hex"
		batch := adscan.PageBatch{ScanID: "scan-1", Target: target, AddPages: 4, AddErrors: 1, Pages: []adscan.BatchPage{
			{Capture: capture("", "", page+"/plain", "plain")},
			{Capture: capture("", "", page, "ad"), URL: page, Flags: []adscan.Flag{flag(adscan.CategoryTutoringAd, "补习")}},
			{Error: &adscan.ScanError{URL: page + "/broken", Kind: adscan.FetchTimeout, Message: "timeout"}},
			{Capture: bad},
		}}
		for round := range 2 {
			recs, err := s.RecordPages(ctx, batch)
			must(t, err)
			if len(recs) != 4 || recs[0].CaptureID == "" || recs[1].Case == nil || recs[1].Case.State != adscan.CaseOpen ||
				recs[1].Created != (round == 0) || recs[2].CaptureID != "" || recs[3].Refused == nil ||
				adscan.ErrorCode(recs[3].Refused) != adscan.EINVALID {
				t.Fatalf("round %d: records %+v", round, recs)
			}
		}
		cs, err := s.ListCases(ctx, adscan.CaseFilter{})
		must(t, err)
		if len(cs) != 1 || cs[0].URL != page {
			t.Errorf("cases %+v, want the flagged page's only", cs)
		}
		errs, err := s.ListScanErrors(ctx, "scan-1", 10)
		must(t, err)
		if len(errs) != 2 || errs[0].Kind != adscan.FetchInvalid || errs[1].Kind != adscan.FetchTimeout {
			t.Errorf("scan errors %+v, want the refused page (invalid) and the broken one (timeout)", errs)
		}
		sc, err := s.GetScan(ctx, "scan-1")
		must(t, err)
		// Progress is added per batch stored: twice here, as a crawl
		// retried from an older checkpoint would (FinishScan corrects it).
		if sc.Pages != 8 || sc.Errors != 4 {
			t.Errorf("scan progress %d pages %d errors, want 8 and 4 (two batches of 4 pages, 1 error + 1 refused)", sc.Pages, sc.Errors)
		}
		if _, err := s.RecordPages(ctx, adscan.PageBatch{Target: target}); adscan.ErrorCode(err) != adscan.EINVALID {
			t.Errorf("a batch without its scan: %v, want EINVALID", err)
		}
		// A batch of a scan that does not exist writes nothing.
		if _, err := s.RecordPages(ctx, adscan.PageBatch{ScanID: "nope", Target: target, AddPages: 1,
			Pages: []adscan.BatchPage{{Capture: capture("", "", page+"/x", "x")}}}); adscan.ErrorCode(err) != adscan.ENOTFOUND {
			t.Errorf("a batch of an unknown scan: %v, want ENOTFOUND", err)
		}
	})
}
