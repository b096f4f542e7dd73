package devserver

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives/timestamp"
	"go.temporal.io/server/common/resolver"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

const (
	// databaseFile is the SQLite file, under Config.DataDir, that holds all
	// of the server's state (executions, history, visibility, schedules).
	databaseFile = "temporal.db"
	// lockFile, under Config.DataDir, is locked while a server runs.
	lockFile = "temporal.lock"
	// namespaceRetention is how long closed workflow executions stay
	// visible in a namespace the dev server registers.
	namespaceRetention = 7 * 24 * time.Hour
)

// sqliteConfig returns the SQL persistence config for the database file
// under dataDir. WAL with synchronous=NORMAL survives a killed process
// (only an OS crash can lose the last commits) and is much faster than the
// default rollback journal; busy_timeout covers the rare lock wait.
func sqliteConfig(dataDir string) (*config.SQL, error) {
	path, err := filepath.Abs(filepath.Join(dataDir, databaseFile))
	if err != nil {
		return nil, fmt.Errorf("devserver: resolve data dir %q: %w", dataDir, err)
	}
	// The plugin builds a "file:PATH?attrs" URI without escaping PATH.
	if strings.ContainsAny(path, "?#%") {
		return nil, fmt.Errorf("devserver: data dir %q: path must not contain '?', '#' or '%%'", dataDir)
	}
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		},
	}, nil
}

// prepareDatabase creates the schema if the database has none yet and
// registers namespace if it is not registered. Both steps are idempotent, so
// it runs on every start. The schema is created inside one transaction: a
// start that dies half-way leaves an empty database, not a broken one.
func prepareDatabase(cfg *config.SQL, clusterName, namespace string, logger log.Logger) error {
	db, err := sql.NewSQLAdminDB(sqlplugin.DbKindUnknown, cfg, resolver.NewNoopResolver(), logger, metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("devserver: open %s: %w", cfg.DatabaseName, err)
	}
	defer func() { _ = db.Close() }()

	tables, err := db.ListTables(cfg.DatabaseName)
	if err != nil {
		return fmt.Errorf("devserver: list tables in %s: %w", cfg.DatabaseName, err)
	}
	if len(tables) == 0 {
		if err := setupSchema(db); err != nil {
			return fmt.Errorf("devserver: set up schema in %s: %w", cfg.DatabaseName, err)
		}
	}

	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return fmt.Errorf("devserver: namespace %q: %w", namespace, err)
	}
	ns.Detail.Config.Retention = timestamp.DurationPtr(namespaceRetention)
	if err := sqliteschema.CreateNamespaces(cfg, ns); err != nil {
		return fmt.Errorf("devserver: register namespace %q: %w", namespace, err)
	}
	return nil
}

// setupSchema runs the server's SQLite schema in one transaction. The
// plugin keeps a single connection per database, so BEGIN and COMMIT
// issued through db.Exec enclose every statement in between.
func setupSchema(db sqlplugin.AdminDB) error {
	if err := db.Exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := sqliteschema.SetupSchemaOnDB(db); err != nil {
		return errors.Join(err, db.Exec("ROLLBACK"))
	}
	return db.Exec("COMMIT")
}
