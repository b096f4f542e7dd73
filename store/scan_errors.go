package store

import (
	"context"
	"database/sql"
	"fmt"

	"adscan"
)

// maxScanErrorMessage bounds a stored error message: a hostile site's
// error text is not ours to keep whole.
const maxScanErrorMessage = 1000

// AddScanError records why a page of a scan failed; the same page failing
// again (a retried crawl) replaces the earlier record, so retries do not
// multiply it. A zero At means now. EINVALID without a scan ID or URL.
func (s *Store) AddScanError(ctx context.Context, e adscan.ScanError) error {
	if e.ScanID == "" || e.URL == "" {
		return adscan.Errorf(adscan.EINVALID, "a scan error needs a scan ID and a URL")
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return s.addScanError(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("store: add error of scan %s: %w", e.ScanID, err)
	}
	return nil
}

// addScanError does AddScanError's write of a valid error in tx.
func (s *Store) addScanError(ctx context.Context, tx *sql.Tx, e adscan.ScanError) error {
	if e.At.IsZero() {
		e.At = s.stamp()
	}
	if len(e.Message) > maxScanErrorMessage {
		e.Message = truncateUTF8(e.Message, maxScanErrorMessage) + "…"
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO scan_errors (scan_id, target, url, kind, message, at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (scan_id, url) DO UPDATE SET kind = excluded.kind, message = excluded.message, at = excluded.at`,
		e.ScanID, e.Target, e.URL, e.Kind, e.Message, s.timeArg(e.At))
	return err
}

// ListScanErrors returns up to limit (1 to 1000) of a scan's failed
// pages, by target and URL.
func (s *Store) ListScanErrors(ctx context.Context, scanID string, limit int) ([]adscan.ScanError, error) {
	if limit < 1 || limit > 1000 {
		return nil, adscan.Errorf(adscan.EINVALID, "scan errors: limit %d is not between 1 and 1000", limit)
	}
	return s.ListScanErrorsPage(ctx, scanID, adscan.ListPage{Limit: limit})
}

// ListScanErrorsPage returns a page of a scan's failed pages, by target
// and URL: those after p.After, at most p.Limit (100 if 0, never more than
// 1000). EINVALID for a negative limit or another list's cursor.
func (s *Store) ListScanErrorsPage(ctx context.Context, scanID string, p adscan.ListPage) ([]adscan.ScanError, error) {
	limit, err := pageLimit(adscan.ScanErrorListOf(scanID), p)
	if err != nil {
		return nil, err
	}
	q, args := `SELECT scan_id, target, url, kind, message, at FROM scan_errors WHERE scan_id = $1`, []any{scanID, limit}
	if c := p.After; c != nil {
		q += ` AND (target > $3 OR (target = $3 AND url > $4))`
		args = append(args, c.Key, c.ID)
	}
	out, err := queryRows(ctx, s, scanScanError, q+` ORDER BY target, url LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list errors of scan %s: %w", scanID, err)
	}
	return out, nil
}

// CountScanErrors returns how many failed pages a scan has.
func (s *Store) CountScanErrors(ctx context.Context, scanID string) (int, error) {
	return s.count(ctx, "errors of scan "+scanID, `SELECT COUNT(*) FROM scan_errors WHERE scan_id = $1`, scanID)
}

func scanScanError(r rowScanner) (adscan.ScanError, error) {
	var e adscan.ScanError
	err := r.Scan(&e.ScanID, &e.Target, &e.URL, &e.Kind, &e.Message, timeInto(&e.At))
	return e, err
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
