package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"adscan"
)

// CreateUser adds a user and, in the same transaction, an audit entry
// (ActionUserCreated) naming by, who created it; a zero CreatedAt means
// now. EINVALID for no name, an unknown role, no password hash or no by,
// ECONFLICT if the name is taken.
func (s *Store) CreateUser(ctx context.Context, u adscan.User, by string) error {
	switch {
	case by == "":
		return adscan.Errorf(adscan.EINVALID, "user %s: who creates it is not given", u.Name)
	case u.Name == "":
		return adscan.Errorf(adscan.EINVALID, "a user needs a name")
	case !u.Role.Valid():
		return adscan.Errorf(adscan.EINVALID, "user %s: unknown role %q (want admin, regulator, reviewer or viewer)", u.Name, u.Role)
	case u.PasswordHash == "":
		return adscan.Errorf(adscan.EINVALID, "user %s needs a password hash", u.Name)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.stamp()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO NOTHING`,
			u.Name, u.Role, u.PasswordHash, s.timeArg(u.CreatedAt))
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			return adscan.Errorf(adscan.ECONFLICT, "user name %q is taken", u.Name)
		}
		return s.addAudit(ctx, tx, adscan.AuditEntry{Actor: by, Action: adscan.ActionUserCreated,
			Detail: u.Name + " as " + string(u.Role), At: u.CreatedAt})
	})
	if err != nil {
		return fmt.Errorf("store: create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser returns the user with that name. ENOTFOUND if there is none.
func (s *Store) GetUser(ctx context.Context, name string) (adscan.User, error) {
	var u adscan.User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, selectUser+` WHERE name = $1`, name))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user", name)
		}
		return err
	})
	if err != nil {
		return adscan.User{}, fmt.Errorf("store: get user %s: %w", name, err)
	}
	return u, nil
}

// ListUsers returns every user by name.
func (s *Store) ListUsers(ctx context.Context) ([]adscan.User, error) {
	out := []adscan.User{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, selectUser+` ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

const selectUser = `SELECT name, role, password_hash, created_at FROM users`

func scanUser(r rowScanner) (adscan.User, error) {
	var u adscan.User
	err := r.Scan(&u.Name, &u.Role, &u.PasswordHash, timeInto(&u.CreatedAt))
	return u, err
}
