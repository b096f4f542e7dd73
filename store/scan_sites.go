package store

import (
	"context"
	"database/sql"
	"fmt"

	"adscan"
)

// RecordScanSite saves how one target's crawl in a scan went, replacing
// what an earlier attempt saved. A zero UpdatedAt means now. EINVALID
// without a scan ID or target.
func (s *Store) RecordScanSite(ctx context.Context, scanID string, site adscan.ScanSite) error {
	if scanID == "" || site.Target == "" {
		return adscan.Errorf(adscan.EINVALID, "a scan's site record needs a scan ID and a target")
	}
	if site.UpdatedAt.IsZero() {
		site.UpdatedAt = s.stamp()
	}
	err := s.exec(ctx, `
		INSERT INTO scan_sites (scan_id, target, pages, errors, retried, seconds, wait_seconds, done, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (scan_id, target) DO UPDATE SET pages = excluded.pages, errors = excluded.errors,
			retried = excluded.retried, seconds = excluded.seconds, wait_seconds = excluded.wait_seconds,
			done = excluded.done, updated_at = excluded.updated_at`,
		scanID, site.Target, site.Pages, site.Errors, site.Retried, site.Seconds, site.PolitenessWaitSeconds,
		site.Done, s.timeArg(normTime(site.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("store: record site %s of scan %s: %w", site.Target, scanID, err)
	}
	return nil
}

// scanSites returns the site records of a scan, by target.
func scanSites(ctx context.Context, tx *sql.Tx, scanID string) ([]adscan.ScanSite, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT target, pages, errors, retried, seconds, wait_seconds, done, updated_at
		FROM scan_sites WHERE scan_id = $1 ORDER BY target`, scanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []adscan.ScanSite
	for rows.Next() {
		var x adscan.ScanSite
		if err := rows.Scan(&x.Target, &x.Pages, &x.Errors, &x.Retried, &x.Seconds, &x.PolitenessWaitSeconds,
			&x.Done, timeInto(&x.UpdatedAt)); err != nil {
			return nil, err
		}
		x.PagesPerSecond = adscan.Pace(x.Pages, x.Seconds)
		out = append(out, x)
	}
	return out, rows.Err()
}
