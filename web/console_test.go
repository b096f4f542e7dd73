package web

import (
	"strings"
	"testing"
	"time"

	"adscan"
)

func TestHighlight(t *testing.T) {
	const text = "暑假班火热报名，中考状元来自本校"
	at := func(s string) (int, int) {
		i := strings.Index(text, s)
		return i, i + len(s)
	}
	s1, e1 := at("暑假班")
	s2, e2 := at("中考状元")
	s3, e3 := at("状元来自")
	show := func(segs []segment) string {
		var b strings.Builder
		for _, s := range segs {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		return b.String()
	}
	for name, tc := range map[string]struct {
		spans []span
		want  string
	}{
		"none":        {nil, text},
		"two":         {[]span{{s2, e2, adscan.CategoryRanking}, {s1, e1, adscan.CategoryHolidayTraining}}, "[暑假班]火热报名，[中考状元]来自本校"},
		"overlapping": {[]span{{s2, e2, adscan.CategoryRanking}, {s3, e3, adscan.CategoryEliteAdmission}}, "暑假班火热报名，[中考状元来自]本校"},
		"whole":       {[]span{{0, len(text), adscan.CategoryTutoringAd}}, "[" + text + "]"},
		"bad spans":   {[]span{{-1, 3, ""}, {0, len(text) + 1, ""}, {5, 5, ""}, {1, 3, ""}, {e1, s1, ""}}, text},
	} {
		got := highlight(text, tc.spans)
		if show(got) != tc.want {
			t.Errorf("%s: %s, want %s", name, show(got), tc.want)
		}
	}
	segs := highlight(text, []span{{s2, e2, adscan.CategoryRanking}, {s3, e3, adscan.CategoryEliteAdmission}, {s1, e1, adscan.CategoryHolidayTraining}})
	if segs[0].ID != "ev1" || len(segs[2].Cats) != 2 || segs[2].ID != "ev2" {
		t.Errorf("segments %+v", segs)
	}
}

func TestDurationName(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "不到 1 分钟", 5 * time.Minute: "5 分钟", 3*time.Hour + 12*time.Minute: "3 小时 12 分钟", 76 * time.Hour: "3 天 4 小时",
		72 * time.Hour: "3 天", 24 * time.Hour: "1 天", 6 * time.Hour: "6 小时",
	} {
		if got := durationName(d); got != want {
			t.Errorf("durationName(%s) = %q, want %q", d, got, want)
		}
	}
}
