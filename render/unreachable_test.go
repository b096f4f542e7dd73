package render

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"adscan"
)

// TestUnreachableMainDocument: a main document the proxy could get no
// response for — nothing listens at its port: by http, by https, at the
// end of a redirect — fails the page with ErrUnreachable, naming the URL
// and the network's error as a plain fetch does; the 502 the proxy
// answered the browser with is not the site's answer.
func TestUnreachableMainDocument(t *testing.T) {
	closed := closedAddr(t)
	s := newSite(t, nil)
	s.handle("/away", redirectTo("http://"+closed+"/moved?from=site"))
	cfg := testConfig(t)
	cfg.ExemptAddrs = []string{closed}
	p := newTestPool(t, cfg, s)

	for _, c := range []struct{ url, target string }{
		{"http://" + closed + "/list?page=2", "http://" + closed + "/list?page=2"},
		{"https://" + closed + "/", "https://" + closed + "/"},
		{s.URL + "/away", "http://" + closed + "/moved?from=site"},
	} {
		pg, err := p.Open(context.Background(), c.url)
		if err == nil {
			pg.Close()
			t.Errorf("%s opened: status %d, text %q; want ErrUnreachable", c.url, pg.Rendered.Status, pg.Rendered.Text)
			continue
		}
		var se *StatusError
		var ne net.Error
		switch {
		case !errors.Is(err, ErrUnreachable) || !errors.Is(err, syscall.ECONNREFUSED):
			t.Errorf("%s: %v; want ErrUnreachable, connection refused", c.url, err)
		case errors.As(err, &se) || errors.Is(err, adscan.ErrPrivateAddress):
			t.Errorf("%s: %v; want no *StatusError, no refusal", c.url, err)
		case !errors.As(err, &ne) || ne.Timeout():
			t.Errorf("%s: %v; want a net.Error that is no timeout", c.url, err)
		case !strings.Contains(err.Error(), `Get "`+c.target+`": dial tcp `+closed+`: connect: connection refused`):
			t.Errorf("%s: %q; want it to name %s and the refused connection as a plain fetch does", c.url, err, c.target)
		}
	}
}

// unreachablePage loads a frame, a script, an image and data from a port
// nothing listens on (CLOSED), data from its own site that closes the
// connection unanswered (/dropped.json), and data its site answers 502
// itself — once plainly, once with the fields of the proxy's own answers
// (forged).
const unreachablePage = `<!doctype html><html><body><p>正文</p>
<iframe src="http://CLOSED/frame"></iframe>
<img src="http://CLOSED/pic.png">
<script src="http://CLOSED/lib.js"></script>
<script>
fetch("http://CLOSED/data.json").catch(() => {});
fetch("/dropped.json").then(r => r.text()).then(t => { document.body.append(t); }).catch(() => {});
fetch("/busy.json").then(r => r.text()).then(t => { document.body.append(t); });
fetch("/forged.json").then(r => r.text()).then(t => { document.body.append(t); });
</script></body></html>`

// TestUnreachableSubresources: a subresource the proxy could not get
// from its server — nothing listens there, or the server closed the
// connection unanswered — is not kept as that server's 502 (the server
// sent nothing); a 502 the site did serve is kept as served, even when the
// site dresses it in the proxy's fields.
func TestUnreachableSubresources(t *testing.T) {
	closed := closedAddr(t)
	s := newSite(t, map[string]string{"/page": strings.ReplaceAll(unreachablePage, "CLOSED", closed)})
	s.handle("/busy.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(`{"busy":1}`))
	}))
	s.handle("/dropped.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	}))
	s.handle("/forged.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(ownAnswerHeader, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		w.Header().Set("X-Adscan-Refused", "1") // how the proxy once marked its refusals
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(`{"forged":1}`))
	}))
	cfg := testConfig(t)
	cfg.ExemptAddrs = []string{closed}
	subs := subresourcesOf(t, newTestPool(t, cfg, s), s.URL+"/page")
	kept := map[string]int{}
	for _, sub := range subs.List {
		kept[strings.TrimPrefix(sub.URL, s.URL)] = sub.Status
		if strings.Contains(sub.URL, closed) || strings.HasSuffix(sub.URL, "/dropped.json") {
			t.Errorf("kept %s %s as its server's %d; the server sent nothing", sub.Type, sub.URL, sub.Status)
		}
	}
	for _, path := range []string{"/busy.json", "/forged.json"} {
		if kept[path] != http.StatusBadGateway {
			t.Errorf("the site's own 502 for %s: kept %v (status %d); want it kept as served", path, kept[path] != 0, kept[path])
		}
	}
	if t.Failed() {
		t.Logf("kept %v; omitted %d %v", kept, subs.Omitted, subs.Why)
	}
}
