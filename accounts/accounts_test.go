package accounts

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/store"
)

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T) *store.Store {
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	t.Run("from env", func(t *testing.T) {
		st := open(t)
		var out bytes.Buffer
		if err := EnsureAdmin(ctx, st, env(map[string]string{AdminPasswordEnv: "s3cret-admin-pw"}), &out); err != nil {
			t.Fatal(err)
		}
		u, err := st.GetUser(ctx, "admin")
		if err != nil || u.Role != adscan.RoleAdmin || !PasswordMatches(u.PasswordHash, "s3cret-admin-pw") {
			t.Fatalf("admin = %+v, %v", u, err)
		}
		if log, err := st.ListAudit(ctx, 0, 10); err != nil || len(log) != 1 || log[0].Action != adscan.ActionUserCreated || log[0].Actor != "system" {
			t.Errorf("audit log = %+v, %v; want the admin's creation by system", log, err)
		}
		if strings.Contains(out.String(), "s3cret") {
			t.Errorf("printed the password from the environment: %q", out.String())
		}
		// Once a user exists it does nothing.
		out.Reset()
		if err := EnsureAdmin(ctx, st, env(nil), &out); err != nil || out.Len() != 0 {
			t.Errorf("second call: %v, printed %q", err, out.String())
		}
		// With the variable set again (to another password), it says the
		// variable is not used, and changes nothing.
		if err := EnsureAdmin(ctx, st, env(map[string]string{AdminPasswordEnv: "another-pw-123"}), &out); err != nil ||
			!strings.Contains(out.String(), AdminPasswordEnv+" is not used: the first admin exists already") || strings.Contains(out.String(), "another-pw") {
			t.Errorf("call with the variable once admin exists: %v, printed %q", err, out.String())
		}
		if u, _ := st.GetUser(ctx, "admin"); !PasswordMatches(u.PasswordHash, "s3cret-admin-pw") {
			t.Error("the admin's password changed")
		}
	})
	t.Run("generated", func(t *testing.T) {
		st := open(t)
		var out bytes.Buffer
		if err := EnsureAdmin(ctx, st, env(nil), &out); err != nil {
			t.Fatal(err)
		}
		fields := strings.Fields(out.String())
		var password string
		for i, f := range fields {
			if f == "password" && i+1 < len(fields) {
				password = fields[i+1]
			}
		}
		u, err := st.GetUser(ctx, "admin")
		if err != nil || len(password) < 20 || !PasswordMatches(u.PasswordHash, password) {
			t.Fatalf("printed %q; admin %+v, %v", out.String(), u, err)
		}
	})
	// A reviewer added with 'adscan user add' before the first start is
	// not an admin: without one, nobody could manage users.
	t.Run("only other roles", func(t *testing.T) {
		st := open(t)
		u, err := NewUser("alice", adscan.RoleReviewer, "long enough pw", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, u, "cli"); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := EnsureAdmin(ctx, st, env(nil), &out); err != nil {
			t.Fatal(err)
		}
		if a, err := st.GetUser(ctx, "admin"); err != nil || a.Role != adscan.RoleAdmin || !strings.Contains(out.String(), "created user admin") {
			t.Fatalf("admin = %+v, %v; printed %q", a, err, out.String())
		}
	})
	t.Run("short env password", func(t *testing.T) {
		st := open(t)
		err := EnsureAdmin(ctx, st, env(map[string]string{AdminPasswordEnv: "admin"}), &bytes.Buffer{})
		if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), AdminPasswordEnv) {
			t.Fatalf("err = %v", err)
		}
		if users, _ := st.ListUsers(ctx); len(users) != 0 {
			t.Errorf("users made: %+v", users)
		}
	})
}

func TestNewUser(t *testing.T) {
	u, err := NewUser("zhang.san", adscan.RoleReviewer, "long enough pw", time.Unix(0, 0))
	if err != nil || u.Name != "zhang.san" || !PasswordMatches(u.PasswordHash, "long enough pw") || PasswordMatches(u.PasswordHash, "other") {
		t.Fatalf("NewUser = %+v, %v", u, err)
	}
	for name, tc := range map[string]struct {
		name, password string
		role           adscan.Role
		want           string
	}{
		"space in name": {"li si", "long enough pw", adscan.RoleViewer, "user name"},
		"unknown role":  {"lisi", "long enough pw", "boss", `role "boss"`},
		"short":         {"lisi", "short", adscan.RoleViewer, "too short"},
		"long":          {"lisi", strings.Repeat("x", 73), adscan.RoleViewer, "too long"},
		"not UTF-8":     {"lisi", "long enough \xff", adscan.RoleViewer, "UTF-8"},
	} {
		if _, err := NewUser(tc.name, tc.role, tc.password, time.Now()); adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want EINVALID saying %q", name, err, tc.want)
		}
	}
}
