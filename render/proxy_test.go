package render

import (
	"adscan/netguard"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"adscan"
)

// startTestProxy starts a proxy that lets exempt through and refuses every
// other private address.
func startTestProxy(t *testing.T, exempt ...string) *proxy {
	t.Helper()
	ex := map[string]bool{}
	for _, a := range exempt {
		ex[a] = true
	}
	p, err := startProxy(netguard.Dialer(2*time.Second, false, ex, ""), 2*time.Second, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// proxyClient is an HTTP client that sends everything through p.
func proxyClient(p *proxy) *http.Client {
	pu, _ := url.Parse(p.URL())
	return &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		Timeout:   5 * time.Second,
	}
}

func TestProxyForwardsToAllowedAddress(t *testing.T) {
	s := newSite(t, map[string]string{"/": "hello"})
	p := startTestProxy(t, s.hostPort())
	resp, err := proxyClient(p).Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if refused, _ := p.Refused(); len(refused) != 0 {
		t.Errorf("refused %v", refused)
	}
}

func TestProxyTunnelsToAllowedAddress(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secure") }))
	defer s.Close()
	p := startTestProxy(t, strings.TrimPrefix(s.URL, "https://"))
	resp, err := proxyClient(p).Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "secure" {
		t.Errorf("got %q through the tunnel", body)
	}
}

// TestProxyRefusesPrivateAddresses: loopback (by address and by name, so
// the name is resolved in the proxy), cloud metadata and private ranges are
// refused for plain requests and tunnels alike, recorded, and never reached.
func TestProxyRefusesPrivateAddresses(t *testing.T) {
	allowed := newSite(t, map[string]string{"/": "ok"})
	other := newSite(t, map[string]string{"/": "secret"})
	tlsOther := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the refused TLS server got %s", r.URL)
	}))
	defer tlsOther.Close()
	p := startTestProxy(t, allowed.hostPort())
	client := proxyClient(p)
	port := other.URL[strings.LastIndex(other.URL, ":")+1:]
	cases := []struct{ url, reason string }{
		{other.URL + "/", "loopback"},
		{"http://localhost:" + port + "/", "loopback"},
		{"http://169.254.169.254/latest/meta-data/", "metadata"},
		{"http://10.1.2.3/", "private"},
		{"http://[::1]:" + port + "/", "loopback"},
		{tlsOther.URL + "/", "loopback"},
	}
	for _, c := range cases {
		resp, err := client.Get(c.url)
		if err == nil {
			resp.Body.Close()
			a, own := p.Answered(resp.Header.Get(ownAnswerHeader), c.url)
			if resp.StatusCode != http.StatusForbidden || !own || !errors.Is(a.Err, adscan.ErrPrivateAddress) {
				t.Errorf("GET %s through the proxy: %d (the proxy's own answer: %v, %v), want the proxy's 403", c.url, resp.StatusCode, own, a.Err)
			}
		} // a refused CONNECT is an error of the client
	}
	refused, more := p.Refused()
	if len(refused) != len(cases) || more != 0 {
		t.Fatalf("refused %d (+%d): %v", len(refused), more, refused)
	}
	for i, c := range cases {
		if !strings.Contains(refused[i].Reason, c.reason) {
			t.Errorf("refusal %d %s, want reason %q", i, refused[i], c.reason)
		}
	}
	if refused[5].Method != http.MethodConnect || refused[5].URL != strings.TrimPrefix(tlsOther.URL, "https://") {
		t.Errorf("tunnel refusal %+v", refused[5])
	}
	if hits := other.requests(); len(hits) != 0 {
		t.Errorf("the refused server was reached: %v", hits)
	}
}

func TestProxyAllowsPrivateWhenAsked(t *testing.T) {
	s := newSite(t, map[string]string{"/": "intranet"})
	p, err := startProxy(netguard.Dialer(2*time.Second, true, nil, ""), 2*time.Second, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := proxyClient(p).Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("with private addresses allowed: %d", resp.StatusCode)
	}
}

// TestBrowserProxyForwardsNothing: the proxy of the browser's own requests
// (component updates, network time) answers them all with 403, resolving
// and reaching nothing.
func TestBrowserProxyForwardsNothing(t *testing.T) {
	s := newSite(t, map[string]string{"/": "ok"})
	p, err := startProxy(nil, time.Second, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	client := proxyClient(p)
	resp, err := client.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET through the browser's proxy: %d, want 403", resp.StatusCode)
	}
	if _, err := client.Get("https://update.googleapis.com/service/update2/json"); err == nil {
		t.Error("CONNECT through the browser's proxy succeeded")
	}
	if hits := s.requests(); len(hits) != 0 {
		t.Errorf("the site was reached: %v", hits)
	}
}

func TestProxyRejectsOriginFormRequests(t *testing.T) {
	p := startTestProxy(t)
	resp, err := http.Get(p.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("origin-form request: %d, want 400", resp.StatusCode)
	}
}

func TestGuardedDialerChecksAfterResolution(t *testing.T) {
	d := netguard.Dialer(time.Second, false, nil, "")
	_, err := d.Dial("tcp", "localhost:9")
	if !errors.Is(err, adscan.ErrPrivateAddress) {
		t.Errorf("dial localhost: %v, want adscan.ErrPrivateAddress", err)
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"http://10.0.0.1/":         "10.0.0.1:80",
		"https://127.0.0.1:8443/a": "127.0.0.1:8443",
		"https://example.org":      "example.org:443",
		"http://[::1]:8080/":       "[::1]:8080",
		"ftp://example.org/":       "",
		"not a url":                "",
	} {
		if got := hostPort(in); got != want {
			t.Errorf("hostPort(%q) = %q, want %q", in, got, want)
		}
	}
}
