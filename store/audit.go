package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"adscan"
)

// Audit appends e to the audit log; a zero At means now. EINVALID without an
// actor or action, ENOTFOUND if e names a case that does not exist.
func (s *Store) Audit(ctx context.Context, e adscan.AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return adscan.Errorf(adscan.EINVALID, "an audit entry needs an actor and an action (got %q, %q)", e.Actor, e.Action)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if e.CaseID != "" {
			if err := requireCase(ctx, tx, e.CaseID); err != nil {
				return err
			}
		}
		return s.addAudit(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("store: audit %s by %s: %w", e.Action, e.Actor, err)
	}
	return nil
}

// addAudit inserts e (its ID is assigned; a zero At means now).
func (s *Store) addAudit(ctx context.Context, tx *sql.Tx, e adscan.AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.stamp()
	}
	var caseID any
	if e.CaseID != "" {
		caseID = e.CaseID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (case_id, actor, action, detail, at) VALUES ($1, $2, $3, $4, $5)`,
		caseID, e.Actor, e.Action, e.Detail, s.timeArg(e.At)); err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// getAudit returns the case's audit trail, oldest first.
func getAudit(ctx context.Context, tx *sql.Tx, caseID string) ([]adscan.AuditEntry, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, case_id, actor, action, detail, at FROM audit WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []adscan.AuditEntry
	for rows.Next() {
		var e adscan.AuditEntry
		var cid sql.NullString
		if err := rows.Scan(&e.ID, &cid, &e.Actor, &e.Action, &e.Detail, timeInto(&e.At)); err != nil {
			return nil, err
		}
		e.CaseID = cid.String
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListAudit returns up to limit entries of the whole audit log (cases,
// users, scans, logins), newest first, with IDs below before (0: from the
// newest) — keyset pagination by ID. limit is 1 to 1000; EINVALID
// otherwise.
func (s *Store) ListAudit(ctx context.Context, before int64, limit int) ([]adscan.AuditEntry, error) {
	if limit < 1 || limit > 1000 {
		return nil, adscan.Errorf(adscan.EINVALID, "audit log: limit %d is not between 1 and 1000", limit)
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	out := []adscan.AuditEntry{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, case_id, actor, action, detail, at FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e adscan.AuditEntry
			var cid sql.NullString
			if err := rows.Scan(&e.ID, &cid, &e.Actor, &e.Action, &e.Detail, timeInto(&e.At)); err != nil {
				return err
			}
			e.CaseID = cid.String
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: list audit log: %w", err)
	}
	return out, nil
}

// requireCase returns ENOTFOUND unless tx sees a case with that ID: what a
// write that hangs off a case (an audit entry, a referral, a proposal)
// checks first.
func requireCase(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("case", id)
	}
	return err
}
