package render

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"adscan"
)

// ErrNoChromium is wrapped by the error of NewPool (and FindChromium) when
// no Chromium executable can be found: rendered targets cannot be crawled,
// plain ones still can.
var ErrNoChromium = adscan.Errorf(adscan.EUNAVAILABLE, "no Chromium browser found: rendered crawling needs Debian's chromium (or --chromium PATH)").
	ZHf("未找到 Chromium 浏览器，无法以浏览器方式抓取页面（请安装 chromium 或以 --chromium 指定路径）")

// chromiumNames are the executables FindChromium looks for on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Defaults for zero fields of Config.
const (
	DefaultMaxBrowsers         = 2
	DefaultMaxPagesPerBrowser  = 100
	DefaultMaxBrowserMemory    = 2 << 30 // bytes, RSS summed over the browser's processes
	DefaultNavigationTimeout   = 20 * time.Second
	DefaultPageTimeout         = 45 * time.Second
	DefaultSettleTime          = 2 * time.Second
	DefaultScreenshotTimeout   = 20 * time.Second
	DefaultHoldTimeout         = 2 * time.Minute
	DefaultStartTimeout        = 20 * time.Second
	DefaultMaxHTMLBytes        = 5 << 20 // as crawler.DefaultMaxBodyBytes
	DefaultMaxTextBytes        = 2 << 20
	DefaultMaxScreenshotHeight = 16000
	DefaultMaxSubresources     = 200
	DefaultMaxSubresourceBytes = 10 << 20
)

// ScreenshotWidth is the width in CSS pixels (and PNG pixels: the device
// scale factor is 1) of every screenshot and of the viewport pages are
// rendered in.
const ScreenshotWidth = 1280

// viewportHeight is the height of the viewport pages are rendered in.
const viewportHeight = 900

// Config bounds a Pool. Zero fields take the defaults above.
type Config struct {
	// Chromium is the browser executable; "" looks on PATH (FindChromium).
	Chromium string
	// MaxBrowsers is the most browser processes at once, and so the most
	// pages rendered at once: a browser renders one page at a time, so a
	// browser that crashes or hangs costs that one page.
	MaxBrowsers int
	// MaxPagesPerBrowser is how many pages a browser renders before it is
	// replaced by a fresh one.
	MaxPagesPerBrowser int
	// MaxBrowserMemory is the memory (bytes: proportional set size summed
	// over the browser's process tree, from /proc) above which a browser is
	// replaced before its next page.
	MaxBrowserMemory int64
	// NavigationTimeout bounds the wait for the page's load event. A page
	// that has not loaded by then (a hanging resource, an endless script) is
	// read as it stands and marked incomplete.
	NavigationTimeout time.Duration
	// PageTimeout bounds Open as a whole: starting a tab, navigating,
	// settling and reading the DOM.
	PageTimeout time.Duration
	// SettleTime is the most Open waits after the load event for the
	// network to go quiet (scripts fetching what they render).
	SettleTime time.Duration
	// ScreenshotTimeout bounds one Page.Screenshot.
	ScreenshotTimeout time.Duration
	// HoldTimeout is how long a Page stays open without Close; then it is
	// closed for the caller, so a forgotten Page cannot keep a browser.
	HoldTimeout time.Duration
	// StartTimeout bounds starting a browser and opening a tab in it; a
	// browser that does not manage is taken for hung and killed.
	StartTimeout time.Duration
	// MaxHTMLBytes caps Rendered.HTML and Rendered.Served; longer ones are
	// cut (at a UTF-8 boundary) and marked truncated.
	MaxHTMLBytes int
	// MaxTextBytes caps Rendered.Text likewise.
	MaxTextBytes int
	// MaxSubresources caps how many subresource responses
	// Page.Subresources keeps; MaxSubresourceBytes caps their bytes (URLs,
	// header fields and bodies together), each body being cut at
	// MaxHTMLBytes as well.
	MaxSubresources     int
	MaxSubresourceBytes int
	// MaxScreenshotHeight caps a screenshot's height in pixels; a longer
	// page is shot from the top down to it and marked truncated.
	MaxScreenshotHeight int
	// UserAgent, when set, replaces the browser's User-Agent.
	UserAgent string
	// AllowPrivate lets the browser reach private, loopback and link-local
	// addresses (intranets). Never set it for public targets.
	AllowPrivate bool
	// ExemptAddrs are "ip:port" addresses let through although they are
	// private: for tests whose fake sites listen on loopback (as crawler's
	// tests exempt theirs). Never set it in production.
	ExemptAddrs []string
	// Logger receives what the pool does to browsers; default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns cfg with its zero fields set to the defaults.
func (cfg Config) withDefaults() Config {
	setInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setInt(&cfg.MaxBrowsers, DefaultMaxBrowsers)
	setInt(&cfg.MaxPagesPerBrowser, DefaultMaxPagesPerBrowser)
	setInt(&cfg.MaxHTMLBytes, DefaultMaxHTMLBytes)
	setInt(&cfg.MaxTextBytes, DefaultMaxTextBytes)
	setInt(&cfg.MaxScreenshotHeight, DefaultMaxScreenshotHeight)
	setInt(&cfg.MaxSubresources, DefaultMaxSubresources)
	setInt(&cfg.MaxSubresourceBytes, DefaultMaxSubresourceBytes)
	if cfg.MaxBrowserMemory <= 0 {
		cfg.MaxBrowserMemory = DefaultMaxBrowserMemory
	}
	setDur(&cfg.NavigationTimeout, DefaultNavigationTimeout)
	setDur(&cfg.PageTimeout, DefaultPageTimeout)
	setDur(&cfg.SettleTime, DefaultSettleTime)
	setDur(&cfg.ScreenshotTimeout, DefaultScreenshotTimeout)
	setDur(&cfg.HoldTimeout, DefaultHoldTimeout)
	setDur(&cfg.StartTimeout, DefaultStartTimeout)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// FindChromium returns the browser executable to use: path itself when it
// is not empty (checked to exist and be executable), else the first of
// chromium, chromium-browser, google-chrome and google-chrome-stable found
// on PATH. Either failure wraps ErrNoChromium and names what was tried.
func FindChromium(path string) (string, error) {
	if path != "" {
		found, err := exec.LookPath(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", noChromium{fmt.Sprintf("render: no Chromium at %s: %v (give --chromium the browser's path, or install Debian's chromium)", path, err)}
		}
		if st, err := os.Stat(found); err != nil || st.IsDir() {
			return "", noChromium{fmt.Sprintf("render: no Chromium at %s: not an executable file", path)}
		}
		return found, nil
	}
	for _, name := range chromiumNames {
		if found, err := exec.LookPath(name); err == nil {
			return found, nil
		}
	}
	return "", noChromium{fmt.Sprintf("render: no Chromium on PATH (looked for %s): install Debian's chromium, or give --chromium PATH",
		strings.Join(chromiumNames, ", "))}
}

// noChromium is a FindChromium failure: its own message, saying what was
// tried, and errors.Is ErrNoChromium (whose message it does not repeat).
type noChromium struct{ msg string }

func (e noChromium) Error() string { return e.msg }
func (e noChromium) Unwrap() error { return ErrNoChromium }
