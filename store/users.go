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
			ON CONFLICT DO NOTHING`,
			u.Name, u.Role, u.PasswordHash, s.timeArg(u.CreatedAt))
		if err != nil {
			return err
		}
		if ok, err := affected(res); err != nil {
			return err
		} else if !ok {
			var taken string
			if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE lower(name) = lower($1)`, u.Name).Scan(&taken); err != nil {
				return err
			}
			if taken != u.Name {
				return adscan.Errorf(adscan.ECONFLICT, "user name %q is taken: user %q exists, and names are told apart without regard to case", u.Name, taken).
					ZHf("用户名“%s”已被使用：已有用户“%s”（用户名不区分大小写）。", u.Name, taken)
			}
			return adscan.Errorf(adscan.ECONFLICT, "user name %q is taken", u.Name).ZHf("用户名“%s”已被使用。", u.Name)
		}
		return s.addAudit(ctx, tx, adscan.AuditEntry{Actor: by, Action: adscan.ActionUserCreated,
			Detail: u.Name + " as " + string(u.Role), At: u.CreatedAt})
	})
	if err != nil {
		return fmt.Errorf("store: create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser returns the user with that name, told apart without regard to
// case (REV3 finds rev3; the user's Name is as created). ENOTFOUND if there
// is none.
func (s *Store) GetUser(ctx context.Context, name string) (adscan.User, error) {
	var u adscan.User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, selectUser+byUserName, name))
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
	out, err := queryRows(ctx, s, scanUser, selectUser+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

// ListUsersPage returns a page of users by name: those after p.After, at
// most p.Limit (100 if 0, never more than 1000). EINVALID for a negative
// limit or another list's cursor.
func (s *Store) ListUsersPage(ctx context.Context, p adscan.ListPage) ([]adscan.User, error) {
	limit, err := pageLimit(adscan.UserList, p)
	if err != nil {
		return nil, err
	}
	q, args := selectUser, []any{limit}
	if c := p.After; c != nil {
		q += ` WHERE name > $2`
		args = append(args, c.ID)
	}
	out, err := queryRows(ctx, s, scanUser, q+` ORDER BY name LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

// CountUsers returns how many users there are (disabled ones included).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	return s.count(ctx, "users", `SELECT COUNT(*) FROM users`)
}

const selectUser = `SELECT name, role, password_hash, disabled, created_at FROM users`

// byUserName finds a user by name without regard to case; the unique
// index users_name_nocase serves it.
const byUserName = ` WHERE lower(name) = lower($1)`

func scanUser(r rowScanner) (adscan.User, error) {
	var u adscan.User
	err := r.Scan(&u.Name, &u.Role, &u.PasswordHash, &u.Disabled, timeInto(&u.CreatedAt))
	return u, err
}

// UpdateUser applies an admin's change to a user, in one transaction: the
// change, an audit entry for each part of it (by), and — when the role,
// the password or the disabled flag changed — the end of every session of
// the user, so the change holds at once on every serve process. Returns
// the user after. EINVALID for an unknown role, an empty change, an empty
// hash or no by; ENOTFOUND for an unknown user.
func (s *Store) UpdateUser(ctx context.Context, name string, c adscan.UserChange, by string) (adscan.User, error) {
	switch {
	case by == "":
		return adscan.User{}, adscan.Errorf(adscan.EINVALID, "user %s: who changes it is not given", name)
	case c.Role == nil && c.Disabled == nil && c.PasswordHash == nil:
		return adscan.User{}, adscan.Errorf(adscan.EINVALID, "user %s: nothing to change", name)
	case c.Role != nil && !c.Role.Valid():
		return adscan.User{}, adscan.Errorf(adscan.EINVALID, "user %s: unknown role %q (want admin, regulator, reviewer or viewer)", name, *c.Role)
	case c.PasswordHash != nil && *c.PasswordHash == "":
		return adscan.User{}, adscan.Errorf(adscan.EINVALID, "user %s: empty password hash", name)
	}
	var out adscan.User
	err := s.write(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, selectUser+byUserName, name))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user", name)
		} else if err != nil {
			return err
		}
		name = u.Name
		now := s.stamp()
		var audit []adscan.AuditEntry
		if c.Role != nil && *c.Role != u.Role {
			audit = append(audit, adscan.AuditEntry{Action: adscan.ActionUserRoleChanged, Detail: fmt.Sprintf("%s: %s → %s", name, u.Role, *c.Role)})
			u.Role = *c.Role
		}
		if c.Disabled != nil && *c.Disabled != u.Disabled {
			action := adscan.ActionUserEnabled
			if *c.Disabled {
				action = adscan.ActionUserDisabled
			}
			audit = append(audit, adscan.AuditEntry{Action: action, Detail: name})
			u.Disabled = *c.Disabled
		}
		if c.PasswordHash != nil {
			audit = append(audit, adscan.AuditEntry{Action: adscan.ActionUserPasswordReset, Detail: name})
			u.PasswordHash = *c.PasswordHash
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, password_hash = $2, disabled = $3 WHERE name = $4`,
			u.Role, u.PasswordHash, u.Disabled, name); err != nil {
			return err
		}
		if len(audit) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE user_name = $2 AND ended_at IS NULL`,
				s.timeArg(now), name); err != nil {
				return err
			}
		}
		for _, e := range audit {
			e.Actor, e.At = by, now
			if err := s.addAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return adscan.User{}, fmt.Errorf("store: update user %s: %w", name, err)
	}
	return out, nil
}
