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
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = $1`, r.CaseID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return notFound("case", r.CaseID)
		} else if err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO referrals (case_id, sha256, package, destination, delivered_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (case_id) DO UPDATE SET
				sha256 = excluded.sha256, package = excluded.package, destination = excluded.destination,
				delivered_at = excluded.delivered_at, created_at = excluded.created_at`,
			r.CaseID, r.SHA256, r.Package, r.Destination, s.nullTimeArg(r.DeliveredAt), s.timeArg(r.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save referral of case %s: %w", r.CaseID, err)
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
