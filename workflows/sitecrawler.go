package workflows

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"adscan"
	"adscan/crawler"
	"adscan/render"
)

// CollyCrawler is the production SiteCrawler: one crawler.Crawler per
// target, shaped by Base (politeness, limits, User-Agent, AllowPrivate), with
// the target's own page and depth limits on top. The opaque resume state is
// the crawler's Checkpoint as gzipped JSON (URL lists compress about tenfold,
// and heartbeat details are limited to 2 MB), handed over at most every
// DefaultCheckpointInterval unless Base says otherwise.
type CollyCrawler struct {
	Base       crawler.Config
	Classifier adscan.Classifier
	// Classifiers, when set, gives each crawl its classifier instead of
	// Classifier: the newest lexicon version in the store, so an approved
	// allow-list entry holds from the next crawl on, without a restart.
	Classifiers ClassifierSource
	// Profiles gives crawls of targets naming a platform profile the
	// profile and the register's regions; nil: such targets fail.
	Profiles ProfileStore
	// Browsers is the worker's browser pool: rendered targets are crawled
	// in it and flagged pages of plain ones screenshotted. Nil: none.
	Browsers *Browsers
	// NoPlainScreenshots leaves flagged pages of plain crawls without a
	// screenshot (each would cost a render of the page); their captures
	// say so. Rendered crawls screenshot from their open tab regardless.
	NoPlainScreenshots bool
	Logger             *slog.Logger

	gate crawler.LocalGate // Base.Gate when it is nil
}

// ClassifierSource gives the classifier a crawl is to use now.
type ClassifierSource interface {
	Classifier(ctx context.Context) (adscan.Classifier, error)
}

var _ SiteCrawler = (*CollyCrawler)(nil)

// Crawl implements SiteCrawler. An invalid target (its URL does not parse or
// is not http(s)) is an EINVALID error. Resume state that does not decode is
// logged and the crawl starts afresh: case and capture writes are idempotent,
// so refetching costs time, never duplicates. A target with render
// "browser" on a worker without Chromium is one failed page (kind
// no_browser, its message naming the missing browser), not an error: the
// scan goes on and shows why. A target naming a platform profile is
// crawled as the profile says (see applyProfile); an unknown or broken
// profile is an EINVALID error.
func (c *CollyCrawler) Crawl(ctx context.Context, target adscan.ScanTarget, resume []byte,
	onPage func(ctx context.Context, p CrawledPage) error, onCheckpoint func(state []byte)) (CrawlStats, error) {
	cfg := c.Base
	if cfg.CheckpointInterval == 0 {
		cfg.CheckpointInterval = DefaultCheckpointInterval
	}
	cfg.Seeds = []string{target.URL}
	cfg.Target = target.URL
	if target.MaxPages > 0 {
		cfg.MaxPages = min(target.MaxPages, adscan.MaxTargetPages)
	}
	if target.MaxDepth > 0 {
		cfg.MaxDepth = min(target.MaxDepth, adscan.MaxTargetDepth)
	}
	cfg.Render = target.Render == adscan.RenderBrowser
	if target.Profile != "" {
		if err := c.applyProfile(ctx, target, &cfg); err != nil {
			return CrawlStats{}, err
		}
	}
	if cfg.Render || !c.NoPlainScreenshots {
		cfg.Browser, cfg.NoBrowser = c.browser()
	} else {
		cfg.NoBrowser, cfg.ScreenshotsOff = "screenshots of plainly crawled pages are off on this worker (--plain-screenshots=false)", true
	}
	if cfg.Render && cfg.Browser == nil {
		msg := fmt.Sprintf("crawler: rendered crawl of %s: %s", target.URL, cfg.NoBrowser)
		err := onPage(ctx, CrawledPage{Capture: adscan.Capture{Target: target.URL, RequestedURL: target.URL, FinalURL: target.URL},
			Err: msg, ErrKind: adscan.FetchNoBrowser})
		c.logger().Warn("rendered target not crawled: no browser on this worker", "target", target.URL, "why", cfg.NoBrowser)
		return CrawlStats{Pages: 1, Errors: 1}, err
	}
	cl := c.Classifier
	if c.Classifiers != nil {
		var err error
		if cl, err = c.Classifiers.Classifier(ctx); err != nil {
			return CrawlStats{}, fmt.Errorf("workflows: the lexicon to classify with: %w", err)
		}
	}
	if cfg.Gate == nil {
		cfg.Gate = &c.gate // the worker's crawls share their hosts' turns
	}
	cr, err := crawler.New(cfg, cl)
	if err != nil {
		return CrawlStats{}, adscan.Errorf(adscan.EINVALID, "target %s: %v", target.URL, err)
	}
	var from *crawler.Checkpoint
	if len(resume) > 0 {
		var cp crawler.Checkpoint
		if err := decodeCheckpoint(resume, &cp); err != nil {
			c.logger().Warn("crawl checkpoint does not decode; starting afresh", "target", target.URL, "err", err)
		} else {
			from = &cp
		}
	}
	sum, err := cr.Run(ctx, from,
		func(p crawler.Page) error {
			cp := CrawledPage{Capture: p.Capture, Result: p.Result}
			if p.Err != nil {
				cp.Err, cp.ErrKind = p.Err.Error(), crawler.ErrorKind(p.Err)
			}
			return onPage(ctx, cp)
		},
		func(cp crawler.Checkpoint) {
			if b, err := encodeCheckpoint(cp); err == nil {
				onCheckpoint(b)
			}
		})
	return CrawlStats{Pages: sum.Pages, Errors: sum.Errors, Skipped: sum.Disallowed, Retried: sum.Retried,
		Elapsed: sum.Elapsed, PolitenessWait: sum.PolitenessWait}, err
}

// browser returns the worker's browser pool, or why there is none.
func (c *CollyCrawler) browser() (*render.Pool, string) {
	if c.Browsers == nil {
		return nil, "no browser on this worker"
	}
	p, err := c.Browsers.Pool()
	if err != nil {
		return nil, err.Error()
	}
	return p, ""
}

func (c *CollyCrawler) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// DefaultCheckpointInterval is how often a crawl hands its checkpoint over
// to be heartbeated. A crawl resumed after a crash redoes at most this much
// work (recording is idempotent), and encoding the seen-URL list is kept off
// the per-page path.
const DefaultCheckpointInterval = 2 * time.Second

// maxCheckpointBytes bounds a decoded checkpoint.
const maxCheckpointBytes = 256 << 20

func encodeCheckpoint(cp crawler.Checkpoint) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(cp); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeCheckpoint reads a checkpoint written by encodeCheckpoint, or plain
// JSON (as earlier versions wrote it).
func decodeCheckpoint(b []byte, cp *crawler.Checkpoint) error {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return json.Unmarshal(b, cp)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer zr.Close()
	data, err := io.ReadAll(io.LimitReader(zr, maxCheckpointBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxCheckpointBytes {
		return fmt.Errorf("checkpoint larger than %d bytes", maxCheckpointBytes)
	}
	return json.Unmarshal(data, cp)
}
