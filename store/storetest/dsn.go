// Package storetest makes fresh databases for tests and benchmarks of the
// store and of the packages above it: SQLite in a temporary directory, and
// PostgreSQL schemas on the server ADSCAN_TEST_POSTGRES names.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgresEnv names the PostgreSQL server for tests, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "ADSCAN_TEST_POSTGRES"

// SQLiteDSN returns the DSN of a new SQLite database in the test's
// temporary directory.
func SQLiteDSN(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "data", "adscan.db")
}

// PostgresDSN returns the DSN of a new, empty schema on the server
// $ADSCAN_TEST_POSTGRES names, dropped after the test; it skips the test
// with a message when the variable is not set.
func PostgresDSN(t testing.TB) string {
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set; skipping the PostgreSQL run (set it to e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "adscan_test_" + hex.EncodeToString(rnd[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
