package store

import (
	"context"
	"database/sql"
	"fmt"

	"adscan"
)

// pageLimit checks a request for a page of list and returns how many
// items to read: its limit (defaultLimit if 0, never more than maxLimit)
// plus nothing — callers that want to know whether more follow ask for
// one more. EINVALID for a negative limit or a cursor of another list.
func pageLimit(list adscan.ListName, p adscan.ListPage) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, adscan.Errorf(adscan.EINVALID, "%s list: limit %d is negative", list, p.Limit)
	case p.After != nil && p.After.List != list:
		return 0, adscan.Errorf(adscan.EINVALID, "%s list: the cursor is one of the %s list", list, p.After.List)
	case p.After != nil && p.After.ID == "":
		return 0, adscan.Errorf(adscan.EINVALID, "%s list: the cursor has no ID", list)
	case p.Limit == 0:
		return defaultLimit, nil
	}
	return min(p.Limit, maxLimit), nil
}

// queryRows runs a query in a read transaction and scans each row with
// scan into the returned slice (never nil).
func queryRows[T any](ctx context.Context, s *Store, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	out := []T{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// count returns the single number a COUNT query gives.
func (s *Store) count(ctx context.Context, what, q string, args ...any) (int, error) {
	var n int
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, q, args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("store: count %s: %w", what, err)
	}
	return n, nil
}
