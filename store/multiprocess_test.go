package store

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"testing"

	"adscan"
)

// TestTwoStoresOneDatabase opens one new database twice at once, as `adscan
// dev --no-worker` and an `adscan worker` on the same data directory (or
// PostgreSQL database) would, and has both record the same page
// concurrently: migrations run once, no SQLITE_BUSY, one case.
func TestTwoStoresOneDatabase(t *testing.T) {
	eachBackend(t, testTwoStoresOneDatabase)
}

func testTwoStoresOneDatabase(t *testing.T, b backend) {
	ctx := context.Background()
	dsn := b.newDSN(t)
	stores := make([]*Store, 2)
	var wg sync.WaitGroup
	openErrs := make([]error, 2)
	for i := range stores {
		wg.Go(func() {
			s, err := Open(ctx, dsn)
			stores[i], openErrs[i] = s, err
		})
	}
	wg.Wait()
	for i, err := range openErrs {
		if err != nil {
			t.Fatalf("concurrent Open %d of a new database: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	files, err := fs.Glob(migrations, "migrations/"+stores[0].dialect.name+"/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v, %v", files, err)
	}
	if n := countMigrations(t, stores[0]); n != len(files) {
		t.Errorf("%d migrations recorded, want each of the %d once", n, len(files))
	}

	const perStore = 10
	errs := make(chan error, 2*perStore)
	for i := range 2 * perStore {
		s := stores[i%2]
		scan := fmt.Sprintf("scan%d", i)
		wg.Go(func() {
			if err := s.CreateScan(ctx, adscan.Scan{ID: scan}); err != nil {
				errs <- err
				return
			}
			capID, err := s.PutCapture(ctx, capture(scan, target, page, "body"))
			if err != nil {
				errs <- err
				return
			}
			_, _, err = s.RecordFindings(ctx, adscan.FindingsInput{ScanID: scan, Target: target, URL: page,
				CaptureID: capID, Flags: []adscan.Flag{flag(adscan.CategoryTutoringAd, "补习")}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("writing through two stores on one database: %v", err)
		}
	}
	cases, err := stores[1].ListCases(ctx, adscan.CaseFilter{})
	must(t, err)
	if len(cases) != 1 {
		t.Fatalf("%d cases, want 1", len(cases))
	}
	c, err := stores[0].GetCase(ctx, cases[0].ID)
	must(t, err)
	if len(c.Sightings) != 2*perStore {
		t.Errorf("%d sightings, want %d", len(c.Sightings), 2*perStore)
	}
}
