package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"adscan"
)

// dashboardZone is where weeks begin: Monday 00:00 China Standard Time.
var dashboardZone = time.FixedZone("CST", 8*3600)

// weekStart returns the Monday 00:00 (CST) of t's week.
func weekStart(t time.Time) time.Time {
	t = t.In(dashboardZone)
	day := (int(t.Weekday()) + 6) % 7 // Monday 0
	return time.Date(t.Year(), t.Month(), t.Day()-day, 0, 0, 0, 0, dashboardZone)
}

// Dashboard sums up the review at now over the last weeks weeks (1 to
// 52; EINVALID otherwise), counting open cases created before now-sla as
// overdue. Every figure is one aggregate query; only the weekly series and
// the median walk rows of the weeks shown.
func (s *Store) Dashboard(ctx context.Context, now time.Time, sla time.Duration, weeks int) (adscan.Dashboard, error) {
	if weeks < 1 || weeks > 52 {
		return adscan.Dashboard{}, adscan.Errorf(adscan.EINVALID, "dashboard: weeks %d is not between 1 and 52", weeks)
	}
	var d adscan.Dashboard
	first := weekStart(now).AddDate(0, 0, -7*(weeks-1))
	for i := range weeks {
		d.Weeks = append(d.Weeks, adscan.WeekCounts{Start: first.AddDate(0, 0, 7*i)})
	}
	week := func(t time.Time) int {
		if t.Before(first) {
			return -1
		}
		i := int(t.Sub(first) / (7 * 24 * time.Hour))
		return min(i, weeks-1)
	}
	open := []any{adscan.CaseOpen, adscan.CaseEscalated}
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		// By category, the open cases alone: the console links each
		// category to its list of open cases, which must show as many.
		if d.OpenByCategory, err = s.openByCategory(ctx, tx, []any{adscan.CaseOpen, adscan.CaseOpen}); err != nil {
			return fmt.Errorf("open by category: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE state = $1`, adscan.CaseEscalated).Scan(&d.Escalated); err != nil {
			return fmt.Errorf("escalated: %w", err)
		}
		if d.OpenByRegion, err = counts(ctx, tx, `
			SELECT COALESCE(t.region, ''), '', SUM(c.n) FROM
				(SELECT target, COUNT(*) AS n FROM cases WHERE state IN ($1, $2) GROUP BY target) c
				LEFT JOIN targets t ON t.url = c.target
			GROUP BY COALESCE(t.region, '') ORDER BY 3 DESC, 1`, open...); err != nil {
			return fmt.Errorf("open by region: %w", err)
		}
		for _, c := range d.OpenByRegion {
			d.Open += c.N
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE state = $1 AND created_at < $2`,
			adscan.CaseOpen, s.timeArg(now.Add(-sla))).Scan(&d.Overdue); err != nil {
			return fmt.Errorf("overdue: %w", err)
		}
		if d.RepeatOffenders, err = counts(ctx, tx, `
			SELECT c.target, COALESCE(MAX(t.name), ''), COUNT(*) FROM cases c LEFT JOIN targets t ON t.url = c.target
			WHERE c.state IN ($1, $2) GROUP BY c.target HAVING COUNT(*) > 1 ORDER BY 3 DESC, 1 LIMIT 10`,
			adscan.CaseConfirmed, adscan.CaseReferred); err != nil {
			return fmt.Errorf("repeat offenders: %w", err)
		}

		// Cases created and decided, by the hour (UTC), put in weeks here.
		hour := s.hourExpr("created_at")
		rows, err := tx.QueryContext(ctx, `SELECT `+hour+`, COUNT(*) FROM cases WHERE created_at >= $1 GROUP BY 1`, s.timeArg(first))
		if err != nil {
			return fmt.Errorf("created per week: %w", err)
		}
		err = eachHour(rows, func(at time.Time, _ string, n int) {
			if i := week(at); i >= 0 {
				d.Weeks[i].Created += n
			}
		})
		if err != nil {
			return fmt.Errorf("created per week: %w", err)
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+s.hourExpr("d.decided_at")+`, d.decision, COUNT(*) FROM decisions d
			WHERE d.decided_at >= $1 GROUP BY 1, 2`, s.timeArg(first))
		if err != nil {
			return fmt.Errorf("decided per week: %w", err)
		}
		err = eachHour(rows, func(at time.Time, dec string, n int) {
			i := week(at)
			switch {
			case i < 0:
			case adscan.Decision(dec) == adscan.DecisionConfirm:
				d.Weeks[i].Confirmed += n
			case adscan.Decision(dec) == adscan.DecisionDismiss:
				d.Weeks[i].Dismissed += n
			}
		})
		if err != nil {
			return fmt.Errorf("decided per week: %w", err)
		}
		// The median time to a decision (confirm or dismiss) of the weeks shown.
		decided := ` FROM decisions d WHERE d.decided_at >= $1 AND d.decision <> $2`
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+decided, s.timeArg(first), adscan.DecisionEscalate).Scan(&d.Decided); err != nil {
			return fmt.Errorf("decisions: %w", err)
		}
		if d.Decided > 0 {
			var mid []float64
			rows, err := tx.QueryContext(ctx, `SELECT d.took_s`+decided+` ORDER BY 1 LIMIT $3 OFFSET $4`,
				s.timeArg(first), adscan.DecisionEscalate, 2-d.Decided%2, (d.Decided-1)/2)
			if err != nil {
				return fmt.Errorf("median decision time: %w", err)
			}
			for rows.Next() {
				var secs float64
				if err := rows.Scan(&secs); err != nil {
					rows.Close()
					return err
				}
				mid = append(mid, secs)
			}
			rows.Close()
			if len(mid) > 0 {
				var sum float64
				for _, m := range mid {
					sum += m
				}
				d.MedianDecision = time.Duration(sum / float64(len(mid)) * float64(time.Second)).Round(time.Second)
			}
		}

		rows, err = tx.QueryContext(ctx, `
			SELECT c.id, c.url, c.state, MAX(g.seen_at) FROM decisions d
			JOIN sightings g ON g.case_id = d.case_id AND g.seen_at > d.decided_at
			JOIN cases c ON c.id = d.case_id
			WHERE d.decision <> $1
			GROUP BY c.id, c.url, c.state ORDER BY 4 DESC, 1 LIMIT 10`, adscan.DecisionEscalate)
		if err != nil {
			return fmt.Errorf("reappeared: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r adscan.Reappearance
			if err := rows.Scan(&r.CaseID, &r.URL, &r.State, timeInto(&r.LastSeen)); err != nil {
				return err
			}
			d.Reappeared = append(d.Reappeared, r)
		}
		return rows.Err()
	})
	if err != nil {
		return adscan.Dashboard{}, fmt.Errorf("store: dashboard: %w", err)
	}
	return d, nil
}

// counts runs a query of (key, name, count) rows.
func counts(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]adscan.Count, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []adscan.Count{}
	for rows.Next() {
		var c adscan.Count
		if err := rows.Scan(&c.Key, &c.Name, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// hourExpr is col (a time column) as its UTC hour, "2006-01-02T15".
func (s *Store) hourExpr(col string) string {
	if s.dialect.name == "postgres" {
		return `to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')`
	}
	return `substr(` + col + `, 1, 13)` // sqliteTime
}

// eachHour reads rows of (hour, [label,] count) as made with hourExpr.
func eachHour(rows *sql.Rows, fn func(at time.Time, label string, n int)) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var h, label string
		var n int
		dest := []any{&h, &n}
		if len(cols) == 3 {
			dest = []any{&h, &label, &n}
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		at, err := time.Parse("2006-01-02T15", h)
		if err != nil {
			return fmt.Errorf("hour %q: %w", h, err)
		}
		fn(at, label, n)
	}
	return rows.Err()
}

// openByCategory counts open cases per category from the cases' category
// bit sets (one GROUP BY over the open cases; a few dozen distinct sets).
func (s *Store) openByCategory(ctx context.Context, tx *sql.Tx, open []any) ([]adscan.Count, error) {
	rows, err := tx.QueryContext(ctx, `SELECT categories, COUNT(*) FROM cases WHERE state IN ($1, $2) GROUP BY categories`, open...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	per := make([]int, len(adscan.Categories))
	for rows.Next() {
		var bits int64
		var n int
		if err := rows.Scan(&bits, &n); err != nil {
			return nil, err
		}
		for i := range adscan.Categories {
			if bits&(1<<i) != 0 {
				per[i] += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []adscan.Count{}
	for i, c := range adscan.Categories {
		if per[i] > 0 {
			out = append(out, adscan.Count{Key: string(c), N: per[i]})
		}
	}
	slices.SortStableFunc(out, func(a, b adscan.Count) int { return b.N - a.N })
	return out, nil
}
