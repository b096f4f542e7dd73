package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one directory of goose SQL migrations per dialect; the
// schemas differ in types (TEXT times and BLOB in SQLite, TIMESTAMPTZ, JSONB
// and BYTEA in PostgreSQL) but not in shape.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// versionTable records the applied migrations.
const versionTable = "adscan_schema_version"

// migrate applies pending migrations. On PostgreSQL it holds an advisory lock
// (one per schema) so that processes starting together migrate once; on
// SQLite each migration is one write transaction, and a process that lost the
// race to another finds nothing pending and goes on.
func (s *Store) migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations/"+s.dialect.name)
	if err != nil {
		return fmt.Errorf("store: migrations for %s: %w", s.dialect.name, err)
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithTableName(versionTable),
	}
	gd := goose.DialectSQLite3
	if s.dialect.name == "postgres" {
		gd = goose.DialectPostgres
		var current sql.NullString
		var searchPath string
		if err := s.db.QueryRowContext(ctx, "SELECT current_schema(), current_setting('search_path')").Scan(&current, &searchPath); err != nil {
			return fmt.Errorf("store: migrate: find current schema: %w", err)
		}
		if !current.Valid { // no schema of the search path exists
			return fmt.Errorf("store: no schema of the search path (%s) exists in this database, or this role may not use it: create it (CREATE SCHEMA …), grant USAGE on it, or change search_path in the DSN", searchPath)
		}
		schema := current.String
		h := fnv.New64a()
		h.Write([]byte("adscan migrations " + schema))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 120), // retry each second for two minutes
		)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, s.db, dir, opts...)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	results, err := p.Up(ctx)
	// Two processes opening a new SQLite file together can both try a
	// migration; the loser's fails while the winner goes on. The loser
	// tries again (now skipping what the winner applied) until nothing is
	// pending or the failure is its own.
	for attempt := 0; err != nil && s.dialect.name == "sqlite" && attempt < 40; attempt++ {
		pending, perr := p.HasPending(ctx)
		if perr == nil && !pending {
			s.log.Info("store: migrations were applied concurrently by another process", "dialect", s.dialect.name, "error", err)
			err = nil
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: migrate %s database: %w", s.dialect.name, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
		var more []*goose.MigrationResult
		more, err = p.Up(ctx)
		results = append(results, more...)
	}
	if err != nil {
		return fmt.Errorf("store: migrate %s database: %w", s.dialect.name, err)
	}
	// One line for the whole upgrade (a new database applies every
	// migration, which would otherwise fill the first screen of
	// `adscan dev`); each migration's file and duration at debug level.
	var total time.Duration
	for _, r := range results {
		total += r.Duration
		s.log.Debug("store: applied migration", "dialect", s.dialect.name,
			"version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	if n := len(results); n > 0 {
		s.log.Info("store: migrated the schema", "dialect", s.dialect.name, "migrations", n,
			"first", results[0].Source.Version, "last", results[n-1].Source.Version, "duration", total)
	}
	return nil
}
