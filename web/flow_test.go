package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestBrowserFlow signs in over real HTTP with a cookie jar, as a browser
// would: the login cookie's path, the redirect and the session cookie must
// all work together.
func TestBrowserFlow(t *testing.T) {
	h := newHarness(t)
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	// A console page without a session lands on the login form.
	resp, body := get("/")
	if resp.Request.URL.Path != "/login" || !strings.Contains(body, "用户名") {
		t.Fatalf("GET / ended at %s", resp.Request.URL)
	}
	token := csrfFromPage(t, body)
	resp, err := client.PostForm(ts.URL+"/login", url.Values{
		"username": {"reviewer"}, "password": {testPassword}, "csrf_token": {token}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/" || !strings.Contains(string(b), "reviewer（审核员）") || !strings.Contains(string(b), "总览") {
		t.Fatalf("after login: %s %d\n%s", resp.Request.URL, resp.StatusCode, b)
	}

	_, body = get("/api/me")
	var me meResponse
	if err := json.Unmarshal([]byte(body), &me); err != nil || me.Name != "reviewer" || me.CSRFToken == "" {
		t.Fatalf("/api/me: %s", body)
	}
	c := h.seedCase("s1", "https://a.example/", "https://a.example/p", "暑假奥数班", "holiday_training")
	req, _ := http.NewRequest("POST", ts.URL+"/api/cases/"+c.ID+"/decision", strings.NewReader(`{"decision":"dismiss","note":"误报"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", me.CSRFToken)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("decision with session: %d", resp.StatusCode)
	}
}
