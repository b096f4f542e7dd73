package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
	"adscan/store/storetest"
)

// The suite runs every test against SQLite and, when ADSCAN_TEST_POSTGRES
// names a server (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable),
// against PostgreSQL, each test in a schema of its own that it drops after.

// backend makes fresh, empty databases of one kind.
type backend struct {
	name   string
	newDSN func(t testing.TB) string
}

func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range []backend{{"sqlite", newSQLiteDSN}, {"postgres", newPostgresDSN}} {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

func newSQLiteDSN(t testing.TB) string   { return storetest.SQLiteDSN(t) }
func newPostgresDSN(t testing.TB) string { return storetest.PostgresDSN(t) }

// openStore opens dsn with a stepping clock and closes the store after the test.
func openStore(t *testing.T, dsn string, opts ...Option) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, dsn, append([]Option{WithNow(newStepClock().Now)}, opts...)...)
	if err != nil {
		t.Fatalf("Open(%s): %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// stepClock starts at a fixed time and moves one second at each reading, so
// records made one after another have distinct, ordered times.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func newStepClock() *stepClock {
	return &stepClock{t: time.Date(2026, 9, 1, 8, 0, 0, 123456000, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := adscan.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

var fetchTime = time.Date(2026, 9, 1, 7, 30, 0, 0, time.UTC)

// capture returns a capture of page on target made by scan, its body body.
func capture(scan, target, page, body string) adscan.Capture {
	return adscan.Capture{
		ScanID: scan, Target: target, RequestedURL: page, FinalURL: page,
		Status: 200, FetchedAt: fetchTime, BodySHA256: digest(body), BodySize: int64(len(body)),
		Text: body, TextSHA256: digest(body),
		Lexicon: adscan.LexiconRef{Name: "shuangjian", Version: "1"},
	}
}

func flag(cat adscan.Category, text string) adscan.Flag {
	return adscan.Flag{Category: cat, Score: 0.9, Basis: "（十七）",
		Evidence: []adscan.Evidence{{Text: text, Start: 0, End: len(text), Rule: string(cat) + "-1"}}}
}

// record stores a capture of page in scan and records flags for it.
func record(t *testing.T, s *Store, scan, target, page, body string, flags ...adscan.Flag) (adscan.Case, bool) {
	t.Helper()
	ctx := context.Background()
	capID, err := s.PutCapture(ctx, capture(scan, target, page, body))
	must(t, err)
	c, created, err := s.RecordFindings(ctx, adscan.FindingsInput{
		ScanID: scan, Target: target, URL: page, CaptureID: capID, Flags: flags,
		Lexicon: adscan.LexiconRef{Name: "shuangjian", Version: "1"},
	})
	must(t, err)
	return c, created
}

func createScan(t *testing.T, s *Store, id string) {
	t.Helper()
	must(t, s.CreateScan(context.Background(), adscan.Scan{ID: id, Targets: []adscan.ScanTarget{{URL: "https://a.example/"}}}))
}

func TestAbsDSN(t *testing.T) {
	wd, err := os.Getwd()
	must(t, err)
	for dsn, want := range map[string]string{
		"data/a.db":                     filepath.Join(wd, "data/a.db"),
		"sqlite:data/a.db":              filepath.Join(wd, "data/a.db"),
		"sqlite:///tmp/a.db":            "/tmp/a.db",
		"/var/lib/adscan/a.db":          "/var/lib/adscan/a.db",
		"postgres://u@h/db?sslmode=off": "postgres://u@h/db?sslmode=off",
		"a.db?mode=ro":                  "a.db?mode=ro",
	} {
		if got := AbsDSN(dsn); got != want {
			t.Errorf("AbsDSN(%q) = %q, want %q", dsn, got, want)
		}
	}
}

func TestOpenDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, path, code string }{
		{"sqlite:data/a.db", "data/a.db", ""},
		{"sqlite:///tmp/a.db", "/tmp/a.db", ""},
		{"file:a.db", "a.db", ""},
		{"/var/lib/adscan/a.db", "/var/lib/adscan/a.db", ""},
		{"", "", adscan.EINVALID},
		{"sqlite:", "", adscan.EINVALID},
		{"a.db?mode=ro", "", adscan.EINVALID},
		{"mysql://u@h/db", "", adscan.EINVALID},
		{"sqlite::memory:", "", adscan.EINVALID},
	} {
		path, err := sqlitePath(tc.dsn)
		if tc.code != "" {
			if adscan.ErrorCode(err) != tc.code {
				t.Errorf("sqlitePath(%q) error = %v, want %s", tc.dsn, err, tc.code)
			}
			continue
		}
		if err != nil || path != tc.path {
			t.Errorf("sqlitePath(%q) = %q, %v; want %q", tc.dsn, path, err, tc.path)
		}
	}
	_, err := Open(context.Background(), "mysql://u@h/db")
	wantCode(t, err, adscan.EINVALID)
	_, err = Open(context.Background(), "postgres://u@h:notaport/db")
	wantCode(t, err, adscan.EINVALID)
}

// A --db that names another program's SQLite file (Temporal's, beside
// adscan's in DATA/) or no database at all is refused, whether the command
// reads or writes, and the file is left as it was.
func TestOpenRefusesForeignSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	foreign := filepath.Join(dir, "temporal.db")
	db, err := sql.Open("sqlite", foreign)
	must(t, err)
	_, err = db.Exec("CREATE TABLE executions (id TEXT PRIMARY KEY); CREATE TABLE shards (id INTEGER)")
	must(t, err)
	must(t, db.Close())
	before, err := os.ReadFile(foreign)
	must(t, err)
	text := filepath.Join(dir, "notes.txt")
	must(t, os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o644))
	for _, tc := range []struct {
		path, want string
		opts       []Option
	}{
		{foreign, "another program's SQLite database (2 tables, none of them adscan's)", nil},
		{foreign, "another program's SQLite database", []Option{Existing()}},
		{text, "is not a SQLite database adscan can read", []Option{Existing()}},
	} {
		s, err := Open(ctx, tc.path, tc.opts...)
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) worked; want it refused", tc.path)
			continue
		}
		if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s): %v; want it to name the file and say %q", tc.path, err, tc.want)
		}
	}
	after, err := os.ReadFile(foreign)
	must(t, err)
	if string(after) != string(before) {
		t.Error("the foreign database changed")
	}
	if _, err := os.Stat(foreign + "-wal"); err == nil {
		t.Error("the foreign database was switched to WAL")
	}
	// adscan's own database opens again, empty files too.
	own := filepath.Join(dir, "adscan.db")
	for range 2 {
		s, err := Open(ctx, own)
		must(t, err)
		must(t, s.Close())
	}
	empty := filepath.Join(dir, "empty.db")
	must(t, os.WriteFile(empty, nil, 0o600))
	s, err := Open(ctx, empty, Existing())
	must(t, err)
	must(t, s.Close())
}

