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
		if d.OpenByCategory, err = counts(ctx, tx, `
			SELECT f.category, '', COUNT(DISTINCT c.id) FROM cases c JOIN findings f ON f.case_id = c.id
			WHERE c.state IN ($1, $2) GROUP BY f.category ORDER BY 3 DESC, 1`, open...); err != nil {
			return fmt.Errorf("open by category: %w", err)
		}
		if d.OpenByRegion, err = counts(ctx, tx, `
			SELECT COALESCE(t.region, ''), '', COUNT(*) FROM cases c LEFT JOIN targets t ON t.url = c.target
			WHERE c.state IN ($1, $2) GROUP BY COALESCE(t.region, '') ORDER BY 3 DESC, 1`, open...); err != nil {
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

		rows, err := tx.QueryContext(ctx, `SELECT created_at FROM cases WHERE created_at >= $1`, s.timeArg(first))
		if err != nil {
			return fmt.Errorf("created per week: %w", err)
		}
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(timeInto(&at)); err != nil {
				rows.Close()
				return err
			}
			if i := week(at); i >= 0 {
				d.Weeks[i].Created++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = tx.QueryContext(ctx, `
			SELECT d.decision, d.decided_at, c.created_at FROM decisions d JOIN cases c ON c.id = d.case_id
			WHERE d.decided_at >= $1`, s.timeArg(first))
		if err != nil {
			return fmt.Errorf("decided per week: %w", err)
		}
		var took []time.Duration
		for rows.Next() {
			var dec adscan.Decision
			var at, created time.Time
			if err := rows.Scan(&dec, timeInto(&at), timeInto(&created)); err != nil {
				rows.Close()
				return err
			}
			i := week(at)
			if i < 0 {
				continue
			}
			switch dec {
			case adscan.DecisionConfirm:
				d.Weeks[i].Confirmed++
			case adscan.DecisionDismiss:
				d.Weeks[i].Dismissed++
			}
			if dec != adscan.DecisionEscalate {
				took = append(took, at.Sub(created))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		d.Decided = len(took)
		if len(took) > 0 {
			slices.Sort(took)
			d.MedianDecision = took[len(took)/2]
			if len(took)%2 == 0 {
				d.MedianDecision = (took[len(took)/2-1] + took[len(took)/2]) / 2
			}
		}

		rows, err = tx.QueryContext(ctx, `
			SELECT c.id, c.url, c.state, MAX(g.seen_at) FROM cases c
			JOIN sightings g ON g.case_id = c.id
			WHERE g.seen_at > (SELECT MIN(d.decided_at) FROM decisions d WHERE d.case_id = c.id AND d.decision <> $1)
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
