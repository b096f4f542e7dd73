package workflows

import (
	"context"
	"errors"
	"fmt"

	"adscan"
	"adscan/crawler"
	"adscan/profile"
)

// ProfileStore gives a crawl the platform profile its target names and
// the register's regions (a profile's cities may be those); the store
// implements it.
type ProfileStore interface {
	GetProfile(ctx context.Context, name string) (adscan.PlatformProfile, error)
	ListRegions(ctx context.Context) ([]string, error)
}

// applyProfile shapes cfg to crawl the profile target names, as
// registered now (LoadProfile, then ApplyProfile with the target's
// max_pages). EINVALID when the worker has no store, or as those say.
func (c *CollyCrawler) applyProfile(ctx context.Context, target adscan.ScanTarget, cfg *crawler.Config) error {
	if c.Profiles == nil {
		return adscan.Errorf(adscan.EINVALID, "profile %s: this worker has no store to read profiles from", target.Profile)
	}
	p, err := LoadProfile(ctx, c.Profiles, target.Profile)
	if err != nil {
		return err
	}
	return ApplyProfile(ctx, p, target.MaxPages, c.Profiles, cfg)
}

// LoadProfile returns the platform profile registered as name, parsed.
// EINVALID when it is not registered or, as registered, has problems;
// the store's other errors wrapped.
func LoadProfile(ctx context.Context, src ProfileStore, name string) (*profile.Profile, error) {
	stored, err := src.GetProfile(ctx, name)
	if adscan.ErrorCode(err) == adscan.ENOTFOUND {
		return nil, adscan.Errorf(adscan.EINVALID, "profile %s is not registered (adscan profile add FILE)", name)
	} else if err != nil {
		return nil, fmt.Errorf("workflows: profile %s: %w", name, err)
	}
	p, err := profile.Parse(stored.YAML, name)
	var pe *profile.ProblemsError
	if errors.As(err, &pe) {
		return nil, adscan.Errorf(adscan.EINVALID, "profile %s as registered has problems: %v", name, pe)
	}
	return p, err
}

// ApplyProfile shapes cfg to crawl the platform profile p as a scan does
// (a scan's crawl and `adscan crawl --profile` both call it): its search
// URLs as seeds (filled from its keywords and cities, or from the
// register's regions, read from src), its hosts, pages limit (maxPages,
// a target's max_pages, when above 0), crawl delay (the longer of its own
// and cfg's) and render mode. The caller sets cfg.Target. EINVALID when
// its search URLs cannot be made (no regions, or no src to read them
// from) or would use up the pages.
func ApplyProfile(ctx context.Context, p *profile.Profile, maxPages int, src ProfileStore, cfg *crawler.Config) error {
	var regions []string
	if p.Search.CitiesFromRegister {
		if src == nil {
			return adscan.Errorf(adscan.EINVALID, "profile %s takes its cities from the register: reading it needs the adscan database (--db DSN or $ADSCAN_DB)", p.Name)
		}
		var err error
		if regions, err = src.ListRegions(ctx); err != nil {
			return fmt.Errorf("workflows: regions of the register for profile %s: %w", p.Name, err)
		}
	}
	seeds, err := p.Seeds(regions)
	if err != nil {
		return adscan.Errorf(adscan.EINVALID, "%v", err)
	}
	cfg.Profile, cfg.Seeds = p, seeds
	cfg.MaxPages = p.MaxPages
	if maxPages > 0 {
		cfg.MaxPages = min(maxPages, adscan.MaxTargetPages)
	}
	if len(seeds) >= cfg.MaxPages {
		return adscan.Errorf(adscan.EINVALID, "profile %s: %d search URLs and at most %d pages: the scan would fetch search pages only; raise max_pages (the scan target's or the profile's; adscan crawl --max-pages), or list fewer keywords or cities", p.Name, len(seeds), cfg.MaxPages)
	}
	// A platform's crawl delay lengthens the worker's --crawl-delay, never
	// shortens it: the operator's politeness is a floor.
	if p.CrawlDelay != nil {
		worker := cfg.Delay
		if worker == 0 {
			worker = crawler.DefaultDelay
		}
		if *p.CrawlDelay > max(worker, 0) {
			cfg.Delay = *p.CrawlDelay
		}
	}
	// The profile decides how its pages are fetched, whatever the
	// target carried when the scan or schedule was made.
	cfg.Render = p.Render == adscan.RenderBrowser
	return nil
}
