package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestSchedules(t *testing.T) {
	h := newHarness(t)
	targets := `"targets":[{"url":"https://a.example/","max_pages":20}]`

	for _, tc := range []struct{ body, want string }{
		{`{` + targets + `}`, "needs a cron expression"},
		{`{"cron":"0 3 * * *","interval":"24h",` + targets + `}`, "both cron and interval"},
		{`{"interval":"daily",` + targets + `}`, `interval "daily" is not a duration`},
		{`{"interval":"10s",` + targets + `}`, "shorter than 1m0s"},
		{`{"cron":"0 3 * * *"}`, "targets is missing"},
		{`{"cron":"0 3 * * *","targets":[{"url":"mailto:x@example.com"}]}`, "targets[0]: target \"mailto:x@example.com\""},
		{`{"cron":"every day",` + targets + `}`, `cron "every day"`}, // refused by the orchestrator
		{`{"cron":"0 3 * * *","interval":86400000000000,` + targets + `}`, `"interval" must be a string`},
	} {
		wantError(t, h.do(request{method: "POST", path: "/api/schedules", user: "regulator", body: tc.body}), http.StatusBadRequest, tc.want)
	}

	w := h.do(request{method: "POST", path: "/api/schedules", user: "regulator",
		body: `{"id":"nightly","cron":"0 3 * * *",` + targets + `,"note":"每晚巡查"}`})
	wantStatus(t, w, http.StatusCreated)
	s := decode[scheduleResponse](t, w)
	if s.ID != "nightly" || s.Cron != "0 3 * * *" || s.TimeZone != "Asia/Shanghai" || s.CreatedBy != "regulator" || len(s.Targets) != 1 {
		t.Fatalf("created %+v", s)
	}
	wantError(t, h.do(request{method: "POST", path: "/api/schedules", user: "regulator",
		body: `{"id":"nightly","cron":"0 3 * * *",` + targets + `}`}), http.StatusConflict, "exists")

	w = h.do(request{method: "POST", path: "/api/schedules", user: "regulator", body: `{"interval":"6h",` + targets + `}`})
	wantStatus(t, w, http.StatusCreated)
	if s := decode[scheduleResponse](t, w); s.Interval != "6h0m0s" {
		t.Errorf("interval %q, want 6h0m0s", s.Interval)
	}

	if list := decode[[]scheduleResponse](t, h.do(request{method: "GET", path: "/api/schedules", user: "viewer"})); len(list) != 2 {
		t.Errorf("list: %+v", list)
	}
	if got := decode[scheduleResponse](t, h.do(request{method: "GET", path: "/api/schedules/nightly", user: "viewer"})); got.ID != "nightly" {
		t.Errorf("get: %+v", got)
	}

	w = h.do(request{method: "POST", path: "/api/schedules/nightly/pause", user: "regulator", body: `{"note":"节假日暂停"}`})
	wantStatus(t, w, http.StatusOK)
	if got := decode[scheduleResponse](t, w); !got.Paused || got.Note != "节假日暂停" {
		t.Errorf("after pause: %+v", got)
	}
	w = h.do(request{method: "POST", path: "/api/schedules/nightly/unpause", user: "regulator"})
	wantStatus(t, w, http.StatusOK)
	if got := decode[scheduleResponse](t, w); got.Paused {
		t.Errorf("after unpause: %+v", got)
	}
	wantError(t, h.do(request{method: "POST", path: "/api/schedules/nightly/pause", user: "regulator", body: `{"reason":"x"}`}),
		http.StatusBadRequest, `unknown field "reason"`)

	wantStatus(t, h.do(request{method: "POST", path: "/api/schedules/nightly/trigger", user: "regulator"}), http.StatusAccepted)
	if len(h.orch.triggered) != 1 || h.orch.triggered[0] != "nightly" {
		t.Errorf("triggered %v", h.orch.triggered)
	}

	wantStatus(t, h.do(request{method: "DELETE", path: "/api/schedules/nightly", user: "regulator"}), http.StatusNoContent)
	for _, rq := range []request{
		{method: "GET", path: "/api/schedules/nightly"},
		{method: "DELETE", path: "/api/schedules/nightly"},
		{method: "POST", path: "/api/schedules/nightly/pause"},
		{method: "POST", path: "/api/schedules/nightly/unpause"},
		{method: "POST", path: "/api/schedules/nightly/trigger"},
	} {
		rq.user = "regulator"
		wantError(t, h.do(rq), http.StatusNotFound, "nightly")
	}
}

