// Package crawler crawls one target website politely and within bounds, and
// captures evidence of every page it fetches.
//
// A crawl is breadth-first from the seed URLs over the seeds' hosts (and
// their www. twins, plus Config.AllowedHosts), up to a depth, a page count
// and a time budget. It obeys robots.txt (Crawl-delay honoured up to a cap),
// finds pages through sitemaps (robots.txt Sitemap: lines or /sitemap.xml,
// including sitemap indexes), identifies itself with an honest User-Agent,
// and keeps to a per-host delay and parallelism. Fetching is done by colly
// (github.com/gocolly/colly/v2); every connection goes through a dialer that
// refuses private, loopback, link-local and cloud-metadata addresses unless
// Config.AllowPrivate is set, so neither redirects nor DNS rebinding can turn
// the crawler against an internal network.
//
// Each HTML or text page is decoded (header, BOM, <meta>, detection), reduced
// to its visible text (never script or style) and classified. The Page handed
// to the caller carries an adscan.Capture: requested and final URL, redirect
// chain, status, headers, fetch time, SHA-256 of the raw body, the text and
// its SHA-256, and for a flagged page a WARC/1.1 response record.
//
// With Config.Render, pages are rendered in headless Chromium (a
// render.Pool) instead: the rendered DOM's visible text is classified and
// its links followed, under the same robots.txt, politeness, limits,
// retries and address rules (see rendered.go). A flagged page gets a
// screenshot in the browser — from the open tab when rendered, else by
// rendering its URL once when Config.Browser is set — or the reason it has
// none.
//
// A crawl's state can be checkpointed and resumed (see Checkpoint), so an
// orchestrator can continue a crawl after its worker died.
package crawler

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"adscan"
	"adscan/profile"
	"adscan/render"
)

// Version is the crawler's version, named in the default User-Agent.
const Version = "0.1.0"

// DefaultUserAgent names the tool and where a site owner learns about it.
// Operators should set their own contact with Config.UserAgent (--user-agent).
const DefaultUserAgent = "adscan/" + Version + " (+https://adscan.invalid/crawler; 双减 advertising compliance checks)"

// Defaults for zero fields of Config.
const (
	DefaultMaxPages      = 100
	DefaultMaxDepth      = 5
	DefaultDelay         = time.Second
	DefaultMaxCrawlDelay = 10 * time.Second
	DefaultParallelism   = 2
	DefaultMaxBodyBytes  = 5 << 20
	DefaultTimeout       = 20 * time.Second
	DefaultRetries       = 2
	DefaultRetryBackoff  = time.Second
	// maxRedirects is the most redirects one fetch follows.
	maxRedirects = 10
)

