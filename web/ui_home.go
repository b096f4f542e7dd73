package web

import (
	"fmt"
	"net/http"
	"time"

	"adscan"
)

// dashboardWeeks is how many weeks the dashboard's series show.
const dashboardWeeks = 8

// dashboardView is the data of the dashboard.
type dashboardView struct {
	adscan.Dashboard
	Waiting    int // open, not escalated: what /cases?state=open lists
	SLA        time.Duration
	Categories barChart
	Regions    barChart
	Weekly     weekChart
}

// barChart is a horizontal bar chart drawn as SVG by the template: one
// bar a row, widths in chart units (0–100).
type barChart struct {
	Bars   []bar
	Height int
}

type bar struct {
	Label, URL string
	N          int
	Width, Y   int
}

// weekChart is the weekly series as grouped columns, in SVG units.
type weekChart struct {
	Weeks  []weekColumn
	Width  int
	Height int
}

type weekColumn struct {
	Label                            string
	X                                int
	Created, Confirmed, Dismissed    int
	HCreated, HConfirmed, HDismissed int // bar heights
	YCreated, YConfirmed, YDismissed int // bar tops
}

// showHomePage renders the dashboard: open cases by category and by
// region, cases created and decided per week, the median time to a
// decision, cases past the review SLA, repeat offenders and pages seen
// again after a decision. Each chart has its table beside it.
func (h *handler) showHomePage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.store.Dashboard(r.Context(), h.now(), h.reviewSLA, dashboardWeeks)
	if err != nil {
		return err
	}
	v := dashboardView{Dashboard: d, Waiting: d.Open - d.Escalated, SLA: h.reviewSLA}
	v.Categories = bars(d.OpenByCategory, func(c adscan.Count) (string, string) {
		return categoryNames[adscan.Category(c.Key)], "/cases?state=open&category=" + c.Key
	})
	v.Regions = bars(d.OpenByRegion, func(c adscan.Count) (string, string) {
		if c.Key == "" {
			return "未登记区域", ""
		}
		return c.Key, ""
	})
	v.Weekly = weeks(d.Weeks)
	pd := h.newPageData(r, "总览")
	pd.Page = v
	h.render(w, r, http.StatusOK, "home", pd)
	return nil
}

const barRow = 26 // SVG units a bar row takes

func bars(cs []adscan.Count, label func(adscan.Count) (string, string)) barChart {
	peak := 1
	for _, c := range cs {
		peak = max(peak, c.N)
	}
	var ch barChart
	for i, c := range cs {
		l, u := label(c)
		ch.Bars = append(ch.Bars, bar{Label: l, URL: u, N: c.N, Width: max(1, c.N*100/peak), Y: i * barRow})
	}
	ch.Height = max(barRow, len(cs)*barRow)
	return ch
}

const (
	weekSlot   = 60  // SVG units a week's group of columns takes
	weekHeight = 120 // SVG units of the tallest column
)

func weeks(ws []adscan.WeekCounts) weekChart {
	peak := 1
	for _, w := range ws {
		peak = max(peak, w.Created, w.Confirmed, w.Dismissed)
	}
	ch := weekChart{Width: len(ws) * weekSlot, Height: weekHeight}
	for i, w := range ws {
		ch.Weeks = append(ch.Weeks, weekColumn{
			Label: w.Start.In(consoleZone).Format("01-02"), X: i * weekSlot,
			Created: w.Created, Confirmed: w.Confirmed, Dismissed: w.Dismissed,
			HCreated: w.Created * weekHeight / peak, HConfirmed: w.Confirmed * weekHeight / peak, HDismissed: w.Dismissed * weekHeight / peak,
		})
		c := &ch.Weeks[len(ch.Weeks)-1]
		c.YCreated, c.YConfirmed, c.YDismissed = weekHeight-c.HCreated, weekHeight-c.HConfirmed, weekHeight-c.HDismissed
	}
	return ch
}

// durationName writes a duration for the console: "3 天 4 小时", "5 小时 12 分钟".
func durationName(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "不到 1 分钟"
	case d >= 24*time.Hour && int(d.Hours())%24 == 0:
		return fmt.Sprintf("%d 天", int(d.Hours())/24) // 3 天, not 3 天 0 小时
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d 天 %d 小时", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour && int(d.Minutes())%60 == 0:
		return fmt.Sprintf("%d 小时", int(d.Hours()))
	case d >= time.Hour:
		return fmt.Sprintf("%d 小时 %d 分钟", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d 分钟", int(d.Minutes()))
}