func TestTargets(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/targets", user: "regulator",
		body: `{"url":"https://jigou.example.cn/","name":"某培训机构","region":"海淀区","max_pages":100,"licence":"blacklist"}`})
	wantStatus(t, w, http.StatusCreated)
	tg := decode[struct {
		ID, URL, Name, Region string
		MaxPages              int `json:"max_pages"`
	}](t, w)
	if tg.ID == "" || tg.URL != "https://jigou.example.cn/" || tg.Name != "某培训机构" || tg.MaxPages != 100 {
		t.Fatalf("target %+v", tg)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"name":"x"}`, "the target URL is missing"},
		{`{"url":"javascript:alert(1)"}`, "must start with http:// or https://"},
		{`{"url":"https://a.example/","max_depth":-2}`, "max_depth"},
		{`{"url":"https://a.example/","owner":"x"}`, `unknown field "owner"`},
		{`{"url":"http://192.168.1.10/"}`, "private targets are not allowed"},
		{`{"url":"http://localhost:8080/"}`, "loopback host"},
	} {
		wantError(t, h.do(request{method: "POST", path: "/api/targets", user: "regulator", body: tc.body}), http.StatusBadRequest, tc.want)
	}
	// The same site typed another way updates its row, as the CLI's import
	// would: one rule (adscan.ParseTargetURL) puts both in canonical form.
	// An update changes the fields it has and keeps the others.
	w = h.do(request{method: "POST", path: "/api/targets", user: "regulator",
		body: `{"url":" HTTPS://Jigou.Example.cn#top ","name":"某培训机构（更名）"}`})
	wantStatus(t, w, http.StatusOK)
	type row struct {
		URL, Name, Region, Licence string
		MaxPages                   int `json:"max_pages"`
	}
	want := row{URL: "https://jigou.example.cn/", Name: "某培训机构（更名）", Region: "海淀区", Licence: "blacklist", MaxPages: 100}
	if got := decode[row](t, w); got != want {
		t.Errorf("updated target %+v, want %+v", got, want)
	}
	list := decode[[]row](t, h.do(request{method: "GET", path: "/api/targets", user: "viewer"}))
	if len(list) != 1 || list[0] != want {
		t.Errorf("targets %+v", list)
	}
	// Field names in another case are the same fields (as encoding/json
	// reads them): the update changes the region alone.
	w = h.do(request{method: "POST", path: "/api/targets", user: "regulator", body: `{"URL":"https://jigou.example.cn/","Region":"东城区"}`})
	wantStatus(t, w, http.StatusOK)
	want.Region = "东城区"
	if got := decode[row](t, w); got != want {
		t.Errorf("after an update in other-case fields: %+v, want %+v", got, want)
	}
}

func TestUsers(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/users", user: "admin",
		body: `{"name":"zhang.san","role":"reviewer","password":"long enough pw"}`})
	wantStatus(t, w, http.StatusCreated)
	if body := w.Body.String(); !containsAll(body, `"name":"zhang.san"`, `"role":"reviewer"`) || containsAny(body, "password", "$2a$") {
		t.Errorf("created user body %s", body)
	}
	wantError(t, h.do(request{method: "POST", path: "/api/users", user: "admin",
		body: `{"name":"zhang.san","role":"viewer","password":"long enough pw"}`}), http.StatusConflict, "taken")
	if audit := auditActions(t, h); strings.Count(audit, "user.created:admin") != 1 {
		t.Errorf("audit log %q: want one user.created by admin", audit)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"name":"li si","role":"viewer","password":"long enough pw"}`, "user name"},
		{`{"name":"lisi","role":"boss","password":"long enough pw"}`, `role "boss"`},
		{`{"name":"lisi","role":"viewer","password":"short"}`, "too short"},
	} {
		wantError(t, h.do(request{method: "POST", path: "/api/users", user: "admin", body: tc.body}), http.StatusBadRequest, tc.want)
	}
	list := decode[[]struct{ Name string }](t, h.do(request{method: "GET", path: "/api/users", user: "admin"}))
	if len(list) != 5 {
		t.Errorf("users %+v", list)
	}
	// The new user can sign in with Basic credentials.
	r := request{method: "GET", path: "/api/me", header: map[string]string{"Authorization": "Basic " + basic("zhang.san", "long enough pw")}}
	if me := decode[meResponse](t, h.do(r)); me.Role != "reviewer" {
		t.Errorf("me = %+v", me)
	}
}
