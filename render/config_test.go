package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adscan"
)

// TestNoChromium: with no browser on PATH, or a --chromium path that is not
// one, NewPool fails with ErrNoChromium, naming what it looked for; the
// error's code says the dependency is unavailable.
func TestNoChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := NewPool(Config{})
	if !errors.Is(err, ErrNoChromium) || adscan.ErrorCode(err) != adscan.EUNAVAILABLE {
		t.Fatalf("NewPool with an empty PATH: %v, want ErrNoChromium", err)
	}
	for _, name := range chromiumNames {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	if !strings.Contains(err.Error(), "--chromium") {
		t.Errorf("error %q does not say how to fix it", err)
	}

	missing := filepath.Join(t.TempDir(), "chromium")
	if _, err := NewPool(Config{Chromium: missing}); !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), missing) {
		t.Errorf("NewPool with --chromium %s: %v", missing, err)
	}
	notExec := filepath.Join(t.TempDir(), "chrome")
	os.WriteFile(notExec, []byte("not a program"), 0o644)
	if _, err := FindChromium(notExec); !errors.Is(err, ErrNoChromium) {
		t.Errorf("FindChromium of a file that is not executable: %v", err)
	}
}

func TestOpenRejectsOtherSchemes(t *testing.T) {
	p := &Pool{}
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "chrome://settings", "data:text/html,x", "ftp://example.org/", "http://", "not a url"} {
		if _, err := p.Open(t.Context(), u); err == nil || !strings.Contains(err.Error(), "render: ") {
			t.Errorf("Open(%q) = %v, want an error", u, err)
		}
	}
}
