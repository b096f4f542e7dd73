package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"adscan"
)

// SaveReferral stores the referral of a case, replacing any earlier one of
// the same case. An empty SHA256 is computed from the package; a given one
// must match it. A zero CreatedAt means now. EINVALID for no case ID, an empty
// package or a digest that does not match, ENOTFOUND if there is no such case.
func (s *Store) SaveReferral(ctx context.Context, r adscan.Referral) error {
	if r.CaseID == "" || len(r.Package) == 0 {
		return adscan.Errorf(adscan.EINVALID, "a referral needs a case ID and a package")
	}
	sum := sha256.Sum256(r.Package)
	digest := hex.EncodeToString(sum[:])
	if r.SHA256 == "" {
		r.SHA256 = digest
	} else if r.SHA256 != digest {
		return adscan.Errorf(adscan.EINVALID, "referral of case %s: digest %s does not match its package (%s)", r.CaseID, r.SHA256, digest)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.stamp()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := requireCase(ctx, tx, r.CaseID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO referrals (case_id, sha256, package, destination, delivered_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (case_id) DO UPDATE SET
				sha256 = excluded.sha256, package = excluded.package, destination = excluded.destination,
				delivered_at = excluded.delivered_at, created_at = excluded.created_at`,
			r.CaseID, r.SHA256, r.Package, r.Destination, s.nullTimeArg(r.DeliveredAt), s.timeArg(r.CreatedAt))
		if err != nil || r.DeliveredAt == nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM referral_attempts WHERE case_id = $1`, r.CaseID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save referral of case %s: %w", r.CaseID, err)
	}
	return nil
}

// NoteReferralAttempt records a delivery attempt of caseID's referral that
// failed and will be retried: the count of such attempts since the last
// give-up or retry goes up by one, and errText at at is the last error.
// One row a case, updated in place (a week of retries would otherwise fill
// the case's audit trail, which its referral package carries). ENOTFOUND if
// there is no such case.
func (s *Store) NoteReferralAttempt(ctx context.Context, caseID, errText string, at time.Time) error {
	if at.IsZero() {
		at = s.stamp()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := requireCase(ctx, tx, caseID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO referral_attempts (case_id, failed, last_error, last_at) VALUES ($1, 1, $2, $3)
			ON CONFLICT (case_id) DO UPDATE SET
				failed = referral_attempts.failed + 1, last_error = excluded.last_error, last_at = excluded.last_at`,
			caseID, errText, s.timeArg(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: note referral attempt of case %s: %w", caseID, err)
	}
	return nil
}

// ClearReferralAttempts forgets the failed attempts NoteReferralAttempt
// counted for caseID: when a delivery gives up (its audit entry says why)
// or is delivered (SaveReferral does it then).
func (s *Store) ClearReferralAttempts(ctx context.Context, caseID string) error {
	err := s.exec(ctx, `DELETE FROM referral_attempts WHERE case_id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("store: clear referral attempts of case %s: %w", caseID, err)
	}
	return nil
}

// GetReferral returns the referral of a case. ENOTFOUND if the case has none
// (or does not exist).
func (s *Store) GetReferral(ctx context.Context, caseID string) (adscan.Referral, error) {
	var r adscan.Referral
	err := s.read(ctx, func(tx *sql.Tx) error {
		var delivered *time.Time
		err := tx.QueryRowContext(ctx, `
			SELECT case_id, sha256, package, destination, delivered_at, created_at
			FROM referrals WHERE case_id = $1`, caseID).
			Scan(&r.CaseID, &r.SHA256, &r.Package, &r.Destination, nullTimeInto(&delivered), timeInto(&r.CreatedAt))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("referral of case", caseID)
		}
		r.DeliveredAt = delivered
		return err
	})
	if err != nil {
		return adscan.Referral{}, fmt.Errorf("store: get referral of case %s: %w", caseID, err)
	}
	return r, nil
}

// ListReferrals returns the confirmed and referred cases with their
// referral's delivery — delivered if the referral was saved as delivered,
// failed if a delivery gave up (ActionReferralFailed) since the case's last
// retry (ActionReferralRetried), pending otherwise — most recently changed
// first, at most limit (1 to 1000; EINVALID otherwise); only the failed
// ones if onlyFailed.
func (s *Store) ListReferrals(ctx context.Context, limit int, onlyFailed bool) ([]adscan.ReferralStatus, error) {
	if limit < 1 || limit > 1000 {
		return nil, adscan.Errorf(adscan.EINVALID, "referral list: limit %d is not between 1 and 1000", limit)
	}
	return s.ListReferralsPage(ctx, adscan.ListPage{Limit: limit}, onlyFailed)
}

// ListReferralsPage is ListReferrals from after p.After (a
// ReferralStatus.Cursor), at most p.Limit (100 if 0, never more than
// 1000). A case that changes while a client pages moves to the front of
// the list. EINVALID for a negative limit or another list's cursor.
func (s *Store) ListReferralsPage(ctx context.Context, p adscan.ListPage, onlyFailed bool) ([]adscan.ReferralStatus, error) {
	limit, err := pageLimit(adscan.ReferralList, p)
	if err != nil {
		return nil, err
	}
	out := []adscan.ReferralStatus{}
	err = s.read(ctx, func(tx *sql.Tx) error {
		// Every listed case when all are wanted, so the database stops at
		// the limit; the undelivered ones with a failure when only the
		// failed are (whether a retry came after it is decided below).
		q := `
			SELECT c.id, c.target, c.url, c.state, c.created_at, c.updated_at,
				COALESCE(r.destination, ''), COALESCE(r.sha256, ''), r.delivered_at,
				(SELECT COUNT(*) FROM audit a WHERE a.case_id = c.id AND a.action = $1),
				(SELECT MAX(a.id) FROM audit a WHERE a.case_id = c.id AND a.action = $1),
				(SELECT MAX(a.id) FROM audit a WHERE a.case_id = c.id AND a.action = $2),
				COALESCE(ra.failed, 0), COALESCE(ra.last_error, ''), ra.last_at
			FROM cases c LEFT JOIN referrals r ON r.case_id = c.id LEFT JOIN referral_attempts ra ON ra.case_id = c.id
			WHERE c.state IN ($3, $4)`
		args := []any{adscan.ActionReferralFailed, adscan.ActionReferralRetried, adscan.CaseConfirmed, adscan.CaseReferred}
		if onlyFailed {
			q += ` AND r.delivered_at IS NULL AND EXISTS (SELECT 1 FROM audit a WHERE a.case_id = c.id AND a.action = $1)`
		}
		if c := p.After; c != nil {
			q += ` AND (c.updated_at < $5 OR (c.updated_at = $5 AND c.id < $6))`
			args = append(args, s.timeArg(c.At), c.ID)
		}
		q += ` ORDER BY c.updated_at DESC, c.id DESC`
		if !onlyFailed {
			args = append(args, limit)
			q += fmt.Sprintf(` LIMIT $%d`, len(args))
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var lastFail []sql.NullInt64
		for rows.Next() {
			var st adscan.ReferralStatus
			var created time.Time
			var delivered *time.Time
			var failID, retryID sql.NullInt64
			var attemptErr string
			var attemptAt *time.Time
			if err := rows.Scan(&st.CaseID, &st.Target, &st.URL, &st.State, timeInto(&created), timeInto(&st.UpdatedAt),
				&st.Destination, &st.SHA256, nullTimeInto(&delivered), &st.Failures, &failID, &retryID,
				&st.FailedAttempts, &attemptErr, nullTimeInto(&attemptAt)); err != nil {
				return err
			}
			st.DeliveredAt = delivered
			switch {
			case delivered != nil:
				st.Delivery = adscan.ReferralDelivered
			case failID.Valid && (!retryID.Valid || failID.Int64 > retryID.Int64):
				st.Delivery = adscan.ReferralFailed
			default:
				st.Delivery = adscan.ReferralPending
			}
			if onlyFailed && st.Delivery != adscan.ReferralFailed {
				continue
			}
			if attemptAt != nil { // attempts are cleared at a give-up: these are newer
				st.LastError, st.LastFailedAt = attemptErr, attemptAt
				failID = sql.NullInt64{}
			}
			out = append(out, st)
			lastFail = append(lastFail, failID)
			if len(out) == limit {
				break
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i, id := range lastFail {
			if !id.Valid {
				continue
			}
			var at time.Time
			if err := tx.QueryRowContext(ctx, `SELECT detail, at FROM audit WHERE id = $1`, id.Int64).
				Scan(&out[i].LastError, timeInto(&at)); err != nil {
				return err
			}
			out[i].LastFailedAt = &at
		}
		cases := make([]adscan.Case, len(out))
		for i, st := range out {
			cases[i].ID = st.CaseID
		}
		if err := addCategories(ctx, tx, cases); err != nil {
			return err
		}
		for i := range out {
			out[i].Categories = cases[i].Categories
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list referrals: %w", err)
	}
	return out, nil
}

// CountReferrals returns how many cases are confirmed or referred: the
// length of ListReferrals's list of all.
func (s *Store) CountReferrals(ctx context.Context) (int, error) {
	return s.count(ctx, "referrals", `SELECT COUNT(*) FROM cases WHERE state IN ($1, $2)`, adscan.CaseConfirmed, adscan.CaseReferred)
}
