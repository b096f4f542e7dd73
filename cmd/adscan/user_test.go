package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"adscan"
	"adscan/store"
)

// runUserCmd runs `adscan user ARGS…` and returns the error and output.
func runUserCmd(t *testing.T, stdin string, env map[string]string, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := newUserCmd(streams{in: strings.NewReader(stdin), out: &out, err: &errb, getenv: func(k string) string { return env[k] }})
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestUserAdd(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "db.sqlite")

	out, err := runUserCmd(t, "zhang's password\n", nil, "add", "zhang", "--role", "reviewer", "--db", db, "--password-stdin")
	if err != nil || !strings.Contains(out, "added user zhang with role reviewer") {
		t.Fatalf("user add: %v, %q", err, out)
	}
	// The password comes from the environment when not on stdin, and the
	// database from ADSCAN_DB when --db is absent.
	env := map[string]string{envDB: db, envUserPassword: "li's long password"}
	if _, err := runUserCmd(t, "", env, "add", "li", "--role", "viewer"); err != nil {
		t.Fatalf("user add from env: %v", err)
	}

	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, want := range map[string]struct {
		role     adscan.Role
		password string
	}{"zhang": {adscan.RoleReviewer, "zhang's password"}, "li": {adscan.RoleViewer, "li's long password"}} {
		u, err := st.GetUser(ctx, name)
		if err != nil || u.Role != want.role || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(want.password)) != nil {
			t.Errorf("user %s = %+v, %v", name, u, err)
		}
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		usage       bool
		want        string
	}{
		{"taken", "another password\n", []string{"add", "zhang", "--role", "viewer", "--db", db, "--password-stdin"}, false, "taken"},
		{"bad role", "", []string{"add", "wang", "--role", "boss", "--db", db}, true, `--role "boss"`},
		{"no role", "", []string{"add", "wang", "--db", db}, true, "--role"},
		{"no name", "", []string{"add", "--role", "viewer", "--db", db}, true, "NAME"},
		{"no db", "pw long enough\n", []string{"add", "wang", "--role", "viewer", "--password-stdin"}, true, "--db"},
		{"no password", "", []string{"add", "wang", "--role", "viewer", "--db", db}, true, "--password-stdin"},
		{"empty stdin", "", []string{"add", "wang", "--role", "viewer", "--db", db, "--password-stdin"}, false, "no password"},
		{"short password", "short\n", []string{"add", "wang", "--role", "viewer", "--db", db, "--password-stdin"}, false, "too short"},
		{"bad name", "pw long enough\n", []string{"add", "wang wu", "--role", "viewer", "--db", db, "--password-stdin"}, false, "user name"},
		{"no subcommand", "", nil, true, "subcommand"},
	} {
		_, err := runUserCmd(t, tc.stdin, nil, tc.args...)
		if err == nil || isUsageError(err) != tc.usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v (usage %v), want usage=%v containing %q", tc.name, err, isUsageError(err), tc.usage, tc.want)
		}
	}
	if users, _ := st.ListUsers(ctx); len(users) != 2 {
		t.Errorf("failed adds changed the users: %+v", users)
	}
}

// user passwd sets an existing user's password (the way back in for a
// lost admin password) and ends the user's sessions.
func TestUserPasswd(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "db.sqlite")
	if _, err := runUserCmd(t, "first password\n", nil, "add", "admin", "--role", "admin", "--db", db, "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateSession(ctx, "s1", "admin", time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Named in another case, the user is found, and named as created.
	out, err := runUserCmd(t, "second password\n", nil, "passwd", "ADMIN", "--db", db, "--password-stdin")
	if err != nil || !strings.Contains(out, "set the password of admin;") {
		t.Fatalf("user passwd: %v, %q", err, out)
	}
	u, err := st.GetUser(ctx, "admin")
	if err != nil || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("second password")) != nil {
		t.Errorf("admin after passwd = %+v, %v; want the new password", u, err)
	}
	if active, err := st.SessionActive(ctx, "s1", "admin", time.Now()); err != nil || active {
		t.Errorf("the admin's session outlived the password change (%v)", err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		usage       bool
		want        string
	}{
		{"unknown user", "long enough pw\n", []string{"passwd", "nobody", "--db", db, "--password-stdin"}, false, "nobody"},
		{"short password", "short\n", []string{"passwd", "admin", "--db", db, "--password-stdin"}, true, "too short"},
		{"no database file", "long enough pw\n", []string{"passwd", "admin", "--db", db + ".typo", "--password-stdin"}, false, "there is no database"},
		{"no name", "", []string{"passwd", "--db", db}, true, "NAME"},
	} {
		_, err := runUserCmd(t, tc.stdin, nil, tc.args...)
		if err == nil || isUsageError(err) != tc.usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v (usage %v), want usage=%v containing %q", tc.name, err, isUsageError(err), tc.usage, tc.want)
		}
	}
}

func TestUserAddExitStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db.sqlite")
	runArgs := func(stdin string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, streams{in: strings.NewReader(stdin), out: &out, err: &errb, getenv: func(string) string { return "" }})
		return code, out.String() + errb.String()
	}
	if code, out := runArgs("a long password\n", "user", "add", "wang", "--role", "regulator", "--db", db, "--password-stdin"); code != exitOK {
		t.Fatalf("exit %d: %s", code, out)
	}
	if code, out := runArgs("a long password\n", "user", "add", "wang", "--role", "regulator", "--db", db, "--password-stdin"); code != exitFailure || !strings.Contains(out, "taken") {
		t.Errorf("duplicate: exit %d: %s", code, out)
	}
	if code, out := runArgs("", "user", "add", "wang", "--role", "root", "--db", db); code != exitUsage {
		t.Errorf("bad role: exit %d: %s", code, out)
	}
}