// A DSN whose search_path names a schema that does not exist says so.
func TestOpenPostgresMissingSchema(t *testing.T) {
	dsn := newPostgresDSN(t) // skips without a server
	missing := strings.Replace(dsn, "search_path=adscan_test_", "search_path=adscan_nosuch_", 1)
	_, err := Open(context.Background(), missing)
	if err == nil || !strings.Contains(err.Error(), "no schema of the search path (adscan_nosuch_") || !strings.Contains(err.Error(), "CREATE SCHEMA") {
		t.Errorf("Open with a missing schema: %v; want it to name the schema and how to make it", err)
	}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dsn := b.newDSN(t)
		s, err := Open(ctx, dsn)
		must(t, err)
		createScan(t, s, "scan1")
		c, _ := record(t, s, "scan1", "https://a.example/", "https://a.example/p", "body", flag(adscan.CategoryRanking, "状元"))
		applied := countMigrations(t, s)
		must(t, s.Close())

		s2 := openStore(t, dsn)
		got, err := s2.GetCase(ctx, c.ID)
		must(t, err)
		if got.URL != c.URL || len(got.Findings) != 1 || len(got.Sightings) != 1 {
			t.Errorf("after reopening, case = %+v; want the recorded one", got)
		}
		sc, err := s2.GetScan(ctx, "scan1")
		must(t, err)
		if sc.Cases != 1 {
			t.Errorf("after reopening, scan cases = %d, want 1", sc.Cases)
		}
		if again := countMigrations(t, s2); again != applied {
			t.Errorf("migration rows after reopening = %d, before %d; migrations ran twice", again, applied)
		}
		files, err := migrations.ReadDir("migrations/" + s2.dialect.name)
		must(t, err)
		if applied != len(files) {
			t.Errorf("applied migrations = %d, want one per file (%d)", applied, len(files))
		}
	})
}

func countMigrations(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	err := s.db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE version_id > 0`, versionTable)).Scan(&n)
	must(t, err)
	return n
}

func TestSQLiteSettings(t *testing.T) {
	s := openStore(t, newSQLiteDSN(t))
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		for name, db := range map[string]*sql.DB{"writer": s.db, "reader": s.rdb} {
			var got string
			must(t, db.QueryRow("PRAGMA "+pragma).Scan(&got))
			if !strings.EqualFold(got, want) {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
			}
		}
	}
	if _, err := s.rdb.Exec(`DELETE FROM users`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		id := newIDAt(time.UnixMilli(int64(1_800_000_000_000 + i)))
		if len(id) != 16 || strings.Trim(id, "0123456789abcdefghjkmnpqrstvwxyz") != "" {
			t.Fatalf("id %q is not 16 lower-case Crockford base32 characters", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		if id <= prev {
			t.Fatalf("id %q made later sorts before %q", id, prev)
		}
		seen[id], prev = true, id
	}
	same := map[string]bool{}
	now := time.Now()
	for range 2000 {
		same[newIDAt(now)] = true
	}
	if len(same) != 2000 {
		t.Errorf("2000 IDs in one millisecond gave %d distinct", len(same))
	}
}

// TestSQLiteFileIsPrivate: a new database file (and its WAL files) is
// readable by its owner only: it holds password hashes and sessions.
func TestSQLiteFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "adscan.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) && p != path {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", filepath.Base(p), mode)
		}
	}
}

func TestOneLine(t *testing.T) {
	base := errors.New("failed to connect to `user=u database=d`:\n\th:1 (h): dial error: refused\n\th:1 (h): dial error: refused\n\tg:1 (g): timeout")
	got := oneLine(base)
	want := "failed to connect to `user=u database=d`: h:1 (h): dial error: refused; g:1 (g): timeout"
	if got.Error() != want || !errors.Is(got, base) {
		t.Errorf("oneLine = %q (unwraps to the original: %v), want %q", got, errors.Is(got, base), want)
	}
	if one := errors.New("plain"); oneLine(one) != one {
		t.Errorf("a one-line error was changed")
	}
}
