package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"

	"modernc.org/sqlite"
)

// SQLite parses every statement it runs, and database/sql hands a query
// in a transaction straight to the driver, which prepares it anew each
// time: a crawl storing a batch ran the same few INSERTs a hundred times,
// and a busy console the same reads, each parsed again (7-8 % of a scan's
// CPU in a profile of `adscan dev`). stmtCacheConnector keeps each
// connection's prepared statements by their text and runs a query through
// its statement when that is free. PostgreSQL needs none of this: pgx
// caches prepared statements itself.

// maxCachedStmts bounds a connection's cache; statements past it are
// prepared for one use, as without the cache (the store runs far fewer
// distinct texts).
const maxCachedStmts = 256

// stmtCacheConnector opens modernc SQLite connections that cache their
// prepared statements.
type stmtCacheConnector struct {
	driver.Connector
}

// newStmtCacheConnector returns a connector of the SQLite database dsn.
func newStmtCacheConnector(dsn string) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return stmtCacheConnector{c}, nil
}

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newCachingConn(cn)
}

// sqliteConn is what database/sql uses of a modernc connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection with its statement cache. database/sql uses
// a connection from one goroutine at a time, but a query's rows may still
// be open when the same text runs again (a nested loop): a statement is
// lent to one query at a time, and a second one gets a statement of its own.
type cachingConn struct {
	sqliteConn
	mu    sync.Mutex
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	st   driver.Stmt
	busy bool
}

func newCachingConn(cn driver.Conn) (*cachingConn, error) {
	sc, ok := cn.(sqliteConn)
	if !ok {
		cn.Close()
		return nil, errors.New("store: the SQLite driver's connection lacks a method the statement cache needs")
	}
	return &cachingConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

// borrow returns the cached statement of query, preparing it on first use,
// and marks it busy until release; nil when it is busy or the cache is full.
func (c *cachingConn) borrow(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs, ok := c.stmts[query]
	if !ok {
		if len(c.stmts) >= maxCachedStmts {
			return nil, nil
		}
		st, err := c.sqliteConn.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		cs = &cachedStmt{st: st}
		c.stmts[query] = cs
	}
	if cs.busy {
		return nil, nil
	}
	cs.busy = true
	return cs, nil
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

// ExecContext implements driver.ExecerContext.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.borrow(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	defer c.release(cs)
	return cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext implements driver.QueryerContext.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.borrow(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, done: func() { c.release(cs) }}, nil
}

// Close finalizes the cached statements and closes the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for q, cs := range c.stmts {
		errs = append(errs, cs.st.Close())
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	errs = append(errs, c.sqliteConn.Close())
	return errors.Join(errs...)
}

// cachedRows gives its statement back when closed (which resets it).
type cachedRows struct {
	driver.Rows
	once sync.Once
	done func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.done)
	return err
}
