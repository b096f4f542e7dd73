package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"adscan"
)

// CreateScan stores a new scan. Its ID must be set (see NewID); an empty
// status means running and a zero StartedAt means now. EINVALID for a missing
// ID or an unknown status, ECONFLICT if a scan with that ID exists.
func (s *Store) CreateScan(ctx context.Context, sc adscan.Scan) error {
	if sc.ID == "" {
		return adscan.Errorf(adscan.EINVALID, "a scan needs an ID")
	}
	if sc.Status == "" {
		sc.Status = adscan.ScanRunning
	}
	if !validScanStatus(sc.Status) {
		return adscan.Errorf(adscan.EINVALID, "scan %s: unknown status %q", sc.ID, sc.Status)
	}
	if sc.StartedAt.IsZero() {
		sc.StartedAt = s.stamp()
	}
	if sc.Targets == nil {
		sc.Targets = []adscan.ScanTarget{}
	}
	targets, err := jsonArg(sc.Targets)
	if err != nil {
		return fmt.Errorf("store: create scan %s: %w", sc.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO scans (id, status, targets, pages, errors, schedule, created_by, started_at, finished_at, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO NOTHING`,
			sc.ID, sc.Status, targets, sc.Pages, sc.Errors, sc.Schedule, sc.CreatedBy,
			s.timeArg(sc.StartedAt), s.nullTimeArg(sc.FinishedAt), sc.Error)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return adscan.Errorf(adscan.ECONFLICT, "scan %s already exists", sc.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create scan %s: %w", sc.ID, err)
	}
	return nil
}

func validScanStatus(st adscan.ScanStatus) bool {
	return st == adscan.ScanRunning || st == adscan.ScanCompleted || st == adscan.ScanFailed
}

// GetScan returns the scan with that ID; Cases counts the distinct cases it
// sighted. ENOTFOUND if there is none.
func (s *Store) GetScan(ctx context.Context, id string) (adscan.Scan, error) {
	var sc adscan.Scan
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if sc, err = getScan(ctx, tx, id); err != nil {
			return err
		}
		sc.Sites, err = scanSites(ctx, tx, id)
		return err
	})
	if err != nil {
		return adscan.Scan{}, fmt.Errorf("store: get scan %s: %w", id, err)
	}
	return sc, nil
}

func getScan(ctx context.Context, tx *sql.Tx, id string) (adscan.Scan, error) {
	sc, err := scanScan(tx.QueryRowContext(ctx, selectScan+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return adscan.Scan{}, notFound("scan", id)
	}
	return sc, err
}

// ListScans returns the newest scans first, at most limit of them (100 if
// limit is 0 or less, never more than 1000).
func (s *Store) ListScans(ctx context.Context, limit int) ([]adscan.Scan, error) {
	return s.ListScansPage(ctx, adscan.ListPage{Limit: max(limit, 0)})
}

// ListScansPage returns a page of scans, newest first (by start, then ID,
// descending): those after p.After, at most p.Limit (100 if 0, never more
// than 1000). EINVALID for a negative limit or another list's cursor.
func (s *Store) ListScansPage(ctx context.Context, p adscan.ListPage) ([]adscan.Scan, error) {
	limit, err := pageLimit(adscan.ScanList, p)
	if err != nil {
		return nil, err
	}
	q, args := selectScan, []any{limit}
	if c := p.After; c != nil {
		q += ` WHERE started_at < $2 OR (started_at = $2 AND id < $3)`
		args = append(args, s.timeArg(c.At), c.ID)
	}
	out, err := queryRows(ctx, s, scanScan, q+` ORDER BY started_at DESC, id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list scans: %w", err)
	}
	return out, nil
}

// CountScans returns how many scans there are.
func (s *Store) CountScans(ctx context.Context) (int, error) {
	return s.count(ctx, "scans", `SELECT COUNT(*) FROM scans`)
}

// AddScanProgress adds pages and errors to a scan's counters. Negative
// counts correct earlier over-counting (a crawl resumed from an older
// checkpoint); EINVALID if a counter would go below zero, ENOTFOUND if there
// is no such scan.
func (s *Store) AddScanProgress(ctx context.Context, id string, pages, errs int) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return addScanProgress(ctx, tx, id, pages, errs) })
	if err != nil {
		return fmt.Errorf("store: add progress to scan %s: %w", id, err)
	}
	return nil
}

// addScanProgress does AddScanProgress's write in tx.
func addScanProgress(ctx context.Context, tx *sql.Tx, id string, pages, errs int) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE scans SET pages = pages + $1, errors = errors + $2
		WHERE id = $3 AND pages + $1 >= 0 AND errors + $2 >= 0`, pages, errs, id)
	if err != nil {
		return err
	}
	if ok, err := affected(res); err != nil || ok {
		return err
	}
	if _, err := getScan(ctx, tx, id); err != nil {
		return err
	}
	return adscan.Errorf(adscan.EINVALID, "scan %s: adding %d pages and %d errors would make a counter negative", id, pages, errs)
}

// FinishScan sets a running scan's final status (completed or failed) and
// error text, stamped now. Finishing it again with the same status changes
// nothing; with another status it is ECONFLICT. EINVALID for another status,
// ENOTFOUND if there is no such scan.
func (s *Store) FinishScan(ctx context.Context, id string, status adscan.ScanStatus, errText string) error {
	if status != adscan.ScanCompleted && status != adscan.ScanFailed {
		return adscan.Errorf(adscan.EINVALID, "scan %s: cannot finish with status %q (want completed or failed)", id, status)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur adscan.ScanStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM scans WHERE id = $1`+s.dialect.forUpdate, id).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("scan", id)
		} else if err != nil {
			return err
		}
		switch cur {
		case status:
			return nil
		case adscan.ScanRunning:
		default:
			return adscan.Errorf(adscan.ECONFLICT, "scan %s is already %s", id, cur)
		}
		_, err = tx.ExecContext(ctx, `UPDATE scans SET status = $1, error = $2, finished_at = $3 WHERE id = $4`,
			status, errText, s.timeArg(s.stamp()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish scan %s: %w", id, err)
	}
	return nil
}

// defaultLimit is the page size of lists when the caller gives none; maxLimit
// the largest page size.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

const selectScan = `
	SELECT id, status, targets, pages, errors, schedule, created_by, started_at, finished_at, error,
		(SELECT COUNT(DISTINCT case_id) FROM sightings WHERE sightings.scan_id = scans.id)
	FROM scans`

func scanScan(r rowScanner) (adscan.Scan, error) {
	var sc adscan.Scan
	var finished *time.Time
	err := r.Scan(&sc.ID, &sc.Status, jsonInto(&sc.Targets), &sc.Pages, &sc.Errors, &sc.Schedule,
		&sc.CreatedBy, timeInto(&sc.StartedAt), nullTimeInto(&finished), &sc.Error, &sc.Cases)
	sc.FinishedAt = finished
	return sc, err
}
