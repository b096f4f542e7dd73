package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"adscan"
)

// TakeHostTurn reserves the next request slot on host for a crawl whose
// delay on it is gap, and returns how long to wait until the slot starts.
// Slots are granted in one atomic statement so that, across every process
// sharing the database, two consecutive request starts on a host are at
// least the larger of their crawls' gaps apart. On PostgreSQL the slots
// are reckoned on the database's clock, so workers' clocks need not agree;
// on SQLite (one machine) on this process's.
//
// It implements crawler.HostGate (through crawler.HostGateFunc). EINVALID
// for an empty host or a gap that is not positive.
func (s *Store) TakeHostTurn(ctx context.Context, host string, gap time.Duration) (time.Duration, error) {
	host = strings.ToLower(host)
	if host == "" || gap <= 0 {
		return 0, adscan.Errorf(adscan.EINVALID, "store: a host turn needs a host and a positive gap (got %q, %v)", host, gap)
	}
	gapUS := gap.Microseconds()
	// slot = the latest of now, the last grant's end, the last start + gap.
	const slot = `GREATEST(excluded.last_us, host_turns.next_us, host_turns.last_us + $2)`
	q := `INSERT INTO host_turns (host, last_us, next_us) VALUES ($1, $3, $3 + $2)
		ON CONFLICT (host) DO UPDATE SET last_us = ` + slot + `, next_us = ` + slot + ` + $2
		RETURNING last_us - $3`
	args := []any{host, gapUS}
	if s.dialect.name == "postgres" {
		q = strings.ReplaceAll(q, "$3", `(extract(epoch from clock_timestamp()) * 1000000)::bigint`)
	} else {
		q = strings.ReplaceAll(q, "GREATEST(", "max(")
		args = append(args, s.now().UnixMicro())
	}
	var waitUS int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, q, args...).Scan(&waitUS)
	})
	if err != nil {
		return 0, fmt.Errorf("store: take a turn on %s: %w", host, err)
	}
	return time.Duration(max(waitUS, 0)) * time.Microsecond, nil
}
