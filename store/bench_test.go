package store

import (
	"context"
	"fmt"
	"testing"

	"adscan"
)

// BenchmarkRecordPage measures what a site scan does per flagged page:
// PutCapture (with a 64 KiB WARC) then RecordFindings, each a transaction.
func BenchmarkRecordPage(b *testing.B) {
	ctx := context.Background()
	for _, bk := range []backend{{"sqlite", newSQLiteDSN}, {"postgres", newPostgresDSN}} {
		b.Run(bk.name, func(b *testing.B) {
			dsn := bk.newDSN(b)
			s, err := Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			warc := make([]byte, 64<<10)
			b.ResetTimer()
			for i := range b.N {
				page := fmt.Sprintf("%spage/%d", target, i)
				c := capture("bench", target, page, page)
				c.WARC = warc
				capID, err := s.PutCapture(ctx, c)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.RecordFindings(ctx, adscan.FindingsInput{ScanID: "bench", Target: target, URL: page,
					CaptureID: capID, Flags: []adscan.Flag{flag(adscan.CategoryRanking, "状元")}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
