package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"adscan"
)

// CreateSession records a console session of a user, made at now and
// lasting until expires, and drops that user's sessions expired by now.
// The session's ID should be a digest of its secret, not the secret.
// EINVALID without an ID or user, ENOTFOUND for an unknown user, ECONFLICT
// for an ID in use.
func (s *Store) CreateSession(ctx context.Context, id, user string, now, expires time.Time) error {
	if id == "" || user == "" {
		return adscan.Errorf(adscan.EINVALID, "a session needs an ID and a user")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE name = $1`, user).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return notFound("user", user)
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (id, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, id, user, s.timeArg(now), s.timeArg(expires))
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			return adscan.Errorf(adscan.ECONFLICT, "session ID in use")
		}
		// Sessions past their expiry are of no use: drop this user's.
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = $1 AND expires_at < $2`, user, s.timeArg(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session of %s: %w", user, err)
	}
	return nil
}

// SessionActive reports whether the session exists for that user, is
// not expired at now, and was not ended.
func (s *Store) SessionActive(ctx context.Context, id, user string, now time.Time) (bool, error) {
	var active bool
	err := s.read(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM sessions
			WHERE id = $1 AND user_name = $2 AND ended_at IS NULL AND expires_at > $3`,
			id, user, s.timeArg(now)).Scan(&n)
		active = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: check session: %w", err)
	}
	return active, nil
}

// EndSession ends one session (logout). Ending an unknown or ended session
// does nothing.
func (s *Store) EndSession(ctx context.Context, id string) error {
	err := s.exec(ctx, `UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, s.timeArg(s.stamp()), id)
	if err != nil {
		return fmt.Errorf("store: end session: %w", err)
	}
	return nil
}

// EndUserSessions ends every session of a user (disabled, role changed,
// password reset) and returns how many were active.
func (s *Store) EndUserSessions(ctx context.Context, user string) (int, error) {
	var n int
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE user_name = $2 AND ended_at IS NULL`, s.timeArg(s.stamp()), user)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		n = int(k)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: end sessions of %s: %w", user, err)
	}
	return n, nil
}
