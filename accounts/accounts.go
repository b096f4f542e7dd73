// Package accounts makes the users of the console and the API: the rule
// for a user name and a password, the password's hash, and the first
// admin. Every path that creates a user — the API, the console, 'adscan
// user add', the first start — goes through NewUser and Store.CreateUser,
// which records who created whom in the audit trail.
package accounts

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"regexp"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"adscan"
)

// Password length limits, in bytes. bcrypt reads at most 72 bytes, so a
// longer password would be silently cut; it is refused instead.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// HashPassword checks a new password and returns its bcrypt hash for
// adscan.User.PasswordHash. It returns an EINVALID error if the password is
// shorter than 8 or longer than 72 bytes or not UTF-8.
func HashPassword(password string) (string, error) {
	if err := checkNewPassword(password); err != nil {
		return "", err
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", adscan.Errorf(adscan.EINVALID, "password: %v", err)
	}
	return string(b), nil
}

func checkNewPassword(p string) error {
	switch {
	case len(p) < MinPasswordLen:
		return adscan.Errorf(adscan.EINVALID, "password is too short: want at least %d bytes", MinPasswordLen).ZHf("密码太短，至少 %d 个字符。", MinPasswordLen)
	case len(p) > MaxPasswordLen:
		return adscan.Errorf(adscan.EINVALID, "password is too long: want at most %d bytes", MaxPasswordLen).ZHf("密码太长，最多 %d 字节。", MaxPasswordLen)
	case !utf8.ValidString(p):
		return adscan.Errorf(adscan.EINVALID, "password is not valid UTF-8").ZHf("密码不是有效的 UTF-8 文字。")
	}
	return nil
}

// PasswordMatches reports whether password matches a bcrypt hash.
func PasswordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// userNamePattern is what a user name may look like.
var userNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// NewUser checks a new user's name, role and password and returns the
// user with its bcrypt password hash, ready for Store.CreateUser (which
// writes the audit entry). Errors
// are EINVALID and name the bad input.
func NewUser(name string, role adscan.Role, password string, now time.Time) (adscan.User, error) {
	if !userNamePattern.MatchString(name) {
		return adscan.User{}, adscan.Errorf(adscan.EINVALID,
			"user name %q is not valid: use 1 to 64 letters, digits and . _ @ -, starting with a letter or digit", name).
			ZHf("用户名“%s”无效：请用 1 到 64 个字母、数字或 . _ @ -，以字母或数字开头。", name)
	}
	if !role.Valid() {
		return adscan.User{}, adscan.Errorf(adscan.EINVALID, "role %q is not one of admin, regulator, reviewer, viewer", role).ZHf("角色“%s”无效。", role)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return adscan.User{}, err
	}
	return adscan.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: now}, nil
}

// AdminPasswordEnv names the environment variable with the first admin's password.
const AdminPasswordEnv = "ADSCAN_ADMIN_PASSWORD"

// CheckAdminPasswordEnv checks the password in ADSCAN_ADMIN_PASSWORD, if
// set, as EnsureAdmin would, so a command refuses a bad one before it makes
// anything (a database without its admin). EINVALID naming the variable.
func CheckAdminPasswordEnv(getenv func(string) string) error {
	if p := getenv(AdminPasswordEnv); p != "" {
		if err := checkNewPassword(p); err != nil {
			return adscan.Errorf(adscan.EINVALID, "%s: %s", AdminPasswordEnv, adscan.ErrorMessage(err))
		}
	}
	return nil
}

// EnsureAdmin creates the user "admin" with role admin if the store has no
// admin able to sign in (none at all, or only users added with `adscan
// user add` before the first start: else nobody could manage users). The
// password comes from ADSCAN_ADMIN_PASSWORD (read with getenv); without it
// a random password is generated and printed once to out. It does nothing
// if an enabled admin exists, or if a user named admin exists already, and
// returns an EINVALID error if the variable's password is too short or too
// long.
func EnsureAdmin(ctx context.Context, store adscan.Store, getenv func(string) string, out io.Writer) error {
	users, err := store.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("accounts: ensure admin: list users: %w", err)
	}
	for _, u := range users {
		if u.Role == adscan.RoleAdmin && !u.Disabled || u.Name == "admin" {
			if getenv(AdminPasswordEnv) != "" {
				// Said, not silently ignored: whoever set it expects it to work.
				fmt.Fprintf(out, "adscan: %s is not used: the first admin exists already (to change a password: adscan user passwd --help)\n", AdminPasswordEnv)
			}
			return nil
		}
	}
	password, generated := getenv(AdminPasswordEnv), false
	if password == "" {
		password, generated = generatePassword(), true
	}
	u, err := NewUser("admin", adscan.RoleAdmin, password, time.Now())
	if err != nil {
		return fmt.Errorf("accounts: ensure admin: %s: %w", AdminPasswordEnv, err)
	}
	if err := store.CreateUser(ctx, u, "system"); err != nil {
		if adscan.ErrorCode(err) == adscan.ECONFLICT {
			return nil // another process made it first
		}
		return fmt.Errorf("accounts: ensure admin: create user: %w", err)
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
