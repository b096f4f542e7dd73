package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"adscan"
)

// UpsertTarget adds a target, or updates the name, region, kind, licence
// and limits of the one with the same URL (keeping its ID and creation
// time), and returns it as stored. The URL is stored in canonical form, so
// one site is one row however it was typed. EINVALID as adscan.ParseTarget
// (private addresses are the caller's call: the store takes them).
func (s *Store) UpsertTarget(ctx context.Context, t adscan.Target) (adscan.Target, error) {
	var out adscan.Target
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = s.upsertTarget(ctx, tx, t)
		return err
	})
	if err != nil {
		return adscan.Target{}, fmt.Errorf("store: upsert target %s: %w", t.URL, err)
	}
	return out, nil
}

// UpsertTargets adds or updates targets (as UpsertTarget) all in one
// transaction — all or nothing — with one audit entry (by) naming how
// many were added and updated, and returns those counts.
func (s *Store) UpsertTargets(ctx context.Context, ts []adscan.Target, by string) (added, updated int, err error) {
	if by == "" {
		return 0, 0, adscan.Errorf(adscan.EINVALID, "targets: who saves them is not given")
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		added, updated = 0, 0
		for i, t := range ts {
			_, isNew, err := s.upsertTarget(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("target %d (%s): %w", i+1, t.URL, err)
			}
			if isNew {
				added++
			} else {
				updated++
			}
		}
		return s.addAudit(ctx, tx, adscan.AuditEntry{Actor: by, Action: adscan.ActionTargetSaved,
			Detail: fmt.Sprintf("%d added, %d updated", added, updated)})
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: upsert targets: %w", err)
	}
	return added, updated, nil
}

func (s *Store) upsertTarget(ctx context.Context, tx *sql.Tx, t adscan.Target) (adscan.Target, bool, error) {
	t, err := adscan.ParseTarget(t, true)
	if err != nil {
		return adscan.Target{}, false, err
	}
	if t.ID == "" {
		t.ID = s.newID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.stamp()
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM targets WHERE url = $1`, t.URL).Scan(&n); err != nil {
		return adscan.Target{}, false, err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO targets (id, url, name, region, kind, licence, max_pages, max_depth, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (url) DO UPDATE SET
			name = excluded.name, region = excluded.region, kind = excluded.kind, licence = excluded.licence,
			max_pages = excluded.max_pages, max_depth = excluded.max_depth`,
		t.ID, t.URL, t.Name, t.Region, t.Kind, t.Licence, t.MaxPages, t.MaxDepth, s.timeArg(t.CreatedAt)); err != nil {
		return adscan.Target{}, false, err
	}
	out, err := scanTarget(tx.QueryRowContext(ctx, selectTarget+` WHERE url = $1`, t.URL))
	return out, n == 0, err
}

// ListTargets returns every target, oldest first.
func (s *Store) ListTargets(ctx context.Context) ([]adscan.Target, error) {
	out := []adscan.Target{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, selectTarget+` ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTarget(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: list targets: %w", err)
	}
	return out, nil
}

const selectTarget = `SELECT id, url, name, region, kind, licence, max_pages, max_depth, created_at FROM targets`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanTarget(r rowScanner) (adscan.Target, error) {
	var t adscan.Target
	err := r.Scan(&t.ID, &t.URL, &t.Name, &t.Region, &t.Kind, &t.Licence, &t.MaxPages, &t.MaxDepth, timeInto(&t.CreatedAt))
	return t, err
}

// ListTargetSummaries returns every target by name (then URL), each with
// its open (and escalated) cases and the time of its last capture.
func (s *Store) ListTargetSummaries(ctx context.Context) ([]adscan.TargetSummary, error) {
	out := []adscan.TargetSummary{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT t.id, t.url, t.name, t.region, t.kind, t.licence, t.max_pages, t.max_depth, t.created_at,
				(SELECT COUNT(*) FROM cases c WHERE c.target = t.url AND c.state IN ($1, $2)),
				(SELECT MAX(p.fetched_at) FROM captures p WHERE p.target = t.url)
			FROM targets t ORDER BY t.name, t.url`, adscan.CaseOpen, adscan.CaseEscalated)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ts adscan.TargetSummary
			var last *time.Time
			if err := rows.Scan(&ts.ID, &ts.URL, &ts.Name, &ts.Region, &ts.Kind, &ts.Licence, &ts.MaxPages, &ts.MaxDepth,
				timeInto(&ts.CreatedAt), &ts.OpenCases, nullTimeInto(&last)); err != nil {
				return err
			}
			ts.LastFetched = last
			out = append(out, ts)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: list target summaries: %w", err)
	}
	return out, nil
}
