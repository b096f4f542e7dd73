package web

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"adscan"
)

func TestCreateScan(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/scans", user: "regulator",
		body: `{"targets":[{"url":"https://jigou.example.cn/","max_pages":50,"max_depth":3}]}`})
	wantStatus(t, w, http.StatusAccepted)
	scan := decode[adscan.Scan](t, w)
	if scan.ID == "" || scan.Status != adscan.ScanRunning || scan.CreatedBy != "regulator" {
		t.Fatalf("scan = %+v", scan)
	}
	if got := w.Header().Get("Location"); got != "/api/scans/"+scan.ID {
		t.Errorf("Location %q", got)
	}
	if len(scan.Targets) != 1 || scan.Targets[0].MaxPages != 50 || scan.Targets[0].MaxDepth != 3 {
		t.Errorf("targets = %+v", scan.Targets)
	}

	got := decode[adscan.Scan](t, h.do(request{method: "GET", path: "/api/scans/" + scan.ID, user: "viewer"}))
	if got.ID != scan.ID || got.Status != adscan.ScanRunning {
		t.Errorf("GET scan = %+v", got)
	}
	list := decode[[]adscan.Scan](t, h.do(request{method: "GET", path: "/api/scans", user: "viewer"}))
	if len(list) != 1 || list[0].ID != scan.ID {
		t.Errorf("list = %+v", list)
	}
	wantError(t, h.do(request{method: "GET", path: "/api/scans/nope", user: "viewer"}), http.StatusNotFound, "nope")
	wantError(t, h.do(request{method: "GET", path: "/api/scans?limit=abc", user: "viewer"}), http.StatusBadRequest, "limit")
}

func TestCreateScanBadInput(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name, body, want string
		header           map[string]string
	}{
		{"not JSON", `{"targets":`, "truncated JSON", nil},
		{"syntax", `{"targets":[}`, "not valid JSON", nil},
		{"empty body", ``, "empty", nil},
		{"unknown field", `{"targets":[{"url":"https://a.example/"}],"priority":1}`, `unknown field "priority"`, nil},
		{"wrong type", `{"targets":[{"url":"https://a.example/","max_pages":"many"}]}`, `"targets.max_pages" must be a whole number`, nil},
		{"targets not a list", `{"targets":"https://a.example/"}`, `"targets" must be an array`, nil},
		{"missing targets", `{}`, "targets is missing", nil},
		{"empty targets", `{"targets":[]}`, "targets is missing", nil},
		{"no url", `{"targets":[{"max_pages":5}]}`, "targets[0]: the target URL is missing", nil},
		{"ftp url", `{"targets":[{"url":"https://a.example/"},{"url":"ftp://b.example/"}]}`, `targets[1]: target "ftp://b.example/": the URL must start with http:// or https://`, nil},
		{"mailto url", `{"targets":[{"url":"mailto:ban@jigou.example.cn"}]}`, "must start with http:// or https://", nil},
		{"bad url", `{"targets":[{"url":"http://a b/%zz"}]}`, "is not a URL", nil},
		{"no host", `{"targets":[{"url":"http:///path"}]}`, "has no host", nil},
		{"negative limit", `{"targets":[{"url":"https://a.example/","max_pages":-1}]}`, "max_pages and max_depth must be 0 (the default) or more", nil},
		{"two values", `{"targets":[{"url":"https://a.example/"}]} {}`, "more than one JSON value", nil},
		{"a second object", `{"targets":[{"url":"https://a.example/"}]}{"targets":[{"url":"https://b.example/"}]}`, "more than one JSON value", nil},
		{"fractional limit", `{"targets":[{"url":"https://a.example/","max_pages":1.5}]}`, `"targets.max_pages" must be a whole number`, nil},
		{"invalid UTF-8", "{\"targets\":[{\"url\":\"https://a.example/\",\"name\":\"\xff\xfe\"}]}", "not valid UTF-8", nil},
		{"not an object", `[1,2]`, "must be an object", nil},
		{"form post", `targets=x`, "must be application/json", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{"private address", `{"targets":[{"url":"http://127.0.0.1/"}]}`, "private targets are not allowed", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			rq := request{method: "POST", path: "/api/scans", user: "regulator", body: body, header: tc.header}
			if body == "" {
				rq.header = map[string]string{"Content-Type": "application/json"}
			}
			wantError(t, h.do(rq), http.StatusBadRequest, tc.want)
		})
	}
	oversize := `{"targets":[{"url":"https://a.example/` + strings.Repeat("a", maxBodyBytes) + `"}]}`
	wantError(t, h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: oversize}),
		http.StatusRequestEntityTooLarge, "exceeds 1048576 bytes")
	if list := decode[[]adscan.Scan](t, h.do(request{method: "GET", path: "/api/scans", user: "viewer"})); len(list) != 0 {
		t.Errorf("bad requests made scans: %+v", list)
	}
}

func TestOrchestratorErrorsMapToStatus(t *testing.T) {
	h := newHarness(t)
	body := `{"targets":[{"url":"https://a.example/"}]}`
	h.orch.err = adscan.Errorf(adscan.EUNAVAILABLE, "Temporal at 127.0.0.1:7233 cannot be reached")
	wantError(t, h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: body}),
		http.StatusServiceUnavailable, "cannot be reached")

	h.orch.err = errors.New("workflows: start scan: dial tcp 10.1.2.3:7233: secret internals")
	w := h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: body})
	wantError(t, w, http.StatusInternalServerError, "internal error")
	if strings.Contains(w.Body.String(), "secret") {
		t.Errorf("500 body leaks the error: %s", w.Body)
	}
	if !strings.Contains(h.logs.String(), "secret internals") {
		t.Errorf("the real error was not logged: %s", h.logs)
	}
}

func TestErrorStatusMapping(t *testing.T) {
	for code, want := range map[string]int{
		adscan.EINVALID: 400, adscan.ETOOLARGE: 413, adscan.EUNAUTHORIZED: 401, adscan.EFORBIDDEN: 403, adscan.ENOTFOUND: 404,
		adscan.ECONFLICT: 409, adscan.EUNAVAILABLE: 503, adscan.EINTERNAL: 500, "something else": 500,
	} {
		if got := errorStatus(code); got != want {
			t.Errorf("errorStatus(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestUnknownAPIRouteIsJSON404(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.do(request{method: "GET", path: "/api/nothing", user: "viewer"}), http.StatusNotFound, "no API route")
}

// A known API path asked with a method it does not take is a 405 naming
// the methods it does (and an Allow header), in JSON like every API error.
func TestWrongMethodIsJSON405(t *testing.T) {
	h := newHarness(t)
	for path, allow := range map[string]string{"/api/cases": "GET", "/api/users/viewer": "PATCH", "/api/scans": "GET, POST"} {
		w := h.do(request{method: "PUT", path: path, user: "admin"})
		wantError(t, w, http.StatusMethodNotAllowed, "this route takes "+allow)
		if got := w.Header().Get("Allow"); got != allow {
			t.Errorf("PUT %s: Allow %q, want %q", path, got, allow)
		}
	}
}

// A request from another site is refused in JSON under /api/.
func TestCrossOriginRefusalIsJSON(t *testing.T) {
	h := newHarness(t)
	w := h.do(request{method: "POST", path: "/api/scans", user: "regulator", body: `{"targets":[{"url":"https://a.example/"}]}`,
		header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}})
	wantError(t, w, http.StatusForbidden, "cross-origin request refused")
}
