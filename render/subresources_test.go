package render

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestSubresourcesHoldTheFetchedJSON: the JSON a page's script fetched is
// among the page's subresources with its status, header and body as
// served; the main document is not.
func TestSubresourcesHoldTheFetchedJSON(t *testing.T) {
	p, s, _ := sharedFixture(t)
	pg, err := p.Open(context.Background(), s.URL+"/js")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	subs, err := pg.Subresources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var found *Subresource
	for i, r := range subs.List {
		if r.URL == s.URL+"/js" {
			t.Errorf("the main document is listed as a subresource: %+v", r)
		}
		if r.URL == s.URL+"/data.json" {
			found = &subs.List[i]
		}
	}
	if found == nil {
		t.Fatalf("no /data.json among %d subresources: %+v", len(subs.List), subs.List)
	}
	if string(found.Body) != jsData || found.Status != 200 || found.Type != "Fetch" || found.MIMEType != "application/json" ||
		found.Header.Get("Content-Type") != "application/json" || found.BodyTruncated || found.Redirect || found.Received.IsZero() {
		t.Errorf("/data.json: %+v (body %q)", *found, found.Body)
	}
	total := 0
	for _, r := range subs.List {
		total += r.Size()
	}
	if subs.Bytes != total {
		t.Errorf("Bytes %d, the sizes sum to %d", subs.Bytes, total)
	}
	pg.Close()
	if _, err := pg.Subresources(context.Background()); !errors.Is(err, ErrPageClosed) {
		t.Errorf("Subresources after Close: %v, want ErrPageClosed", err)
	}
}

// TestSubresourcesOfCrossSiteFrames: what a frame of another site loaded
// — its document, its script and the JSON the script fetched — is kept
// with the page, as a same-site frame's is. (With Chromium's site
// isolation the cross-site frame ran in a renderer of its own and none of
// it was seen.)
func TestSubresourcesOfCrossSiteFrames(t *testing.T) {
	ads := newSite(t, map[string]string{
		"/frame":      `<!doctype html><html><body><p>暑期班</p><script src="/frame.js"></script></body></html>`,
		"/frame.js":   `fetch("/frame.json").then(r => r.text()).then(t => { document.body.insertAdjacentHTML("beforeend", "<p>" + t + "</p>"); });`,
		"/frame.json": `{"ad":"数学提前学"}`,
	})
	// localhost is another site than 127.0.0.1 to the browser; the proxy
	// resolves it to the exempt address.
	adsFrame := "http://localhost:" + port(ads.URL) + "/frame"
	s := newSite(t, map[string]string{
		"/page":    `<!doctype html><html><body><p>主页</p><iframe src="` + adsFrame + `"></iframe><iframe src="/same"></iframe></body></html>`,
		"/same":    `<!doctype html><html><body><script src="/same.js"></script></body></html>`,
		"/same.js": `1;`,
	})
	subs := subresourcesOf(t, newTestPool(t, testConfig(t), s, ads), s.URL+"/page")
	got := map[string]Subresource{}
	for _, r := range subs.List {
		got[r.URL] = r
	}
	for _, want := range []struct{ url, typ, body string }{
		{adsFrame, "Document", ""},
		{strings.TrimSuffix(adsFrame, "/frame") + "/frame.js", "Script", ""},
		{strings.TrimSuffix(adsFrame, "/frame") + "/frame.json", "Fetch", `{"ad":"数学提前学"}`},
		{s.URL + "/same", "Document", ""},
		{s.URL + "/same.js", "Script", "1;"},
	} {
		r, ok := got[want.url]
		if !ok || r.Status != 200 || r.Type != want.typ || (want.body != "" && string(r.Body) != want.body) {
			t.Errorf("%s: kept %v, %+v; want a %s of status 200", want.url, ok, r, want.typ)
		}
	}
}

// subresourcesPage fetches a small and a large JSON, a redirected one, a
// data: URL, a POST and a file on another loopback server (refused).
const subresourcesPage = `<!doctype html><html><head><meta charset="utf-8"><title>subs</title>
<link rel="stylesheet" href="/style.css"></head><body><p id="out">加载中</p>
<script>
Promise.allSettled([
	fetch("/a.json").then(r => r.text()),
	fetch("/big.json").then(r => r.text()),
	fetch("/moved.json").then(r => r.text()),
	fetch("data:application/json,{}").then(r => r.text()),
	fetch("/post.json", {method: "POST", body: "x"}).then(r => r.text()),
	fetch("OTHER/secret.json").then(r => r.text()),
]).then(() => { document.getElementById("out").textContent = "完成"; });
</script></body></html>`

