package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"regexp"
	"time"

	"adscan"
)

// userNamePattern is what a user name may look like.
var userNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// NewUser checks a new user's name, role and password and returns the
// user with its bcrypt password hash, ready for Store.CreateUser. Errors
// are EINVALID and name the bad input.
func NewUser(name string, role adscan.Role, password string, now time.Time) (adscan.User, error) {
	if !userNamePattern.MatchString(name) {
		return adscan.User{}, adscan.Errorf(adscan.EINVALID,
			"user name %q is not valid: use 1 to 64 letters, digits and . _ @ -, starting with a letter or digit", name)
	}
	if !role.Valid() {
		return adscan.User{}, adscan.Errorf(adscan.EINVALID, "role %q is not one of admin, regulator, reviewer, viewer", role)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return adscan.User{}, err
	}
	return adscan.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: now}, nil
}

// AdminPasswordEnv names the environment variable with the first admin's password.
const AdminPasswordEnv = "ADSCAN_ADMIN_PASSWORD"

// EnsureAdmin creates the first user, "admin" with role admin, if the store
// has no users. The password comes from ADSCAN_ADMIN_PASSWORD (read with
// getenv); without it a random password is generated and printed once to
// out. It does nothing if any user exists, and returns an EINVALID error
// if the variable's password is too short or too long.
func EnsureAdmin(ctx context.Context, store adscan.Store, getenv func(string) string, out io.Writer) error {
	users, err := store.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("web: ensure admin: list users: %w", err)
	}
	if len(users) > 0 {
		return nil
	}
	password, generated := getenv(AdminPasswordEnv), false
	if password == "" {
		password, generated = generatePassword(), true
	}
	u, err := NewUser("admin", adscan.RoleAdmin, password, time.Now())
	if err != nil {
		return fmt.Errorf("web: ensure admin: %s: %w", AdminPasswordEnv, err)
	}
	if err := store.CreateUser(ctx, u); err != nil {
		if adscan.ErrorCode(err) == adscan.ECONFLICT {
			return nil // another process made it first
		}
		return fmt.Errorf("web: ensure admin: create user: %w", err)
	}
	if generated {
		fmt.Fprintf(out, "adscan: created user admin with password %s (shown only this once; set %s to choose it)\n", password, AdminPasswordEnv)
	} else {
		fmt.Fprintf(out, "adscan: created user admin with the password from %s\n", AdminPasswordEnv)
	}
	return nil
}

// generatePassword returns a random 26-character password (130 bits).
func generatePassword() string {
	return rand.Text()
}