// Config bounds and shapes one crawl. Zero fields take the defaults above;
// for MaxDepth, Delay and Retries a negative value means "none" (only the
// seeds; no delay; no retries).
type Config struct {
	// Seeds are the URLs the crawl starts from (http or https).
	Seeds []string
	// Target is recorded as Capture.Target (the target's seed URL); default Seeds[0].
	Target string
	// AllowedHosts are hosts besides the seeds' (and their www. twins) whose
	// pages are crawled. Links to any other host are recorded, not followed.
	AllowedHosts []string
	// MaxPages bounds the pages fetched (handed to onPage).
	MaxPages int
	// MaxDepth bounds the link distance from a seed (seeds are depth 0,
	// sitemap entries depth 1).
	MaxDepth int
	// Budget bounds the crawl's duration, summed over resumptions; 0 is none.
	Budget time.Duration
	// UserAgent is sent with every request and matched against robots.txt.
	UserAgent string
	// Delay is the least time between the starts of two requests to one
	// host. A robots.txt Crawl-delay raises it, up to MaxCrawlDelay.
	Delay, MaxCrawlDelay time.Duration
	// Gate spaces requests to a host across crawls (see HostGate): share
	// one between crawls, or a cluster-wide one between processes. Nil: a
	// gate of the crawl's own.
	Gate HostGate
	// Parallelism is the number of fetches in flight (per host, when there is no delay).
	Parallelism int
	// IgnoreRobots turns robots.txt off. Leave it false for real sites.
	IgnoreRobots bool
	// MaxBodyBytes caps a body read; longer bodies are cut (and marked truncated).
	MaxBodyBytes int64
	// Timeout bounds one request, body included.
	Timeout time.Duration
	// Retries is how often a fetch that timed out or got a 5xx/429 is
	// retried: a page, plain or rendered, goes back behind the rest of the
	// queue, to be fetched again no sooner than RetryBackoff later, doubling
	// with each attempt, or the server's Retry-After (capped at
	// MaxCrawlDelay) when longer (sitemaps are retried in line).
	Retries      int
	RetryBackoff time.Duration
	// AllowPrivate lets the crawler connect to private, loopback and
	// link-local addresses (tests, intranets). Never set it for public targets.
	AllowPrivate bool
	// Browser is the worker's pool of headless browsers, nil when it has
	// none (then NoBrowser says why). With Render, pages are fetched through
	// it; without, a flagged page is rendered once more in it for its
	// screenshot.
	Browser *render.Pool
	// Render fetches pages in Browser instead of colly (see rendered.go):
	// the rendered DOM's visible text is classified and its links followed.
	// New refuses it without a Browser.
	Render bool
	// NoBrowser is why Browser is nil; a flagged page's capture records it
	// as the reason it has no screenshot, of kind ScreenshotsOff when set
	// (screenshots turned off) and else no_browser.
	NoBrowser      string
	ScreenshotsOff bool
	// Profile, when set, shapes the crawl as a platform scan profile says
	// (package profile): the seeds are its search URLs, crawled as listing
	// pages; a listing page's links are followed only as Profile.Follow
	// allows (MaxDepth does not apply) and its text is kept but not
	// classified; a detail page is classified, its links are not followed
	// and its capture names the advertiser (Profile.FindAdvertiser); no
	// sitemaps are read. Every capture names the profile. The caller sets
	// Seeds (Profile.Seeds) and the delay (Profile.CrawlDelay).
	Profile *profile.Profile
	// CheckpointInterval is the least time between two checkpoints handed
	// to Run's onCheckpoint (the last one, at the end, is always handed
	// over); 0 hands one over after every page. A checkpoint lists every URL
	// seen, so one per page costs time quadratic in the site's size.
	CheckpointInterval time.Duration
	// Logger receives warnings and debug lines; default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns cfg with defaults filled in and "none" values resolved.
func (cfg Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.MaxPages, DefaultMaxPages)
	def(&cfg.MaxDepth, DefaultMaxDepth)
	def(&cfg.Parallelism, DefaultParallelism)
	def(&cfg.Retries, DefaultRetries)
	cfg.MaxDepth = max(cfg.MaxDepth, 0)
	cfg.Retries = max(cfg.Retries, 0)
	if cfg.Delay == 0 {
		cfg.Delay = DefaultDelay
	}
	cfg.Delay = max(cfg.Delay, 0)
	if cfg.MaxCrawlDelay <= 0 {
		cfg.MaxCrawlDelay = DefaultMaxCrawlDelay
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if strings.TrimSpace(cfg.UserAgent) == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// Crawler crawls one target. It holds no state between runs: each Run starts
// afresh or from the Checkpoint it is given. A Crawler is safe to Run from
// one goroutine at a time.
type Crawler struct {
	cfg   Config
	cl    adscan.Classifier
	seeds []string        // normalised
	hosts map[string]bool // hosts whose pages are crawled
	// exemptAddrs are "ip:port" addresses the dial guard lets through (tests only).
	exemptAddrs map[string]bool
}

// New checks cfg and returns a crawler that classifies pages with cl. It
// returns an error naming the seed for a seed that is not a valid http(s)
// URL, or whose host is a literal private address while AllowPrivate is off
// (host names are checked when they are dialled), and an error for an empty
// seed list, a nil classifier or a negative limit.
func New(cfg Config, cl adscan.Classifier) (*Crawler, error) {
	if cl == nil {
		return nil, fmt.Errorf("crawler: no classifier")
	}
	if len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("crawler: no seed URLs")
	}
	if cfg.MaxPages < 0 || cfg.Parallelism < 0 || cfg.Budget < 0 {
		return nil, fmt.Errorf("crawler: negative max pages, parallelism or budget")
	}
	if cfg.Render && cfg.Browser == nil {
		why := cfg.NoBrowser
		if why == "" {
			why = "no browser pool was given"
		}
		return nil, fmt.Errorf("crawler: rendered crawl of %s: %s: %w", cfg.Seeds[0], why, render.ErrNoChromium)
	}
	cfg = cfg.withDefaults()
	c := &Crawler{cfg: cfg, cl: cl, hosts: map[string]bool{}}
	for _, s := range cfg.Seeds {
		// The URL rule is adscan's; a seed named by host may still be
		// private, which the dialer refuses when it connects (after DNS).
		n, err := adscan.ParseTargetURL(s, true)
		if err != nil {
			return nil, fmt.Errorf("crawler: seed: %s", adscan.ErrorMessage(err))
		}
		u, _ := url.Parse(n)
		if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !cfg.AllowPrivate {
			if err := adscan.CheckPublicAddress(ip); err != nil {
				return nil, fmt.Errorf("crawler: seed %q: %w (crawling private addresses needs --allow-private-targets)", s, err)
			}
		}
		c.seeds = append(c.seeds, n)
		for _, h := range siteHosts(u.Host) {
			c.hosts[h] = true
		}
	}
	if cfg.Profile != nil {
		cfg.AllowedHosts = append(slices.Clone(cfg.AllowedHosts), cfg.Profile.Hosts()...)
	}
	for _, h := range cfg.AllowedHosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || strings.ContainsAny(h, "/ ") {
			return nil, fmt.Errorf("crawler: allowed host %q: not a host name", h)
		}
		c.hosts[h] = true
	}
	if c.cfg.Target == "" {
		c.cfg.Target = cfg.Seeds[0]
	}
	return c, nil
}

// allowedHost reports whether pages on host (host[:port], any case) are crawled.
func (c *Crawler) allowedHost(host string) bool {
	return c.hosts[strings.ToLower(host)]
}
