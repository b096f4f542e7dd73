package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"adscan"
)

func TestSchedulesPage(t *testing.T) {
	h := newHarness(t)
	tg, err := h.store.UpsertTarget(t.Context(), adscan.Target{URL: "https://a.example/", Name: "甲机构", MaxPages: 30})
	if err != nil {
		t.Fatal(err)
	}
	session := h.login("regulator", testPassword)
	token := h.csrfToken(session)
	post := func(path string, form url.Values) *httptest.ResponseRecorder {
		form.Set("csrf_token", token)
		return h.postForm(session, path, form)
	}
	w := post("/schedules", url.Values{"id": {"nightly"}, "cron": {"0 3 * * *"}, "time_zone": {"Asia/Shanghai"},
		"target": {tg.ID}, "urls": {"https://b.example/\n"}, "note": {"区教育局"}})
	wantStatus(t, w, http.StatusSeeOther)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/schedules", user: "viewer"}), http.StatusOK)
	row := doc.Find(`tr[data-schedule="nightly"]`)
	if !strings.Contains(row.Text(), "https://a.example/") || !strings.Contains(row.Text(), "https://b.example/") || !strings.Contains(row.Text(), "区教育局") {
		t.Errorf("schedule row: %q", row.Text())
	}
	if doc.Find("form[action='/schedules']").Length() != 0 {
		t.Errorf("a viewer gets the schedule forms")
	}
	s, err := h.orch.GetSchedule(t.Context(), "nightly")
	if err != nil || len(s.Targets) != 2 || s.Targets[0].MaxPages != 30 || s.CreatedBy != "regulator" {
		t.Errorf("schedule %+v, %v", s, err)
	}

	// Bad input shows the form again with the reason; nothing is made.
	doc = htmlPage(t, post("/schedules", url.Values{"id": {"bad"}, "interval": {"10s"}, "urls": {"https://c.example/"}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "太短") || doc.Find("input[name=id]").AttrOr("value", "") != "bad" {
		t.Errorf("short interval: %q", doc.Find(".error").Text())
	}
	// Cron and interval both filled in: refused, not one silently dropped.
	doc = htmlPage(t, post("/schedules", url.Values{"id": {"both"}, "cron": {"0 3 * * *"}, "interval": {"24h"}, "target": {tg.ID}}), http.StatusBadRequest)
	if !strings.Contains(doc.Find(".error").Text(), "只能填写一个") {
		t.Errorf("cron and interval: %q", doc.Find(".error").Text())
	}
	if _, checked := doc.Find(`input[name=target][value="` + tg.ID + `"]`).Attr("checked"); !checked {
		t.Error("after a refused form the ticked target is no longer ticked")
	}
	htmlPage(t, post("/schedules", url.Values{"id": {"none"}, "cron": {"0 3 * * *"}}), http.StatusBadRequest)
	// A cron number out of range, or seconds first (seven fields), is
	// refused in 简体中文 before Temporal sees it.
	for cron, want := range map[string]string{"61 3 * * *": "“分”段的 61 超出范围", "0 3 * * * * *": "有 7 段，应为 5 段"} {
		doc = htmlPage(t, post("/schedules", url.Values{"id": {"c"}, "cron": {cron}, "target": {tg.ID}}), http.StatusBadRequest)
		if !strings.Contains(doc.Find(".error").Text(), want) {
			t.Errorf("cron %q: %q, want %q", cron, doc.Find(".error").Text(), want)
		}
	}

	wantStatus(t, post("/schedules/nightly/pause", url.Values{"note": {"春节暂停"}}), http.StatusSeeOther)
	if s, _ := h.orch.GetSchedule(t.Context(), "nightly"); !s.Paused {
		t.Errorf("not paused")
	}
	wantStatus(t, post("/schedules/nightly/trigger", url.Values{}), http.StatusSeeOther)
	wantStatus(t, post("/schedules/nightly/delete", url.Values{}), http.StatusSeeOther)
	htmlPage(t, post("/schedules/nightly/pause", url.Values{}), http.StatusNotFound)
	htmlPage(t, post("/schedules/other/explode", url.Values{}), http.StatusNotFound)
}