// TestSubresourcesBounds: bodies are cut at MaxHTMLBytes and marked;
// data: URLs, POSTs and refused requests are left out; a redirect is kept
// without a body; MaxSubresources and MaxSubresourceBytes hold, and what
// they leave out is counted with the reason.
func TestSubresourcesBounds(t *testing.T) {
	other := newSite(t, map[string]string{"/secret.json": `{"secret":1}`})
	big := strings.Repeat("数", 20000) // 60,000 bytes
	s := newSite(t, map[string]string{
		"/page":      strings.ReplaceAll(subresourcesPage, "OTHER", other.URL),
		"/a.json":    `{"a":1}`,
		"/b.json":    `{"b":2}`,
		"/big.json":  `"` + big + `"`,
		"/post.json": `{"posted":true}`,
		"/style.css": `p { color: red }`,
	})
	s.handle("/moved.json", redirectTo("/b.json"))

	open := func(t *testing.T, cfg Config) *Subresources {
		t.Helper()
		p := newTestPool(t, cfg, s)
		pg, err := p.Open(context.Background(), s.URL+"/page")
		if err != nil {
			t.Fatal(err)
		}
		defer pg.Close()
		if !strings.Contains(pg.Rendered.Text, "完成") {
			t.Fatalf("the page's scripts did not finish: %q", pg.Rendered.Text)
		}
		subs, err := pg.Subresources(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return subs
	}

	t.Run("bodies", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.MaxHTMLBytes = 4096
		subs := open(t, cfg)
		byURL := map[string]Subresource{}
		for _, r := range subs.List {
			if !strings.HasPrefix(r.URL, s.URL+"/") {
				t.Errorf("kept %s (%s)", r.URL, r.Type)
			}
			byURL[strings.TrimPrefix(r.URL, s.URL)] = r
		}
		if r := byURL["/a.json"]; string(r.Body) != `{"a":1}` || r.BodyTruncated {
			t.Errorf("/a.json: %q truncated %v", r.Body, r.BodyTruncated)
		}
		if r := byURL["/big.json"]; len(r.Body) > 4096 || len(r.Body) < 4090 || !r.BodyTruncated || !strings.HasPrefix(big, string(r.Body[1:])) {
			t.Errorf("/big.json: %d bytes, truncated %v", len(r.Body), r.BodyTruncated)
		}
		if r := byURL["/moved.json"]; !r.Redirect || r.Status != http.StatusFound || len(r.Body) != 0 || r.Header.Get("Location") != "/b.json" {
			t.Errorf("/moved.json: %+v", r)
		}
		if r := byURL["/b.json"]; string(r.Body) != `{"b":2}` {
			t.Errorf("/b.json (the redirect's target): %+v", r)
		}
		if r := byURL["/style.css"]; r.Type != "Stylesheet" || string(r.Body) != `p { color: red }` {
			t.Errorf("/style.css: %+v", r)
		}
		if _, ok := byURL["/post.json"]; ok {
			t.Error("the POST's response is kept")
		}
		if subs.Omitted < 1 || !strings.Contains(strings.Join(subs.Why, " "), "GET") {
			t.Errorf("omitted %d: %q, want the POST", subs.Omitted, subs.Why)
		}
		if hits := other.requests(); len(hits) != 0 {
			t.Errorf("the other server was reached: %v", hits)
		}
	})
	t.Run("count", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.MaxSubresources = 2
		subs := open(t, cfg)
		if len(subs.List) != 2 || !strings.Contains(strings.Join(subs.Why, " "), "at most 2 subresources") {
			t.Errorf("kept %d, omitted %d: %q", len(subs.List), subs.Omitted, subs.Why)
		}
		for _, r := range subs.List {
			if !replayFirst(r.Type) {
				t.Errorf("kept %s (%s) before what replay needs", r.URL, r.Type)
			}
		}
	})
	t.Run("bytes", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.MaxSubresourceBytes = 1000
		subs := open(t, cfg)
		sum := 0
		for _, r := range subs.List {
			sum += r.Size()
			if strings.HasSuffix(r.URL, "/big.json") {
				t.Errorf("kept /big.json (%d bytes) under a cap of 1000", len(r.Body))
			}
		}
		if sum > 1000 || sum != subs.Bytes || len(subs.List) == 0 || !strings.Contains(strings.Join(subs.Why, " "), "at most 1000 bytes") {
			t.Errorf("kept %d (%d bytes, Bytes %d), omitted %d: %q", len(subs.List), sum, subs.Bytes, subs.Omitted, subs.Why)
		}
	})
}

// TestTextTakesInFrames: the text of a page's frames — of another site,
// of its own, and a frame within a frame — follows the page's own text,
// each after a blank line, in document order; frames shown at no size
// add nothing; MaxTextBytes bounds the whole and says so.
func TestTextTakesInFrames(t *testing.T) {
	ads := newSite(t, map[string]string{
		"/frame": `<!doctype html><html><body><p>暑假数学提前学</p><iframe src="/inner"></iframe></body></html>`,
		"/inner": `<!doctype html><html><body><p>名额有限</p></body></html>`,
	})
	adsFrame := "http://localhost:" + port(ads.URL) + "/frame"
	s := newSite(t, map[string]string{
		"/page": `<!doctype html><html><body><p>主页</p><iframe src="` + adsFrame + `"></iframe>` +
			`<iframe src="/same"></iframe><iframe src="about:blank"></iframe>` +
			`<iframe src="/hidden" style="display:none"></iframe><iframe src="/hidden" width="0" height="0"></iframe></body></html>`,
		"/same":   `<!doctype html><html><body><p>同站框</p></body></html>`,
		"/hidden": `<!doctype html><html><body><p>隐藏框</p><script>var x = "脚本文字";</script></body></html>`,
	})
	cfg := testConfig(t)
	p := newTestPool(t, cfg, s, ads)
	r, err := p.Render(context.Background(), s.URL+"/page")
	if err != nil {
		t.Fatal(err)
	}
	if want := "主页\n\n暑假数学提前学\n\n名额有限\n\n同站框"; r.Text != want || r.TextTruncated {
		t.Errorf("text %q (truncated %v), want %q", r.Text, r.TextTruncated, want)
	}

	cfg.MaxTextBytes = len("主页\n\n暑假数学")
	p = newTestPool(t, cfg, s, ads)
	if r, err = p.Render(context.Background(), s.URL+"/page"); err != nil {
		t.Fatal(err)
	}
	if r.Text != "主页\n\n暑假数学" || !r.TextTruncated {
		t.Errorf("text %q (truncated %v), want the first frame's cut at MaxTextBytes", r.Text, r.TextTruncated)
	}
}
