package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"adscan"
)

// TestQueueQueryUsesIndexes: the queue's queries use the indexes made
// for them — a state's page walks cases (state, created_at, id) in order
// and stops; a category's page starts from findings (category, case_id) —
// on both databases, with statistics as a live database has them.
func TestQueueQueryUsesIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 3,000 cases")
	}
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		must(t, s.SeedSynthetic(ctx, SyntheticSpec{Targets: 50, Cases: 3000, Now: time.Now(), Seed: 1}))
		plan := func(f adscan.CaseFilter) string {
			t.Helper()
			q, args := s.listQuery(f)
			explain := "EXPLAIN QUERY PLAN "
			if s.dialect.name == "postgres" {
				explain = "EXPLAIN "
			}
			rows, err := s.db.QueryContext(ctx, explain+q, args...)
			must(t, err)
			defer rows.Close()
			cols, err := rows.Columns()
			must(t, err)
			var out strings.Builder
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				must(t, rows.Scan(ptrs...))
				for _, v := range vals {
					switch v := v.(type) {
					case string:
						out.WriteString(v + " ")
					case []byte:
						out.WriteString(string(v) + " ")
					}
				}
				out.WriteString("\n")
			}
			must(t, rows.Err())
			return out.String()
		}
		// The queue's first page of a state walks the index in order and stops.
		p := plan(adscan.CaseFilter{State: adscan.CaseOpen, Limit: 51})
		if !strings.Contains(p, "cases_state_created") || strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "Sort") {
			t.Errorf("a state's page does not walk cases (state, created_at, id):\n%s", p)
		}
		// With a category, the planner starts from the category's findings.
		p = plan(adscan.CaseFilter{State: adscan.CaseOpen, Category: adscan.CategoryRanking, Search: "状元", Limit: 51})
		if !strings.Contains(p, "findings_category") {
			t.Errorf("a category's page does not use findings (category, case_id):\n%s", p)
		}
	})
}

// TestSyntheticDecisionsArePast: the demo's decisions happen after their
// case and not after the spec's Now (a case of the last days was decided
// days ahead, which skewed the dashboard's time to decision).
func TestSyntheticDecisionsArePast(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "file:"+filepath.Join(t.TempDir(), "demo.db"))
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	must(t, s.SeedSynthetic(ctx, SyntheticSpec{Targets: 20, Cases: 2000, Now: now, Seed: 3}))
	var future, before, all int
	must(t, s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN d.decided_at > $1 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN d.decided_at < c.created_at THEN 1 ELSE 0 END), 0), COUNT(*)
		FROM decisions d JOIN cases c ON c.id = d.case_id`, s.timeArg(now)).Scan(&future, &before, &all))
	if all == 0 || future != 0 || before != 0 {
		t.Errorf("%d decisions: %d after now, %d before their case", all, future, before)
	}
}
