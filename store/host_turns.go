package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"adscan"
)

// TakeHostTurn claims host for one request of a crawl whose delay on it is
// gap. The claim succeeds when no claimed request on the host is still in
// flight (released, or its hold expired) and the last one ended at least
// the larger of its crawl's gap and this one ago: it is recorded, held for
// at most hold, and TakeHostTurn returns its token and a wait of 0 — send
// now, and release with the token when the answer arrived. Otherwise
// nothing is recorded and it returns how long to wait before asking again.
// Each claim and release is one statement on the host's row, so across
// every process sharing the database a host sees one request at a time,
// each starting at least the gap after the previous one was answered. On
// PostgreSQL the times are the database's clock, so workers' clocks need
// not agree; on SQLite (one machine) this process's.
//
// With ReleaseHostTurn it implements crawler.HostGate (see cmd/adscan's
// wiring). EINVALID for an empty host or a gap or hold that is not positive.
func (s *Store) TakeHostTurn(ctx context.Context, host string, gap, hold time.Duration) (token int64, wait time.Duration, err error) {
	host = strings.ToLower(host)
	if host == "" || gap <= 0 || hold <= 0 {
		return 0, 0, adscan.Errorf(adscan.EINVALID, "store: a host turn needs a host and a positive gap and hold (got %q, %v, %v)", host, gap, hold)
	}
	gapUS := gap.Microseconds()
	now, args := s.turnClock(4, host, gapUS, hold.Microseconds())
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO host_turns (host, last_us, next_us, busy_until_us) VALUES ($1, 0, 0, 0)
			ON CONFLICT (host) DO NOTHING`, host); err != nil {
			return err
		}
		// The clock is read when the row is locked (after any wait for
		// another claim), so the claim's time is never stale.
		err := tx.QueryRowContext(ctx, `UPDATE host_turns SET busy_until_us = `+now+` + $3
			WHERE host = $1 AND `+now+` >= busy_until_us AND `+now+` >= next_us AND `+now+` >= last_us + $2
			RETURNING busy_until_us`, args...).Scan(&token)
		if err == nil {
			wait = 0
			return nil
		}
		if err != sql.ErrNoRows {
			return err
		}
		token = 0
		var busy, due int64
		now, args := s.turnClock(3, host, gapUS)
		if err := tx.QueryRowContext(ctx, s.greatest(`SELECT busy_until_us - `+now+`, GREATEST(next_us, last_us + $2) - `+now+`
			FROM host_turns WHERE host = $1`), args...).Scan(&busy, &due); err != nil {
			return err
		}
		wait = time.Duration(max(due, 1)) * time.Microsecond
		if busy > 0 {
			// A request is in flight: ask again soon, it may be answered
			// long before its hold runs out.
			wait = max(wait, min(time.Duration(busy)*time.Microsecond, max(gap/4, 10*time.Millisecond)))
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: take a turn on %s: %w", host, err)
	}
	return token, wait, nil
}

// ReleaseHostTurn ends the claim token of TakeHostTurn on host: the request
// was answered (or failed) now, and the host's next request may start gap
// later. A claim whose hold ran out (and may have been taken over) is left
// alone.
func (s *Store) ReleaseHostTurn(ctx context.Context, host string, token int64, gap time.Duration) error {
	host = strings.ToLower(host)
	now, args := s.turnClock(4, host, gap.Microseconds(), token)
	err := s.exec(ctx, `UPDATE host_turns SET busy_until_us = 0, last_us = `+now+`, next_us = `+now+` + $2
			WHERE host = $1 AND busy_until_us = $3`, args...)
	if err != nil {
		return fmt.Errorf("store: release a turn on %s: %w", host, err)
	}
	return nil
}

// turnClock returns the SQL of "now" in microseconds and the statement's
// arguments: args and, on SQLite, this process's time as parameter $pos.
func (s *Store) turnClock(pos int, args ...any) (string, []any) {
	if s.dialect.name == "postgres" {
		return `(extract(epoch from clock_timestamp()) * 1000000)::bigint`, args
	}
	return fmt.Sprintf("$%d", pos), append(args, s.now().UnixMicro())
}

// greatest spells GREATEST for the store's database (SQLite's is max).
func (s *Store) greatest(q string) string {
	if s.dialect.name == "postgres" {
		return q
	}
	return strings.ReplaceAll(q, "GREATEST(", "max(")
}
