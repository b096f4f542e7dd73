package store

import (
	"context"
	"database/sql"
	"fmt"

	"adscan"
)

// UpsertTarget adds a target, or updates the name, region and limits of the
// one with the same URL (keeping its ID and creation time), and returns it as
// stored. The URL is stored in canonical form, so one site is one row
// however it was typed. EINVALID as adscan.ParseTarget (private addresses
// are the caller's call: the store takes them).
func (s *Store) UpsertTarget(ctx context.Context, t adscan.Target) (adscan.Target, error) {
	t, err := adscan.ParseTarget(t, true)
	if err != nil {
		return adscan.Target{}, err
	}
	if t.ID == "" {
		t.ID = s.newID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.stamp()
	}
	var out adscan.Target
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO targets (id, url, name, region, max_pages, max_depth, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (url) DO UPDATE SET
				name = excluded.name, region = excluded.region,
				max_pages = excluded.max_pages, max_depth = excluded.max_depth`,
			t.ID, t.URL, t.Name, t.Region, t.MaxPages, t.MaxDepth, s.timeArg(t.CreatedAt)); err != nil {
			return err
		}
		var err error
		out, err = scanTarget(tx.QueryRowContext(ctx, selectTarget+` WHERE url = $1`, t.URL))
		return err
	})
	if err != nil {
		return adscan.Target{}, fmt.Errorf("store: upsert target %s: %w", t.URL, err)
	}
	return out, nil
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

const selectTarget = `SELECT id, url, name, region, max_pages, max_depth, created_at FROM targets`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanTarget(r rowScanner) (adscan.Target, error) {
	var t adscan.Target
	err := r.Scan(&t.ID, &t.URL, &t.Name, &t.Region, &t.MaxPages, &t.MaxDepth, timeInto(&t.CreatedAt))
	return t, err
}
