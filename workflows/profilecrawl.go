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

// applyProfile shapes cfg to crawl the profile target names: its search
// URLs as seeds (filled from its keywords and cities, or the register's
// regions), its hosts, pages limit (the target's max_pages when it gives
// one), crawl delay (the longer of its own and the worker's) and render
// mode. EINVALID when the profile is not
// registered, no longer parses, or its search URLs cannot be made.
func (c *CollyCrawler) applyProfile(ctx context.Context, target adscan.ScanTarget, cfg *crawler.Config) error {
	if c.Profiles == nil {
		return adscan.Errorf(adscan.EINVALID, "profile %s: this worker has no store to read profiles from", target.Profile)
	}
	stored, err := c.Profiles.GetProfile(ctx, target.Profile)
	if adscan.ErrorCode(err) == adscan.ENOTFOUND {
		return adscan.Errorf(adscan.EINVALID, "profile %s is not registered (adscan profile add FILE)", target.Profile)
	} else if err != nil {
		return fmt.Errorf("workflows: profile %s: %w", target.Profile, err)
	}
	p, err := profile.Parse(stored.YAML, target.Profile)
	var pe *profile.ProblemsError
	if errors.As(err, &pe) {
		return adscan.Errorf(adscan.EINVALID, "profile %s as registered has problems: %v", target.Profile, pe)
	} else if err != nil {
		return err
	}
	var regions []string
	if p.Search.CitiesFromRegister {
		if regions, err = c.Profiles.ListRegions(ctx); err != nil {
			return fmt.Errorf("workflows: regions of the register for profile %s: %w", p.Name, err)
		}
	}
	seeds, err := p.Seeds(regions)
	if err != nil {
		return adscan.Errorf(adscan.EINVALID, "%v", err)
	}
	cfg.Profile, cfg.Seeds = p, seeds
	cfg.MaxPages = p.MaxPages
	if target.MaxPages > 0 {
		cfg.MaxPages = min(target.MaxPages, adscan.MaxTargetPages)
	}
	if len(seeds) >= cfg.MaxPages {
		return adscan.Errorf(adscan.EINVALID, "profile %s: %d search URLs and at most %d pages: the scan would fetch search pages only; give the target a larger max_pages, or list fewer keywords or cities", p.Name, len(seeds), cfg.MaxPages)
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
