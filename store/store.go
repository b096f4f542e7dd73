// Package store keeps adscan's targets, scans, captures, cases, referrals,
// users and audit log in SQLite (the default, pure Go) or PostgreSQL. It
// implements adscan.Store.
//
// Every exported method runs in one transaction. Domain errors are
// *adscan.Error: ENOTFOUND for a missing thing, ECONFLICT for a state that does
// not allow the change, EINVALID for bad input; anything else is wrapped with
// what was attempted.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"adscan"
)

// Store is adscan.Store on SQLite or PostgreSQL. It is safe for concurrent use.
type Store struct {
	db      *sql.DB // writes; for SQLite a single connection, so writers queue instead of failing with SQLITE_BUSY
	rdb     *sql.DB // reads; for SQLite a pool of read-only connections, for PostgreSQL the same as db
	dialect dialect
	now     func() time.Time
	newID   func() string
	log     *slog.Logger
}

var _ adscan.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	now      func() time.Time
	newID    func() string
	log      *slog.Logger
	existing bool
}

// Existing makes Open refuse to create a SQLite database that is not
// there (an error naming the file): for commands that read a deployment's
// data, where a mistyped --db would otherwise show an empty new database
// and leave it behind.
func Existing() Option {
	return func(o *options) { o.existing = true }
}

// WithNow sets the clock the store stamps records with (default time.Now).
// Times are stored in UTC with microsecond precision.
func WithNow(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithIDGenerator sets how the store makes IDs of targets, cases and captures
// (default: as NewID, with the time from the store's clock). Generated IDs
// must be unique; a duplicate fails the insert.
func WithIDGenerator(newID func() string) Option {
	return func(o *options) { o.newID = newID }
}

// WithLogger sets the logger for migrations and other notable events
// (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// Open connects to the database named by dsn and applies any pending
// migrations:
//
//   - postgres://… or postgresql://… — PostgreSQL (pgx); the schema is the
//     connection's current schema, so a search_path parameter selects another.
//   - sqlite:PATH, file:PATH or a plain PATH — a SQLite file, created with its
//     parent directory if missing; WAL mode, foreign keys on, a busy timeout,
//     one writer connection.
//
// It returns an EINVALID *adscan.Error for a DSN it cannot use, and a wrapped
// error if the database cannot be reached or migrated.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		return nil, adscan.Errorf(adscan.EINVALID, "store: WithNow needs a function, not nil")
	}
	if o.newID == nil {
		now := o.now
		o.newID = func() string { return newIDAt(now()) }
	}
	if o.log == nil {
		o.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Store{now: o.now, newID: o.newID, log: o.log}
	var err error
	if isPostgres(dsn) {
		err = s.openPostgres(ctx, dsn)
	} else {
		err = s.openSQLite(ctx, dsn, o.existing)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping reports whether the database can be reached (for readiness checks).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.dialect.name, err)
	}
	return nil
}

// write runs fn in a read-write transaction and commits it if fn succeeds.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return runTx(ctx, s.db, nil, fn)
}

// exec runs one statement in a read-write transaction.
func (s *Store) exec(ctx context.Context, q string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
}

// read runs fn in a read-only transaction, so its queries see one snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	return runTx(ctx, s.rdb, &sql.TxOptions{ReadOnly: true}, fn)
}

func runTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stamp returns the store's current time as it will be stored.
func (s *Store) stamp() time.Time { return normTime(s.now()) }

// normTime is t as the store keeps it: UTC, microsecond precision (what
// PostgreSQL holds), so values read back equal values written.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// notFound returns an ENOTFOUND error for a missing thing.
func notFound(what, id string) error {
	e := adscan.Errorf(adscan.ENOTFOUND, "%s %q not found", what, id)
	if zh, ok := notFoundZH[what]; ok {
		e.ZHf("找不到%s“%s”。", zh, id)
	}
	return e
}

// notFoundZH names what was not found, for the console.
var notFoundZH = map[string]string{
	"case": "案件", "user": "用户", "scan": "扫描", "capture": "抓取记录", "referral of case": "该案件的移送记录",
	"lexicon version": "词库版本", "allow proposal": "例外提议", "target": "目标网站",
}
