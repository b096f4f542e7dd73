package render

import (
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"
)

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
		StartTimeout:      15 * time.Second,
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
