package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"adscan"
)

// ListCases returns the cases matching f, newest first, with their categories
// (no findings, sightings, decision or audit: GetCase has those). A scan
// matches the cases it sighted. At most f.Limit cases (100 if 0, never more
// than 1000) after skipping f.Offset. EINVALID for a negative limit or offset, an unknown
// state or category.
func (s *Store) ListCases(ctx context.Context, f adscan.CaseFilter) ([]adscan.Case, error) {
	if err := validCaseFilter(f); err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = defaultLimit
	}
	f.Limit = min(f.Limit, maxLimit)
	var out []adscan.Case
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = listCases(ctx, tx, f); err != nil {
			return err
		}
		return addCategories(ctx, tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	return out, nil
}

func validCaseFilter(f adscan.CaseFilter) error {
	switch {
	case f.Limit < 0 || f.Offset < 0:
		return adscan.Errorf(adscan.EINVALID, "case list limit and offset must not be negative (got %d, %d)", f.Limit, f.Offset)
	case f.State != "" && !validCaseState(f.State):
		return adscan.Errorf(adscan.EINVALID, "unknown case state %q", f.State)
	case f.Category != "" && !f.Category.Valid():
		return adscan.Errorf(adscan.EINVALID, "unknown category %q", f.Category)
	}
	return nil
}

func listCases(ctx context.Context, tx *sql.Tx, f adscan.CaseFilter) ([]adscan.Case, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.ScanID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM sightings g WHERE g.case_id = cases.id AND g.scan_id = `+arg(f.ScanID)+`)`)
	}
	if f.State != "" {
		where = append(where, `state = `+arg(f.State))
	}
	if f.Category != "" {
		where = append(where, `EXISTS (SELECT 1 FROM findings d WHERE d.case_id = cases.id AND d.category = `+arg(f.Category)+`)`)
	}
	if f.Target != "" {
		where = append(where, `target = `+arg(f.Target))
	}
	q := selectCase
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(f.Offset)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []adscan.Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// addCategories sets the categories of each case from its findings.
func addCategories(ctx context.Context, tx *sql.Tx, cases []adscan.Case) error {
	if len(cases) == 0 {
		return nil
	}
	marks := make([]string, len(cases))
	args := make([]any, len(cases))
	index := make(map[string]int, len(cases))
	for i, c := range cases {
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = c.ID
		index[c.ID] = i
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT case_id, category FROM findings WHERE case_id IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	defer rows.Close()
	cats := make([][]adscan.Category, len(cases))
	for rows.Next() {
		var id string
		var cat adscan.Category
		if err := rows.Scan(&id, &cat); err != nil {
			return fmt.Errorf("categories: %w", err)
		}
		i := index[id]
		cats[i] = append(cats[i], cat)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	for i := range cases {
		cases[i].Categories = orderCategories(cats[i])
	}
	return nil
}
