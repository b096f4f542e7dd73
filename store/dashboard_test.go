package store

import (
	"context"
	"testing"
	"time"

	"adscan"
)

func TestDashboard(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newStepClock()
		s := openStore(t, b.newDSN(t), WithNow(clock.Now))
		createScan(t, s, "s1")
		createScan(t, s, "s2")
		const other = "https://b.example/"
		_, err := s.UpsertTarget(ctx, adscan.Target{URL: target, Name: "某某教育", Region: "海淀区"})
		must(t, err)
		c1, _ := record(t, s, "s1", target, target+"1", "1", flag(adscan.CategoryRanking, "状元"))
		c2, _ := record(t, s, "s1", target, target+"2", "2", flag(adscan.CategoryRanking, "第一"))
		record(t, s, "s1", target, target+"3", "3", flag(adscan.CategoryLateHours, "21:30"), flag(adscan.CategoryRanking, "榜"))
		c4, _ := record(t, s, "s1", other, other+"4", "4", flag(adscan.CategoryLateHours, "22:00"))
		now := clock.Now()
		decide := func(c adscan.Case, d adscan.Decision, ago time.Duration) {
			t.Helper()
			_, err := s.DecideCase(ctx, c.ID, adscan.CaseDecision{Decision: d, By: "li", Note: "x", DecidedAt: now.Add(ago)})
			must(t, err)
		}
		decide(c1, adscan.DecisionConfirm, 0)
		decide(c2, adscan.DecisionConfirm, 0)
		decide(c4, adscan.DecisionDismiss, 0)
		// The dismissed page is seen again, changed, by a later scan.
		again := capture("s2", other, other+"4", "4 again")
		again.FetchedAt = clock.Now()
		capID, err := s.PutCapture(ctx, again)
		must(t, err)
		_, _, err = s.RecordFindings(ctx, adscan.FindingsInput{ScanID: "s2", Target: other, URL: other + "4", CaptureID: capID,
			Flags: []adscan.Flag{flag(adscan.CategoryLateHours, "22:00")}})
		must(t, err)

		now = clock.Now()
		d, err := s.Dashboard(ctx, now, 0, 4)
		must(t, err)
		if d.Open != 1 || len(d.OpenByCategory) != 2 || len(d.OpenByRegion) != 1 || d.OpenByRegion[0] != (adscan.Count{Key: "海淀区", N: 1}) {
			t.Errorf("open: %d, by category %+v, by region %+v", d.Open, d.OpenByCategory, d.OpenByRegion)
		}
		if d.Overdue != 1 {
			t.Errorf("overdue with a zero SLA: %d, want 1", d.Overdue)
		}
		last := d.Weeks[len(d.Weeks)-1]
		if len(d.Weeks) != 4 || last.Created != 4 || last.Confirmed != 2 || last.Dismissed != 1 || d.Decided != 3 || d.MedianDecision <= 0 {
			t.Errorf("weeks %+v, decided %d, median %s", d.Weeks, d.Decided, d.MedianDecision)
		}
		if len(d.RepeatOffenders) != 1 || d.RepeatOffenders[0] != (adscan.Count{Key: target, Name: "某某教育", N: 2}) {
			t.Errorf("repeat offenders %+v", d.RepeatOffenders)
		}
		if len(d.Reappeared) != 1 || d.Reappeared[0].CaseID != c4.ID || d.Reappeared[0].State != adscan.CaseDismissed {
			t.Errorf("reappeared %+v", d.Reappeared)
		}
		if d, err := s.Dashboard(ctx, now, time.Hour, 4); err != nil || d.Overdue != 0 {
			t.Errorf("overdue with a 1h SLA: %d, %v", d.Overdue, err)
		}
		_, err = s.Dashboard(ctx, now, time.Hour, 0)
		wantCode(t, err, adscan.EINVALID)
	})
}
