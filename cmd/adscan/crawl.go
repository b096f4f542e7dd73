package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"adscan"
	"adscan/classifier"
	"adscan/crawler"
	"adscan/render"
)

// crawlOptions are the flags of `adscan crawl`.
type crawlOptions struct {
	json         bool
	maxPages     int
	maxDepth     int
	allowPrivate bool
	lexicon      string
	userAgent    string
	delay        time.Duration
	parallelism  int
	timeout      time.Duration
	budget       time.Duration
	render       bool   // --render: pages rendered in headless Chromium
	chromium     string // --chromium PATH
	profile      string // --profile NAME_OR_FILE: a platform profile instead of URLs
	db           string // --db DSN: where a registered profile is read
	// maxPagesSet says --max-pages was given.
	maxPagesSet bool
}

// newCrawlCmd is `adscan crawl [--json] [--max-pages N] [--max-depth D]
// [--allow-private-targets] URL...` or `adscan crawl --profile NAME_OR_FILE …`.
func newCrawlCmd(s streams) *cobra.Command {
	var opts crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl [--json] [--max-pages N] [--max-depth D] [--allow-private-targets] [--render [--chromium PATH]] (URL... | --profile NAME_OR_FILE [--db DSN])",
		Short: "Crawl websites once, classifying every page (no Temporal needed)",
		Long: `Crawl each URL as a site of its own: breadth-first over the URL's host (and its
www. twin), obeying robots.txt and its Crawl-delay (capped), reading sitemaps,
one request per --crawl-delay per host. Each page's visible text is classified.

With --json, one JSON object per fetched page and line:
{"url":URL,"final_url":…,"status":200,"depth":1,"flags":[…as classify…],
"error":…,"skipped":…,"body_sha256":…}
Without --json, one line per page fetched, failed (ERR) or skipped (---),
with the flags of flagged pages. URLs robots.txt refuses are not fetched
and have no line; the summary counts them. A progress line goes to
standard error (updated in place on a terminal, every few seconds
otherwise) and a summary per site at the end: its pages count those
fetched, failed and skipped, of which errors failed.

With --render each page is rendered in headless Chromium (found on PATH,
or --chromium PATH, or $ADSCAN_CHROMIUM) and the visible text of the
rendered page is classified: for sites built by JavaScript. The browser's
own requests obey the same address rules; robots.txt and --crawl-delay hold.

A URL without a scheme (www.example.cn) is crawled over http. A URL that is invalid, uses another scheme than http/https, or points at a
private address (without --allow-private-targets; --allow-private is
the same) is reported and the other URLs
are still crawled. The exit status is 1 if any URL or page failed
(unreachable host, TLS error, timeout, server error); HTTP 4xx pages are
not failures.

With --profile, no URL: the crawl tries a platform scan profile (see
'adscan profile') exactly as a scan of it crawls: its search URLs, the
listing pages they lead to and the detail pages those link to; only detail
pages are classified, and each flagged one is printed with the advertiser
it names ("advertiser" in --json). NAME_OR_FILE is the name of a registered
profile, read from --db or $` + envDB + `, or else a YAML file, checked as
'adscan profile check' does (its problems on standard error, exit 1); a
file whose cities are the register's reads them from the database when
one is given. The profile says how its pages are fetched (--render is for
a profile with render: browser only) and its crawl delay lengthens
--crawl-delay; --max-pages, when given, replaces its max_pages;
--max-depth does not apply (its listing.max_pages bounds the pagination).`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.profile != "" && len(args) > 0:
				return usageError{fmt.Errorf("crawl: give URLs or --profile, not both (got %d URLs)", len(args))}
			case opts.profile == "" && len(args) == 0:
				return usageError{errors.New("crawl: no URL given (or --profile NAME_OR_FILE)")}
			case opts.profile == "" && cmd.Flags().Changed("db"):
				return usageError{errors.New("crawl: --db reads a registered profile: give --profile NAME")}
			case opts.profile != "" && cmd.Flags().Changed("max-depth"):
				return usageError{errors.New("crawl: --max-depth does not apply to a profile (its listing.max_pages bounds the pagination)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.maxPagesSet = cmd.Flags().Changed("max-pages")
			return runCrawl(cmd.Context(), s, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "print one JSON object per page and line")
	f.IntVar(&opts.maxPages, "max-pages", crawler.DefaultMaxPages, "pages to fetch per site at most")
	f.IntVar(&opts.maxDepth, "max-depth", crawler.DefaultMaxDepth, "link distance from the URL to follow (0: the default, as max_depth in a scan or the register; --max-pages 1 crawls the URL only)")
	f.BoolVar(&opts.allowPrivate, "allow-private-targets", false, "allow private, loopback and link-local addresses (never for public targets)")
	// --allow-private is the name DESIGN.md's contract gives; every other
	// command calls it --allow-private-targets. Both work.
	f.BoolVar(&opts.allowPrivate, "allow-private", false, "")
	_ = f.MarkHidden("allow-private")
	f.StringVar(&opts.lexicon, "lexicon", "", "classify with this lexicon file instead of the embedded default")
	f.StringVar(&opts.userAgent, "user-agent", crawler.DefaultUserAgent, "User-Agent to send: name the tool and a contact URL")
	f.DurationVar(&opts.delay, "crawl-delay", crawler.DefaultDelay, "least time between two requests to one host (0: none)")
	// --delay was this flag's first name; dev and worker call it --crawl-delay.
	f.DurationVar(&opts.delay, "delay", crawler.DefaultDelay, "")
	_ = f.MarkDeprecated("delay", "use --crawl-delay, as dev and worker do")
	f.IntVar(&opts.parallelism, "parallelism", crawler.DefaultParallelism, "fetches in flight per site")
	f.DurationVar(&opts.timeout, "timeout", crawler.DefaultTimeout, "time limit of one request")
	f.DurationVar(&opts.budget, "budget", 0, "time limit of one site's crawl (0: none)")
	f.BoolVar(&opts.render, "render", false, "render each page in headless Chromium and classify what it shows")
	f.StringVar(&opts.chromium, "chromium", envOr(s, envChromium, ""), "the Chromium executable for --render and rendered profiles (default: chromium on PATH), env "+envChromium)
	f.StringVar(&opts.profile, "profile", "", "crawl a platform profile as a scan would: a registered profile's NAME (with --db) or a YAML FILE")
	f.StringVar(&opts.db, "db", "", "database of --profile NAME: postgres://… or a SQLite file path (default $"+envDB+")")
	return cmd
}

func runCrawl(ctx context.Context, s streams, opts crawlOptions, urls []string) error {
	for _, c := range []struct {
		bad  bool
		flag string
		want string
	}{
		{opts.maxPages < 1, "--max-pages", "at least 1"}, {opts.parallelism < 1, "--parallelism", "at least 1"},
		{opts.maxDepth < 0, "--max-depth", "0 or more"}, {opts.delay < 0, "--crawl-delay", "0 or more"},
		{opts.budget < 0, "--budget", "0 or more"},
	} {
		if c.bad {
			return usageError{fmt.Errorf("crawl: %s must be %s", c.flag, c.want)}
		}
	}
	lex, err := loadLexicon(s, "crawl", opts.lexicon)
	if err != nil {
		return err
	}
	cl, err := classifier.New(lex)
	if err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	var prof *crawlProfile
	if opts.profile != "" {
		if prof, err = loadCrawlProfile(ctx, s, opts); err != nil {
			return err
		}
		defer prof.close()
		if opts.render && prof.p.Render != adscan.RenderBrowser {
			return usageError{fmt.Errorf("crawl: --render: profile %s fetches its pages plainly (render: plain); the profile says how its pages are fetched", prof.p.Name)}
		}
	}
	var pool *render.Pool
	if opts.render || (prof != nil && prof.p.Render == adscan.RenderBrowser) {
		pool, err = render.NewPool(render.Config{Chromium: opts.chromium, UserAgent: opts.userAgent,
			AllowPrivate: opts.allowPrivate, Logger: slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			what := "crawl --render"
			if !opts.render {
				what = "crawl --profile " + prof.p.Name + " (render: browser)"
			}
			return fmt.Errorf("%s: %w", what, err)
		}
		defer pool.Close()
	}
	out := &crawlPrinter{s: s, json: opts.json, progress: newProgress(s.err)}
	if prof != nil {
		label := "profile " + prof.p.Name
		cfg := crawlConfig(s, opts, pool, prof.site)
		if err := prof.config(ctx, opts, &cfg); err != nil {
			return err
		}
		ok := crawlOne(ctx, s, cfg, cl, label, out)
		if ctx.Err() != nil {
			fmt.Fprintln(s.err, "adscan: crawl: interrupted")
		}
		if !ok || ctx.Err() != nil {
			return exitError{exitFailure}
		}
		return nil
	}
	failed := false
	for _, u := range urls {
		if ctx.Err() != nil {
			break
		}
		u = adscan.WithDefaultScheme(u) // "www.example.cn" as people type it
		if !crawlOne(ctx, s, crawlConfig(s, opts, pool, u), cl, u, out) {
			failed = true
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(s.err, "adscan: crawl: interrupted")
		return exitError{exitFailure}
	}
	if failed {
		return exitError{exitFailure}
	}
	return nil
}

// crawlConfig is the crawl of u's site the command line asks for.
func crawlConfig(s streams, opts crawlOptions, pool *render.Pool, u string) crawler.Config {
	cfg := crawler.Config{
		Render: opts.render, Browser: pool, NoBrowser: "no --render",
		Seeds: []string{u}, MaxPages: opts.maxPages, MaxDepth: opts.maxDepth,
		AllowPrivate: opts.allowPrivate, UserAgent: opts.userAgent, Delay: opts.delay,
		Parallelism: opts.parallelism, Timeout: opts.timeout, Budget: opts.budget,
		Logger: slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if opts.delay == 0 {
		cfg.Delay = -1
	}
	return cfg
}

// crawlOne runs one crawl (of a site, or a profile), printing its pages
// and a summary named u, and reports whether everything succeeded.
func crawlOne(ctx context.Context, s streams, cfg crawler.Config, cl adscan.Classifier, u string, out *crawlPrinter) bool {
	c, err := crawler.New(cfg, cl)
	if err != nil {
		out.failure(u, err)
		return false
	}
	out.progress.start(u)
	sum, err := c.Run(ctx, nil, out.page, nil)
	out.progress.stop()
	rate := ""
	if sum.Elapsed >= 100*time.Millisecond {
		rate = fmt.Sprintf(" (%.1f pages/s)", float64(sum.Pages)/sum.Elapsed.Seconds())
	}
	fmt.Fprintf(s.err, "adscan: crawl %s: %d pages, %d errors, %d flagged, %d skipped, %d disallowed by robots.txt in %s%s; stopped: %s\n",
		u, sum.Pages, sum.Errors, sum.Flagged, sum.Skipped, sum.Disallowed, sum.Elapsed.Round(time.Millisecond), rate, sum.Stopped)
	if err != nil && !errors.Is(err, context.Canceled) {
		out.failure(u, err)
		return false
	}
	return sum.Errors == 0
}

// crawlPageJSON is one line of `adscan crawl --json`.
type crawlPageJSON struct {
	URL        string             `json:"url"`
	FinalURL   string             `json:"final_url,omitempty"`
	Status     int                `json:"status"`
	Depth      int                `json:"depth"`
	Flags      []adscan.Flag      `json:"flags"`
	Lexicon    *adscan.LexiconRef `json:"lexicon,omitempty"`
	Error      string             `json:"error,omitempty"`
	Skipped    string             `json:"skipped,omitempty"`
	Truncated  bool               `json:"truncated,omitempty"`
	BodySHA256 string             `json:"body_sha256,omitempty"`
	FetchedAt  *time.Time         `json:"fetched_at,omitempty"`
	Rendered   bool               `json:"rendered,omitempty"`
	Incomplete string             `json:"incomplete,omitempty"` // why a rendered page was read before it finished loading
	// ScreenshotSHA256 is the digest of a flagged rendered page's screenshot.
	ScreenshotSHA256 string `json:"screenshot_sha256,omitempty"`
	// Profile names the platform profile of a --profile crawl; Advertiser
	// is who a detail page names as the advertiser, as a scan records it.
	Profile    string `json:"profile,omitempty"`
	Advertiser string `json:"advertiser,omitempty"`
}

// crawlPrinter writes pages and per-URL failures, as JSON lines or text.
type crawlPrinter struct {
	s        streams
	json     bool
	progress *progress
}

func (p *crawlPrinter) page(pg crawler.Page) error {
	p.progress.add(pg)
	c := pg.Capture
	if p.json {
		line := crawlPageJSON{
			URL: c.RequestedURL, FinalURL: c.FinalURL, Status: c.Status, Depth: pg.Depth,
			Flags: pg.Result.Flags, Skipped: pg.Skipped, Truncated: pg.Truncated, BodySHA256: c.BodySHA256,
			Rendered: c.Rendered, Incomplete: pg.Incomplete, Profile: c.Profile, Advertiser: c.Advertiser,
		}
		if c.Screenshot != nil {
			line.ScreenshotSHA256 = c.Screenshot.SHA256
		}
		if line.Flags == nil {
			line.Flags = []adscan.Flag{}
		}
		if c.Lexicon.Name != "" {
			line.Lexicon = &c.Lexicon
		}
		if !c.FetchedAt.IsZero() {
			line.FetchedAt = &c.FetchedAt
		}
		if pg.Err != nil {
			line.Error = pg.Err.Error()
		}
		return p.writeJSON(line)
	}
	var b strings.Builder
	switch {
	case pg.Err != nil:
		fmt.Fprintf(&b, "ERR %s: %v\n", c.RequestedURL, pg.Err)
	case pg.Skipped != "":
		fmt.Fprintf(&b, "--- %s (%s)\n", c.RequestedURL, pg.Skipped)
	default:
		fmt.Fprintf(&b, "%d %s", c.Status, c.RequestedURL)
		if c.FinalURL != c.RequestedURL {
			fmt.Fprintf(&b, " → %s", c.FinalURL)
		}
		b.WriteByte('\n')
	}
	for _, f := range pg.Result.Flags {
		fmt.Fprintf(&b, "    FLAG %s %.2f", f.Category, f.Score)
		for i, ev := range f.Evidence {
			if i == 3 {
				b.WriteString(" …")
				break
			}
			fmt.Fprintf(&b, " 「%s」", strings.Join(strings.Fields(ev.Text), " "))
		}
		b.WriteByte('\n')
	}
	if c.Profile != "" && pg.Result.Flagged() {
		if c.Advertiser != "" {
			fmt.Fprintf(&b, "    ADVERTISER %s\n", c.Advertiser)
		} else {
			b.WriteString("    ADVERTISER (the page names none the profile finds)\n")
		}
	}
	p.progress.clear()
	_, err := io.WriteString(p.s.out, b.String())
	return err
}

// failure reports a URL that could not be crawled at all.
func (p *crawlPrinter) failure(u string, err error) {
	p.progress.clear()
	fmt.Fprintf(p.s.err, "adscan: crawl %s: %v\n", u, err)
	if p.json {
		_ = p.writeJSON(crawlPageJSON{URL: u, Flags: []adscan.Flag{}, Error: err.Error()})
	}
}

func (p *crawlPrinter) writeJSON(v crawlPageJSON) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(p.s.out, "%s\n", line)
	return err
}

// progress prints "pages, errors, flags, pages/s" to standard error: in
// place every 250 ms on a terminal, as a line every 5 s otherwise, and not
// at all for crawls shorter than that.
type progress struct {
	w        io.Writer
	terminal bool
	every    time.Duration

	mu                     sync.Mutex
	site                   string
	pages, errors, flagged int
	started, last          time.Time
	shown                  bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, every: 5 * time.Second}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal, p.every = true, 250*time.Millisecond
		}
	}
	return p
}

func (p *progress) start(site string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.site, p.pages, p.errors, p.flagged = site, 0, 0, 0
	p.started, p.last = time.Now(), time.Now()
}

func (p *progress) add(pg crawler.Page) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages++
	if pg.Err != nil {
		p.errors++
	}
	if pg.Result.Flagged() {
		p.flagged++
	}
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		rate := float64(p.pages) / max(now.Sub(p.started).Seconds(), 1e-9)
		line := fmt.Sprintf("crawl %s: %d pages, %d errors, %d flagged, %.1f pages/s", p.site, p.pages, p.errors, p.flagged, rate)
		if p.terminal {
			fmt.Fprintf(p.w, "\r\033[K%s", line)
			p.shown = true
		} else {
			fmt.Fprintln(p.w, line)
		}
	}
}

// clear removes an in-place progress line before other output.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

func (p *progress) stop() { p.clear() }
