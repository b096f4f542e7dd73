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

// CountCasesByState returns how many cases f keeps in each state,
// ignoring its State, After, Limit and Offset: the queue's tabs, in one
// query. States with no case are absent.
func (s *Store) CountCasesByState(ctx context.Context, f adscan.CaseFilter) (map[adscan.CaseState]int, error) {
	f.State, f.After = "", nil
	if err := validCaseFilter(f); err != nil {
		return nil, err
	}
	out := map[adscan.CaseState]int{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		where, args := s.caseWhere(f)
		rows, err := tx.QueryContext(ctx, `SELECT state, COUNT(*) FROM cases`+where+` GROUP BY state`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st adscan.CaseState
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			out[st] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: count cases by state: %w", err)
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
		where = append(where, `cases.id IN (SELECT g.case_id FROM sightings g WHERE g.scan_id = `+arg(f.ScanID)+`)`)
	}
	if f.State != "" {
		where = append(where, `state = `+arg(f.State))
	}
	if f.Category != "" {
		where = append(where, `cases.id IN (SELECT d.case_id FROM findings d WHERE d.category = `+arg(f.Category)+`)`)
	}
	if f.Target != "" {
		where = append(where, `target = `+arg(f.Target))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		// cases.search holds the URL, the target and the evidence texts
		// in lower case (see RecordFindings); names come from the register.
		like := arg("%" + likeEscaper.Replace(strings.ToLower(q)) + "%")
		where = append(where, `(cases.search LIKE `+like+` ESCAPE '\'`+
			` OR cases.target IN (SELECT t.url FROM targets t WHERE LOWER(t.name) LIKE `+like+` ESCAPE '\'))`)
	}
	if f.Assignee != "" {
		where = append(where, `assignee = `+arg(f.Assignee))
	}
	if f.Region != "" {
		where = append(where, `cases.target IN (SELECT r.url FROM targets r WHERE r.region = `+arg(f.Region)+`)`)
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

// listQuery is the query of ListCases and its arguments.
func (s *Store) listQuery(f adscan.CaseFilter) (string, []any) {
	where, args := s.caseWhere(f)
	order := `created_at DESC, id DESC`
	if f.Oldest {
		order = `created_at, id`
	}
	q := selectCase + where + fmt.Sprintf(` ORDER BY %s LIMIT $%d OFFSET $%d`, order, len(args)+1, len(args)+2)
	return q, append(args, f.Limit, f.Offset)
}

func (s *Store) listCases(ctx context.Context, tx *sql.Tx, f adscan.CaseFilter) ([]adscan.Case, error) {
	q, args := s.listQuery(f)
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
