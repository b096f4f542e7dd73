package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

func openCached(t *testing.T) (*sql.DB, *cachingConn) {
	t.Helper()
	c, err := newStmtCacheConnector(filepath.Join(t.TempDir(), "c.db") + "?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cc *cachingConn
	if err := conn.Raw(func(dc any) error { cc = dc.(*cachingConn); return nil }); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	return db, cc
}

// TestStmtCacheReusesAndLends: a text runs through one prepared statement
// however often it runs; the same text run while its rows are still open
// gets a statement of its own, so both row sets read right; a multi-statement
// script still runs whole; and past the cache's bound statements are
// prepared for one use.
func TestStmtCacheReusesAndLends(t *testing.T) {
	db, cc := openCached(t)
	ctx := context.Background()
	const q = `SELECT v FROM t WHERE k >= $1 ORDER BY k`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := tx.ExecContext(ctx, `UPDATE t SET v = v || $1 WHERE k = 1`, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	outer, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var v string
		if err := outer.Scan(&v); err != nil {
			t.Fatal(err)
		}
		var inner []string
		rows, err := tx.QueryContext(ctx, q, 2) // the same text, outer still open
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var w string
			rows.Scan(&w)
			inner = append(inner, w)
		}
		rows.Close()
		got = append(got, fmt.Sprint(v, inner))
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if want := "[a012[b c] b[b c] c[b c]]"; fmt.Sprint(got) != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	cc.mu.Lock()
	n, busy := len(cc.stmts), 0
	for _, cs := range cc.stmts {
		if cs.busy {
			busy++
		}
	}
	cc.mu.Unlock()
	// The script, the UPDATE and the SELECT (the nested run went uncached).
	if n != 3 || busy != 0 {
		t.Errorf("%d statements cached, %d busy; want 3 and none busy", n, busy)
	}

	for i := range maxCachedStmts + 5 {
		var v int
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&v); err != nil || v != i {
			t.Fatalf("SELECT %d = %d, %v", i, v, err)
		}
	}
	cc.mu.Lock()
	n = len(cc.stmts)
	cc.mu.Unlock()
	if n != maxCachedStmts {
		t.Errorf("%d statements cached, want the bound %d", n, maxCachedStmts)
	}
}

// TestStmtCacheBadStatement: a statement that does not parse is the
// driver's error, and nothing is cached for it.
func TestStmtCacheBadStatement(t *testing.T) {
	db, cc := openCached(t)
	if _, err := db.ExecContext(context.Background(), `SELEC nonsense`); err == nil {
		t.Fatal("a malformed statement ran")
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if _, ok := cc.stmts[`SELEC nonsense`]; ok {
		t.Error("a malformed statement was cached")
	}
}
