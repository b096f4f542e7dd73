package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"adscan"
)

// dialect is what differs between SQLite and PostgreSQL. The SQL itself is
// shared: both accept $N placeholders, ON CONFLICT and RETURNING.
type dialect struct {
	name      string // "sqlite" or "postgres"; also the migrations directory
	forUpdate string // row-lock suffix for SELECTs in write transactions
}

var (
	sqliteDialect   = dialect{name: "sqlite"}
	postgresDialect = dialect{name: "postgres", forUpdate: " FOR UPDATE"}
)

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// The parse error may echo the password; name the problem without it.
		return adscan.Errorf(adscan.EINVALID, "store: bad PostgreSQL DSN: %v", redact(err, dsn))
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("store: connect to PostgreSQL %s/%s: %w", cfg.Host, cfg.Database, oneLine(err))
	}
	s.db, s.rdb, s.dialect = db, db, postgresDialect
	return nil
}

func redact(err error, dsn string) string {
	msg := err.Error()
	if cfg, perr := pgconn.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return msg
}

// sqlitePath returns the file path of a SQLite DSN: sqlite:PATH, file:PATH or PATH.
// AbsDSN returns dsn as another directory would read it: a SQLite DSN as
// the absolute path of its file, a PostgreSQL DSN (or one that names no
// file) as it is. adscan dev prints it in the worker command it suggests.
func AbsDSN(dsn string) string {
	if isPostgres(dsn) {
		return dsn
	}
	path, err := sqlitePath(dsn)
	if err != nil {
		return dsn
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return dsn
	}
	return abs
}

func sqlitePath(dsn string) (string, error) {
	path := dsn
	for _, prefix := range []string{"sqlite:", "file:"} {
		if rest, ok := strings.CutPrefix(dsn, prefix); ok {
			path = rest
			if p, ok := strings.CutPrefix(rest, "//"); ok { // sqlite:///abs/path
				path = p
			}
			break
		}
	}
	switch {
	case strings.TrimSpace(path) == "":
		return "", adscan.Errorf(adscan.EINVALID, "store: database DSN %q names no file", dsn)
	case strings.ContainsAny(path, "?#"):
		return "", adscan.Errorf(adscan.EINVALID, "store: SQLite DSN %q: parameters are not supported; give a plain file path", dsn)
	case strings.Contains(path, "://"):
		return "", adscan.Errorf(adscan.EINVALID, "store: unsupported database DSN %q (want postgres://…, sqlite:PATH or a file path)", dsn)
	case path == ":memory:":
		return "", adscan.Errorf(adscan.EINVALID, "store: in-memory SQLite is not supported; give a file path")
	}
	return path, nil
}

func (s *Store) openSQLite(ctx context.Context, dsn string, existing bool) error {
	path, err := sqlitePath(dsn)
	if err != nil {
		return err
	}
	info, statErr := os.Stat(path)
	if existing && errors.Is(statErr, fs.ErrNotExist) {
		return fmt.Errorf("store: there is no database at %s (adscan dev keeps it at DATA/adscan.db)", path)
	}
	if statErr == nil && info.Size() > 0 {
		if err := checkOwnSQLite(ctx, path); err != nil {
			return err
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("store: create directory for %s: %w", path, err)
		}
	}
	// The database holds password hashes, sessions and evidence: create it
	// readable by its owner only (SQLite gives its -wal and -shm files the
	// database file's mode). An existing file keeps the mode it has.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create SQLite %s: %w", path, err)
	}
	f.Close()
	// One writer connection whose transactions take the write lock up front
	// (BEGIN IMMEDIATE): writers in this process queue for the connection, and
	// writers in other processes wait out the busy timeout instead of failing
	// midway with SQLITE_BUSY.
	const common = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	wc, err := newStmtCacheConnector(path + "?" + common + "&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open SQLite %s: %w", path, err)
	}
	db := sql.OpenDB(wc)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := pingSQLite(ctx, db); err != nil {
		db.Close()
		return fmt.Errorf("store: open SQLite %s: %w", path, err)
	}
	rc, err := newStmtCacheConnector(path + "?_pragma=query_only(1)&" + common)
	if err != nil {
		db.Close()
		return fmt.Errorf("store: open SQLite %s for reading: %w", path, err)
	}
	rdb := sql.OpenDB(rc)
	rdb.SetMaxOpenConns(4)
	rdb.SetMaxIdleConns(4)
	s.db, s.rdb, s.dialect = db, rdb, sqliteDialect
	return nil
}

