package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
		out, _, err = s.upsertTarget(ctx, tx, adscan.TargetRow{Target: t})
		return err
	})
	if err != nil {
		return adscan.Target{}, fmt.Errorf("store: upsert target %s: %w", t.URL, err)
	}
	return out, nil
}

// SaveTarget adds row's target or updates the registered one with its URL
// (only row.Columns, all when nil), with an audit entry (by); it returns
// the target as saved and whether it was added.
func (s *Store) SaveTarget(ctx context.Context, row adscan.TargetRow, by string) (adscan.Target, bool, error) {
	if by == "" {
		return adscan.Target{}, false, adscan.Errorf(adscan.EINVALID, "target: who saves it is not given")
	}
	var out adscan.Target
	var added bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if out, added, err = s.upsertTarget(ctx, tx, row); err != nil {
			return err
		}
		detail := out.URL + ": updated"
		if added {
			detail = out.URL + ": added"
		}
		return s.addAudit(ctx, tx, adscan.AuditEntry{Actor: by, Action: adscan.ActionTargetSaved, Detail: detail})
	})
	if err != nil {
		return adscan.Target{}, false, fmt.Errorf("store: save target %s: %w", row.Target.URL, err)
	}
	return out, added, nil
}

// UpsertTargets adds or updates targets all in one transaction — all or
// nothing — with one audit entry (by) naming how many were added and
// updated, and returns those counts. A row that
// updates a registered target changes only its Columns (all when nil).
func (s *Store) UpsertTargets(ctx context.Context, rows []adscan.TargetRow, by string) (added, updated int, err error) {
	if by == "" {
		return 0, 0, adscan.Errorf(adscan.EINVALID, "targets: who saves them is not given")
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		added, updated = 0, 0
		for i, row := range rows {
			_, isNew, err := s.upsertTarget(ctx, tx, row)
			if err != nil {
				return fmt.Errorf("target %d (%s): %w", i+1, row.Target.URL, err)
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

// targetUpdates are the SQL assignments that update each target column.
var targetUpdates = map[string]string{
	"name": "name = excluded.name", "region": "region = excluded.region", "kind": "kind = excluded.kind",
	"licence": "licence = excluded.licence", "max_pages": "max_pages = excluded.max_pages",
	"max_depth": "max_depth = excluded.max_depth", "render": "render = excluded.render",
}

// upsertTarget adds row's target, or updates the registered one with its
// URL in row.Columns (all when nil), and says whether it was added.
func (s *Store) upsertTarget(ctx context.Context, tx *sql.Tx, row adscan.TargetRow) (adscan.Target, bool, error) {
	columns := row.Columns
	if columns == nil {
		columns = adscan.TargetColumns
	}
	var set []string
	for _, c := range columns {
		if u, ok := targetUpdates[c]; ok {
			set = append(set, u)
		} else if c != "url" {
			return adscan.Target{}, false, adscan.Errorf(adscan.EINVALID, "target column %q is not one of %s", c, strings.Join(adscan.TargetColumns, ", "))
		}
	}
	onConflict := "DO NOTHING" // the URL alone: nothing to change
	if len(set) > 0 {
		onConflict = "DO UPDATE SET " + strings.Join(set, ", ")
	}
	t, err := adscan.ParseTarget(row.Target, true)
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
		INSERT INTO targets (id, url, name, region, kind, licence, max_pages, max_depth, render, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (url) `+onConflict,
		t.ID, t.URL, t.Name, t.Region, t.Kind, t.Licence, t.MaxPages, t.MaxDepth, t.Render, s.timeArg(t.CreatedAt)); err != nil {
		return adscan.Target{}, false, err
	}
	out, err := scanTarget(tx.QueryRowContext(ctx, selectTarget+` WHERE url = $1`, t.URL))
	return out, n == 0, err
}

// ListTargets returns every target, oldest first.
func (s *Store) ListTargets(ctx context.Context) ([]adscan.Target, error) {
	out, err := queryRows(ctx, s, scanTarget, selectTarget+` ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: list targets: %w", err)
	}
	return out, nil
}

// ListTargetsPage returns a page of targets, oldest first (by creation,
// then ID): those after p.After, at most p.Limit (100 if 0, never more
// than 1000). EINVALID for a negative limit or another list's cursor.
func (s *Store) ListTargetsPage(ctx context.Context, p adscan.ListPage) ([]adscan.Target, error) {
	limit, err := pageLimit(adscan.TargetList, p)
	if err != nil {
		return nil, err
	}
	q, args := selectTarget, []any{limit}
	if c := p.After; c != nil {
		q += ` WHERE created_at > $2 OR (created_at = $2 AND id > $3)`
		args = append(args, s.timeArg(c.At), c.ID)
	}
	out, err := queryRows(ctx, s, scanTarget, q+` ORDER BY created_at, id LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list targets: %w", err)
	}
	return out, nil
}

// CountTargets returns how many targets the register holds.
func (s *Store) CountTargets(ctx context.Context) (int, error) {
	return s.count(ctx, "targets", `SELECT COUNT(*) FROM targets`)
}

const selectTarget = `SELECT id, url, name, region, kind, licence, max_pages, max_depth, render, created_at FROM targets`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanTarget(r rowScanner) (adscan.Target, error) {
	var t adscan.Target
	err := r.Scan(&t.ID, &t.URL, &t.Name, &t.Region, &t.Kind, &t.Licence, &t.MaxPages, &t.MaxDepth, &t.Render, timeInto(&t.CreatedAt))
	return t, err
}

// ListTargetSummaries returns every target by name (then URL), each with
// its open (and escalated) cases and the time of its last capture.
func (s *Store) ListTargetSummaries(ctx context.Context) ([]adscan.TargetSummary, error) {
	out, err := s.targetSummaries(ctx, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("store: list target summaries: %w", err)
	}
	return out, nil
}

// ListTargetSummariesPage returns a page of ListTargetSummaries: those
// after p.After (a Target.NameCursor), at most p.Limit (100 if 0, never
// more than 1000). EINVALID for a negative limit or another list's cursor.
func (s *Store) ListTargetSummariesPage(ctx context.Context, p adscan.ListPage) ([]adscan.TargetSummary, error) {
	limit, err := pageLimit(adscan.TargetNameList, p)
	if err != nil {
		return nil, err
	}
	out, err := s.targetSummaries(ctx, p.After, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list target summaries: %w", err)
	}
	return out, nil
}

// targetSummaries lists target summaries by name and URL after the
// cursor (nil: from the first), at most limit (0: all).
func (s *Store) targetSummaries(ctx context.Context, after *adscan.ListCursor, limit int) ([]adscan.TargetSummary, error) {
	q := `
		SELECT t.id, t.url, t.name, t.region, t.kind, t.licence, t.max_pages, t.max_depth, t.render, t.created_at,
			(SELECT COUNT(*) FROM cases c WHERE c.target = t.url AND c.state IN ($1, $2)),
			(SELECT MAX(p.fetched_at) FROM captures p WHERE p.target = t.url)
		FROM targets t`
	args := []any{adscan.CaseOpen, adscan.CaseEscalated}
	if after != nil {
		q += ` WHERE t.name > $3 OR (t.name = $3 AND t.url > $4)`
		args = append(args, after.Key, after.ID)
	}
	q += ` ORDER BY t.name, t.url`
	if limit > 0 {
		args = append(args, limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	return queryRows(ctx, s, scanTargetSummary, q, args...)
}

func scanTargetSummary(r rowScanner) (adscan.TargetSummary, error) {
	var ts adscan.TargetSummary
	var last *time.Time
	err := r.Scan(&ts.ID, &ts.URL, &ts.Name, &ts.Region, &ts.Kind, &ts.Licence, &ts.MaxPages, &ts.MaxDepth, &ts.Render,
		timeInto(&ts.CreatedAt), &ts.OpenCases, nullTimeInto(&last))
	ts.LastFetched = last
	return ts, err
}
