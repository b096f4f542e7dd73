package workflows

import (
	"context"
	"encoding/json"
	"log/slog"

	"adscan"
	"adscan/crawler"
)

// CollyCrawler is the production SiteCrawler: one crawler.Crawler per
// target, shaped by Base (politeness, limits, User-Agent, AllowPrivate), with
// the target's own page and depth limits on top. The opaque resume state is
// the crawler's Checkpoint as JSON.
type CollyCrawler struct {
	Base       crawler.Config
	Classifier adscan.Classifier
	Logger     *slog.Logger
}

var _ SiteCrawler = (*CollyCrawler)(nil)

// Crawl implements SiteCrawler. An invalid target (its URL does not parse or
// is not http(s)) is an EINVALID error. Resume state that does not decode is
// logged and the crawl starts afresh: case and capture writes are idempotent,
// so refetching costs time, never duplicates.
func (c *CollyCrawler) Crawl(ctx context.Context, target adscan.ScanTarget, resume []byte,
	onPage func(ctx context.Context, p CrawledPage) error, onCheckpoint func(state []byte)) (CrawlStats, error) {
	cfg := c.Base
	cfg.Seeds = []string{target.URL}
	cfg.Target = target.URL
	if target.MaxPages > 0 {
		cfg.MaxPages = target.MaxPages
	}
	if target.MaxDepth > 0 {
		cfg.MaxDepth = target.MaxDepth
	}
	cr, err := crawler.New(cfg, c.Classifier)
	if err != nil {
		return CrawlStats{}, adscan.Errorf(adscan.EINVALID, "target %s: %v", target.URL, err)
	}
	var from *crawler.Checkpoint
	if len(resume) > 0 {
		var cp crawler.Checkpoint
		if err := json.Unmarshal(resume, &cp); err != nil {
			c.logger().Warn("crawl checkpoint does not decode; starting afresh", "target", target.URL, "err", err)
		} else {
			from = &cp
		}
	}
	sum, err := cr.Run(ctx, from,
		func(p crawler.Page) error {
			cp := CrawledPage{Capture: p.Capture, Result: p.Result}
			if p.Err != nil {
				cp.Err = p.Err.Error()
			}
			return onPage(ctx, cp)
		},
		func(cp crawler.Checkpoint) {
			if b, err := json.Marshal(cp); err == nil {
				onCheckpoint(b)
			}
		})
	return CrawlStats{Pages: sum.Pages, Errors: sum.Errors, Skipped: sum.Disallowed}, err
}

func (c *CollyCrawler) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
