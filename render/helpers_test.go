package render

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain closes the shared fixture after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.pool != nil {
		shared.pool.Close()
		shared.site.Close()
		shared.other.Close()
	}
	os.Exit(code)
}

// chromiumForTest finds the browser for the browser tests: $ADSCAN_CHROMIUM,
// else what FindChromium finds on PATH. The tests skip with a message where
// there is none; CI installs Debian's chromium.
func chromiumForTest(t testing.TB) string {
	t.Helper()
	path, err := FindChromium(os.Getenv("ADSCAN_CHROMIUM"))
	if errors.Is(err, ErrNoChromium) {
		t.Skipf("no Chromium, browser tests skipped: %v (apt-get install chromium fonts-noto-cjk, or set ADSCAN_CHROMIUM)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// testConfig is a pool configuration with short bounds for tests.
func testConfig(t testing.TB) Config {
	return Config{
		Chromium:          chromiumForTest(t),
		MaxBrowsers:       1,
		NavigationTimeout: 5 * time.Second,
		PageTimeout:       12 * time.Second,
		SettleTime:        time.Second,
		ScreenshotTimeout: 10 * time.Second,
		StartTimeout:      20 * time.Second,
		Logger:            slog.New(slog.DiscardHandler),
	}
}

// newTestPool starts a pool whose proxy lets the given test sites through
// (they listen on loopback, which is refused otherwise) and closes it when
// the test ends.
func newTestPool(t testing.TB, cfg Config, sites ...*site) *Pool {
	t.Helper()
	for _, s := range sites {
		cfg.ExemptAddrs = append(cfg.ExemptAddrs, s.hostPort())
	}
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// subresourcesOf opens url in p and returns the subresources the page
// kept, closing the page.
func subresourcesOf(t *testing.T, p *Pool, url string) *Subresources {
	t.Helper()
	pg, err := p.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	subs, err := pg.Subresources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

// shared is a pool of two browsers for the tests that only render, so that
// they need not start browsers of their own: site holds their pages (and is
// let through), other is a loopback server that must never be reached.
var shared struct {
	once  sync.Once
	pool  *Pool
	site  *site
	other *site
	err   error
}

// Caps of the shared pool.
const (
	sharedMaxHTML   = 1 << 20
	sharedMaxText   = 10000
	sharedMaxHeight = 4000
)

// sharedFixture returns the shared pool and sites, starting them once, and
// marks the test parallel.
func sharedFixture(t *testing.T) (*Pool, *site, *site) {
	t.Helper()
	cfg := testConfig(t)
	shared.once.Do(func() {
		shared.other = startSite(map[string]string{"/": "internal", "/secret.json": `{"secret":1}`})
		pages := map[string]string{}
		for path, page := range sharedPages {
			pages[path] = strings.NewReplacer("OTHER", shared.other.URL, "PORT", port(shared.other.URL)).Replace(page)
		}
		shared.site = startSite(pages)
		shared.site.handle("/bounce.png", redirectTo(shared.other.URL+"/bounced.png"))
		shared.site.handle("/redirect", redirectTo(shared.other.URL+"/redirected"))
		cfg.MaxBrowsers = 2
		cfg.MaxHTMLBytes, cfg.MaxTextBytes, cfg.MaxScreenshotHeight = sharedMaxHTML, sharedMaxText, sharedMaxHeight
		cfg.PageTimeout = 20 * time.Second
		cfg.ExemptAddrs = []string{shared.site.hostPort()}
		shared.pool, shared.err = NewPool(cfg)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	t.Parallel()
	return shared.pool, shared.site, shared.other
}

// sharedPages are the pages of the shared site; OTHER and PORT stand for
// the other server's URL and port.
var sharedPages = map[string]string{
	"/ok":        plainPage,
	"/js":        jsPage,
	"/data.json": jsData,
	"/attack":    attackPage,
	"/glyphs":    glyphsPage,
	"/tall":      tallPage,
	"/hidden":    hiddenHugePage,
}

// port returns the port of a URL "http://host:port".
func port(u string) string { return u[strings.LastIndex(u, ":")+1:] }
