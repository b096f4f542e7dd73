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
		if out, err = s.listCases(ctx, tx, f); err != nil {
			return err
		}
		return addCategories(ctx, tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	return out, nil
}

// CountCases returns how many cases f keeps, ignoring After, Limit and
// Offset. EINVALID for an unknown state or category.
func (s *Store) CountCases(ctx context.Context, f adscan.CaseFilter) (int, error) {
	if err := validCaseFilter(f); err != nil {
		return 0, err
	}
	f.After = nil
	var n int
	err := s.read(ctx, func(tx *sql.Tx) error {
		where, args := s.caseWhere(f)
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`+where, args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("store: count cases: %w", err)
	}
	return n, nil
}

func validCaseFilter(f adscan.CaseFilter) error {
	switch {
	case f.Limit < 0 || f.Offset < 0:
		return adscan.Errorf(adscan.EINVALID, "case list limit and offset must not be negative (got %d, %d)", f.Limit, f.Offset)
	case f.State != "" && !validCaseState(f.State):
		return adscan.Errorf(adscan.EINVALID, "unknown case state %q", f.State)
	case f.Category != "" && !f.Category.Valid():
		return adscan.Errorf(adscan.EINVALID, "unknown category %q", f.Category)
	case len(f.Search) > 200:
		return adscan.Errorf(adscan.EINVALID, "case search is %d bytes; at most 200 are allowed", len(f.Search))
	case f.After != nil && f.After.ID == "":
		return adscan.Errorf(adscan.EINVALID, "case list cursor has no case ID")
	}
	return nil
}

// caseWhere returns the WHERE clause (or "") and its arguments for the
// filter's conditions other than After, Limit and Offset; arg numbers
// start at $1.
func (s *Store) caseWhere(f adscan.CaseFilter) (string, []any) {
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
	if q := strings.TrimSpace(f.Search); q != "" {
		like := arg("%" + likeEscaper.Replace(strings.ToLower(q)) + "%")
		evidence := "e.evidence"
		if s.dialect.name == "postgres" {
			evidence = "e.evidence::text" // JSONB
		}
		where = append(where, `(LOWER(cases.url) LIKE `+like+` ESCAPE '\' OR LOWER(cases.target) LIKE `+like+` ESCAPE '\'`+
			` OR EXISTS (SELECT 1 FROM targets t WHERE t.url = cases.target AND LOWER(t.name) LIKE `+like+` ESCAPE '\')`+
			` OR EXISTS (SELECT 1 FROM findings e WHERE e.case_id = cases.id AND LOWER(`+evidence+`) LIKE `+like+` ESCAPE '\'))`)
	}
	if f.Region != "" {
		where = append(where, `EXISTS (SELECT 1 FROM targets r WHERE r.url = cases.target AND r.region = `+arg(f.Region)+`)`)
	}
	if !f.CreatedFrom.IsZero() {
		where = append(where, `created_at >= `+arg(s.timeArg(f.CreatedFrom)))
	}
	if !f.CreatedBefore.IsZero() {
		where = append(where, `created_at < `+arg(s.timeArg(f.CreatedBefore)))
	}
	if f.After != nil {
		at, op := arg(s.timeArg(f.After.CreatedAt)), "<"
		if f.Oldest {
			op = ">"
		}
		where = append(where, `(created_at `+op+` `+at+` OR (created_at = `+at+` AND id `+op+` `+arg(f.After.ID)+`))`)
	}
	if len(where) == 0 {
		return "", args
	}
	return ` WHERE ` + strings.Join(where, ` AND `), args
}

// likeEscaper escapes LIKE's wildcards (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (s *Store) listCases(ctx context.Context, tx *sql.Tx, f adscan.CaseFilter) ([]adscan.Case, error) {
	where, args := s.caseWhere(f)
	order := `created_at DESC, id DESC`
	if f.Oldest {
		order = `created_at, id`
	}
	q := selectCase + where + fmt.Sprintf(` ORDER BY %s LIMIT $%d OFFSET $%d`, order, len(args)+1, len(args)+2)
	args = append(args, f.Limit, f.Offset)
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