// checkOwnSQLite refuses an existing SQLite file that is not adscan's: one
// that has tables but not adscan's migration table (Temporal's database
// beside it in DATA/, say), or that is not a SQLite database at all. It
// opens the file query-only, so a --db mistake adds no tables to another
// program's file and does not switch it to WAL, as adscan's own
// connections would.
func checkOwnSQLite(ctx context.Context, path string) error {
	c, err := sqlite.NewConnector(path + "?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: open SQLite %s: %w", path, err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	var tables, ours int
	err = db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(name = ?), 0) FROM sqlite_master WHERE type = 'table'", versionTable).Scan(&tables, &ours)
	switch {
	case err != nil && strings.Contains(err.Error(), "file is not a database"): // SQLITE_NOTADB
		return fmt.Errorf("store: %s is not a SQLite database adscan can read", path)
	case err != nil:
		return fmt.Errorf("store: read SQLite %s: %s", path, oneLine(err))
	case tables > 0 && ours == 0:
		return fmt.Errorf("store: %s is another program's SQLite database (%d tables, none of them adscan's); give adscan's own (adscan dev keeps it at DATA/adscan.db)", path, tables)
	}
	return nil
}

// pingSQLite opens the first connection, which sets the connection's
// pragmas. Switching a database to WAL takes an exclusive lock, and SQLite
// answers SQLITE_BUSY at once, without its busy timeout, when another
// process is switching the same new database at that moment: such an open
// is tried again, for up to about ten seconds as the busy timeout would.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	give := time.Now().Add(10 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.PingContext(ctx)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().Add(wait).After(give) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// sqliteTime is how SQLite keeps a time: fixed-width UTC text, so that string
// order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// timeArg returns t as a query argument.
func (s *Store) timeArg(t time.Time) any {
	t = normTime(t)
	if s.dialect.name == "sqlite" {
		return t.Format(sqliteTime)
	}
	return t
}

// nullTimeArg returns t as a query argument, NULL for nil.
func (s *Store) nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.timeArg(*t)
}

// timeInto scans a time column (TIMESTAMPTZ or SQLite text) into *p.
func timeInto(p *time.Time) sql.Scanner { return timeDest{p: p} }

type timeDest struct{ p *time.Time }

func (d timeDest) Scan(v any) error {
	t, err := parseTime(v)
	if err != nil {
		return err
	}
	if t == nil {
		return errors.New("unexpected NULL time")
	}
	*d.p = *t
	return nil
}

// nullTimeInto scans a nullable time column into *p (nil for NULL).
func nullTimeInto(p **time.Time) sql.Scanner { return nullTimeDest{p: p} }

type nullTimeDest struct{ p **time.Time }

func (d nullTimeDest) Scan(v any) error {
	t, err := parseTime(v)
	*d.p = t
	return err
}

func parseTime(v any) (*time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		t = x
	case string:
		return parseTimeText(x)
	case []byte:
		return parseTimeText(string(x))
	default:
		return nil, fmt.Errorf("cannot scan %T into a time", v)
	}
	t = t.UTC()
	return &t, nil
}

func parseTimeText(s string) (*time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("bad stored time %q: %w", s, err)
	}
	t = t.UTC()
	return &t, nil
}

// jsonArg returns v marshalled to JSON text as a query argument.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// jsonInto scans a JSON column into v.
func jsonInto(v any) sql.Scanner { return jsonDest{v: v} }

type jsonDest struct{ v any }

func (d jsonDest) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("cannot scan %T as JSON", src)
	}
	if err := json.Unmarshal(b, d.v); err != nil {
		return fmt.Errorf("decode stored JSON into %T: %w", d.v, err)
	}
	return nil
}

// isUniqueViolation reports whether err is a unique or primary-key violation.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// oneLineError is an error whose message was put on one line; it unwraps
// to the original.
type oneLineError struct {
	msg string
	err error
}

func (e oneLineError) Error() string { return e.msg }
func (e oneLineError) Unwrap() error { return e.err }

// oneLine puts a multi-line error message on one line, its first line
// (pgx's heading) then the others joined by "; ", repeats left out: pgx lists each connection attempt on a line
// of its own (the same host twice under sslmode=prefer), and a command's
// error should be one line.
func oneLine(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "\n") {
		return err
	}
	var parts []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSuffix(strings.TrimSpace(l), ":")
		if l != "" && !slices.Contains(parts, l) {
			parts = append(parts, l)
		}
	}
	msg = parts[0]
	if len(parts) > 1 {
		msg += ": " + strings.Join(parts[1:], "; ")
	}
	return oneLineError{msg: msg, err: err}
}
