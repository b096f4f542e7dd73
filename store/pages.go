package store

import (
	"context"
	"database/sql"
	"fmt"

	"adscan"
)

// RecordPages implements adscan.Store: a crawl's batch of pages in one
// transaction. A page the store refuses as invalid (its capture or its
// findings) is recorded as a scan error of kind invalid instead, and
// counted as an error page on top of the batch's own counts.
func (s *Store) RecordPages(ctx context.Context, b adscan.PageBatch) ([]adscan.PageRecorded, error) {
	if b.ScanID == "" || b.Target == "" {
		return nil, adscan.Errorf(adscan.EINVALID, "a batch of pages needs its scan and target (got %q, %q)", b.ScanID, b.Target)
	}
	out := make([]adscan.PageRecorded, len(b.Pages))
	refused := 0
	for i, p := range b.Pages {
		switch {
		case p.Error != nil:
			if p.Error.URL == "" {
				out[i].Refused = adscan.Errorf(adscan.EINVALID, "a failed page needs its URL")
			}
		default:
			if err := validCapture(p.Capture); err != nil {
				out[i].Refused = err
			} else if len(p.Flags) > 0 {
				// The capture ID is not known yet; any will do for the check.
				in := findingsOf(b, p, "-")
				out[i].Refused = validFindings(in)
			}
		}
		if out[i].Refused != nil {
			refused++
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for i, p := range b.Pages {
			out[i].CaptureID, out[i].Case, out[i].Created = "", nil, false
			if err := s.recordPage(ctx, tx, b, p, &out[i]); err != nil {
				return err
			}
		}
		if b.AddPages != 0 || b.AddErrors != 0 || refused != 0 {
			return addScanProgress(ctx, tx, b.ScanID, b.AddPages, b.AddErrors+refused)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: record %d pages of scan %s: %w", len(b.Pages), b.ScanID, err)
	}
	return out, nil
}

// recordPage writes one page of a batch in tx into rec.
func (s *Store) recordPage(ctx context.Context, tx *sql.Tx, b adscan.PageBatch, p adscan.BatchPage, rec *adscan.PageRecorded) error {
	if rec.Refused != nil {
		url := p.Capture.RequestedURL
		if p.Error != nil {
			url = p.Error.URL
		}
		if url == "" {
			return nil // nothing to name it by
		}
		return s.addScanError(ctx, tx, adscan.ScanError{ScanID: b.ScanID, Target: b.Target, URL: url,
			Kind: adscan.FetchInvalid, Message: "the store refused it: " + adscan.ErrorMessage(rec.Refused)})
	}
	if p.Error != nil {
		e := *p.Error
		e.ScanID, e.Target = b.ScanID, b.Target
		return s.addScanError(ctx, tx, e)
	}
	c := p.Capture
	c.ScanID, c.Target = b.ScanID, b.Target
	id, err := s.putCapture(ctx, tx, c)
	if err != nil {
		return fmt.Errorf("capture of %s: %w", c.RequestedURL, err)
	}
	rec.CaptureID = id
	if len(p.Flags) == 0 {
		return nil
	}
	caseID, created, err := s.recordFindings(ctx, tx, findingsOf(b, p, id))
	if err != nil {
		return fmt.Errorf("findings of %s: %w", p.URL, err)
	}
	cs := adscan.Case{ID: caseID}
	if err := tx.QueryRowContext(ctx, `SELECT state FROM cases WHERE id = $1`, caseID).Scan(&cs.State); err != nil {
		return err
	}
	rec.Case, rec.Created = &cs, created
	return nil
}

func findingsOf(b adscan.PageBatch, p adscan.BatchPage, captureID string) adscan.FindingsInput {
	url := p.URL
	if url == "" {
		url = p.Capture.FinalURL
	}
	if url == "" {
		url = p.Capture.RequestedURL
	}
	lex := p.Lexicon
	if lex == (adscan.LexiconRef{}) {
		lex = p.Capture.Lexicon
	}
	return adscan.FindingsInput{ScanID: b.ScanID, Target: b.Target, URL: url, CaptureID: captureID, Flags: p.Flags, Lexicon: lex}
}
