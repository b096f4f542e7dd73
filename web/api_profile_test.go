package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"adscan"
)

const apiProfile = `name: jiajiao
title: 某家教平台
site: https://jiajiao.example.cn/
render: browser
search:
  urls: ['https://jiajiao.example.cn/search?q={keyword}']
  keywords: [暑假班 数学]
detail:
  follow: ['^/post/[0-9]+$']
`

func profileBodyJSON(t *testing.T, yaml string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{"yaml": yaml})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProfilesAPI(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, apiProfile)})
	wantStatus(t, w, http.StatusCreated)
	p := decode[adscan.PlatformProfile](t, w)
	if p.Name != "jiajiao" || p.Site != "https://jiajiao.example.cn/" || p.Render != adscan.RenderBrowser || p.CreatedBy != "regulator" || len(p.Digest) != 64 {
		t.Errorf("saved %+v", p)
	}
	if loc := w.Header().Get("Location"); loc != "/api/profiles/jiajiao" {
		t.Errorf("Location %q", loc)
	}
	w = h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, apiProfile+"# v2\n")})
	wantStatus(t, w, http.StatusOK)

	other := strings.NewReplacer("name: jiajiao", "name: another", "jiajiao.example.cn", "another.example.cn").Replace(apiProfile)
	wantStatus(t, h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, other)}), http.StatusCreated)

	w = h.do(request{method: "GET", path: "/api/profiles/jiajiao", user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	var shown struct {
		Name string `json:"name"`
		YAML string `json:"yaml"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &shown); err != nil || shown.Name != "jiajiao" || shown.YAML != apiProfile+"# v2\n" {
		t.Errorf("GET profile = %+v, %v", shown, err)
	}
	wantError(t, h.do(request{method: "GET", path: "/api/profiles/nope", user: "viewer"}), http.StatusNotFound, `no platform profile "nope"`)

	w = h.do(request{method: "GET", path: "/api/profiles?limit=1", user: "viewer"})
	wantStatus(t, w, http.StatusOK)
	first := decode[[]adscan.PlatformProfile](t, w)
	if len(first) != 1 || first[0].Name != "another" || w.Header().Get("X-Total-Count") != "2" || w.Header().Get("X-Next-Cursor") == "" {
		t.Fatalf("first page %+v, headers %v", first, w.Header())
	}
	w = h.do(request{method: "GET", path: "/api/profiles?limit=1&after=" + w.Header().Get("X-Next-Cursor"), user: "viewer"})
	second := decode[[]adscan.PlatformProfile](t, w)
	if len(second) != 1 || second[0].Name != "jiajiao" || w.Header().Get("Link") != "" {
		t.Errorf("second page %+v, Link %q", second, w.Header().Get("Link"))
	}
	wantError(t, h.do(request{method: "GET", path: "/api/profiles?after=zzz", user: "viewer"}), http.StatusBadRequest, "not a profiles list cursor")

	wantStatus(t, h.do(request{method: "POST", path: "/api/profiles", user: "reviewer", body: profileBodyJSON(t, apiProfile)}), http.StatusForbidden)
}

func TestSaveProfileBadInput(t *testing.T) {
	h := newHarness(t)
	bad := strings.Replace(apiProfile, "render: browser", "render: always", 1)
	bad = strings.Replace(bad, "keywords: [暑假班 数学]", "keywords: 暑假班", 1)
	w := h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, bad)})
	wantStatus(t, w, http.StatusBadRequest)
	var body profileProblemsBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Problems) != 2 || body.Problems[0].Line != 4 || body.Problems[0].Field != "render" ||
		body.Problems[1].Line != 7 || body.Problems[1].Field != "search.keywords" ||
		!strings.Contains(body.Error, "2 problem(s)") || !strings.Contains(body.Error, "line 4: render") {
		t.Errorf("problems body %s", w.Body.String())
	}
	for _, c := range []struct{ name, body, want string }{
		{"no yaml", `{}`, "yaml is missing"},
		{"unknown field", `{"yaml":"x","name":"y"}`, `unknown field "name"`},
		{"private site", profileBodyJSON(t, strings.ReplaceAll(apiProfile, "https://jiajiao.example.cn", "http://127.0.0.1:8080")), "private targets are not allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: c.body}), http.StatusBadRequest, c.want)
		})
	}
}

// TestScanOfProfileTarget checks that a scan target may name a profile
// instead of a URL, that the scan's target is then the profile's site, and
// that a bad or unregistered one is refused naming the field, as the
// production orchestrator refuses it (400).
func TestScanOfProfileTarget(t *testing.T) {
	h := newHarness(t)
	body := `{"targets":[{"profile":"jiajiao","max_pages":20}]}`
	wantError(t, h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: body}),
		http.StatusBadRequest, "targets[0]: profile jiajiao is not registered")
	if scans := decode[[]adscan.Scan](t, h.do(request{method: "GET", path: "/api/scans", user: "viewer"})); len(scans) != 0 {
		t.Errorf("the refused scan was recorded: %+v", scans)
	}
	wantStatus(t, h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, apiProfile)}), http.StatusCreated)
	w := h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: body})
	wantStatus(t, w, http.StatusAccepted)
	want := adscan.ScanTarget{URL: "https://jiajiao.example.cn/", Profile: "jiajiao", MaxPages: 20, Render: adscan.RenderBrowser}
	if sc := decode[adscan.Scan](t, w); len(sc.Targets) != 1 || sc.Targets[0] != want {
		t.Errorf("scan targets %+v, want %+v", sc.Targets, want)
	}
	wantError(t, h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: `{"targets":[{"profile":"Jia Jiao"}]}`}),
		http.StatusBadRequest, `targets[0]: profile name "Jia Jiao"`)
	wantError(t, h.do(request{method: "POST", path: "/api/schedules", user: "regulator", body: `{"cron":"0 3 * * *","targets":[{"profile":"nope"}]}`}),
		http.StatusBadRequest, "targets[0]: profile nope is not registered")
}

// TestScansPageScansProfile checks the scans page's list of profiles and
// its form, which starts a scan of the profile (regulators only).
func TestScansPageScansProfile(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, apiProfile)}), http.StatusCreated)
	session := h.login("regulator", testPassword)
	doc := htmlPage(t, h.do(request{method: "GET", path: "/scans", cookies: []*http.Cookie{session}}), http.StatusOK)
	row := doc.Find(`table.profile-list tr[data-profile="jiajiao"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "某家教平台") || !strings.Contains(row.Text(), "浏览器渲染") || row.Find("form button").Length() != 1 {
		t.Fatalf("profile row %q", row.Text())
	}
	w := h.postForm(session, "/scans/profile", url.Values{"csrf_token": {h.csrfToken(session)}, "profile": {"jiajiao"}})
	wantStatus(t, w, http.StatusSeeOther)
	scans := decode[[]adscan.Scan](t, h.do(request{method: "GET", path: "/api/scans", user: "viewer"}))
	if len(scans) != 1 || len(scans[0].Targets) != 1 || scans[0].Targets[0].Profile != "jiajiao" || w.Header().Get("Location") != "/scans/"+scans[0].ID {
		t.Errorf("scans %+v, Location %q", scans, w.Header().Get("Location"))
	}
	w = h.postForm(session, "/scans/profile", url.Values{"csrf_token": {h.csrfToken(session)}, "profile": {"Bad Name"}})
	wantStatus(t, w, http.StatusBadRequest)
	w = h.postForm(session, "/scans/profile", url.Values{"csrf_token": {h.csrfToken(session)}, "profile": {"gone"}})
	wantStatus(t, w, http.StatusBadRequest)
	if !strings.Contains(w.Body.String(), "平台方案“gone”尚未登记") {
		t.Errorf("an unregistered profile's page does not say so:\n%s", w.Body.String())
	}

	viewer := h.login("viewer", testPassword)
	doc = htmlPage(t, h.do(request{method: "GET", path: "/scans", cookies: []*http.Cookie{viewer}}), http.StatusOK)
	if doc.Find(`table.profile-list tr[data-profile="jiajiao"]`).Length() != 1 || doc.Find(`form[action="/scans/profile"]`).Length() != 0 {
		t.Errorf("a viewer sees the profile without the scan form")
	}
}

// TestScheduleOfProfile checks that a schedule of a profile keeps the
// profile (each run resolves it) and that the schedules page names it.
func TestScheduleOfProfile(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.do(request{method: "POST", path: "/api/profiles", user: "regulator", body: profileBodyJSON(t, apiProfile)}), http.StatusCreated)
	w := h.do(request{method: "POST", path: "/api/schedules", user: "regulator",
		body: `{"id":"jiajiao-nightly","cron":"0 2 * * *","targets":[{"profile":"jiajiao","max_pages":50}]}`})
	wantStatus(t, w, http.StatusCreated)
	s := decode[adscan.Schedule](t, w)
	if len(s.Targets) != 1 || s.Targets[0] != (adscan.ScanTarget{Profile: "jiajiao", MaxPages: 50}) {
		t.Errorf("schedule targets %+v, want the profile alone", s.Targets)
	}
	doc := htmlPage(t, h.do(request{method: "GET", path: "/schedules", user: "viewer"}), http.StatusOK)
	if got := doc.Find(`tr[data-schedule="jiajiao-nightly"] li.profile`).Text(); got != "平台方案 jiajiao" {
		t.Errorf("the schedules page shows the target as %q", got)
	}
}
