package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"adscan"
	"adscan/crawler"
	"adscan/profile"
	"adscan/workflows"
)

// crawlProfile is the platform profile `adscan crawl --profile` crawls.
type crawlProfile struct {
	p *profile.Profile
	// site is the profile's site in canonical form: the target its pages
	// are captured under, as in a scan.
	site string
	// src reads the register's regions (cities: register); nil without
	// a database.
	src   workflows.ProfileStore
	close func()
}

// loadCrawlProfile reads the profile --profile names: the name of a
// registered profile (a valid profile name: lower-case letters, digits and
// '-'), read from --db or $ADSCAN_DB; anything else is a YAML file, checked
// as `profile check` checks it (its problems printed on standard error,
// exit 1). The database, when one is given, also gives a file's profile the
// regions of the register if it takes its cities from there. The site is
// checked as a scan target's (ResolveProfileTarget, --allow-private-targets).
func loadCrawlProfile(ctx context.Context, s streams, opts crawlOptions) (*crawlProfile, error) {
	const command = "crawl --profile"
	cp := &crawlProfile{close: func() {}}
	if name, err := adscan.ParseProfileName(opts.profile); err == nil {
		st, err := openReadStore(ctx, s, command, opts.db)
		if err != nil {
			return nil, err
		}
		cp.src, cp.close = st, func() { st.Close() }
		if cp.p, err = workflows.LoadProfile(ctx, st, name); err != nil {
			cp.close()
			if fi, serr := os.Stat(name); serr == nil && fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: %s; to crawl the file %s, give its path: ./%s", command, adscan.ErrorMessage(err), name, name)
			}
			return nil, cliError(command, err)
		}
	} else {
		p, err := profile.Load(opts.profile)
		if err != nil {
			es := s
			es.out = s.err // standard output is the crawl's
			return nil, cliError(command, printProblems(es, opts.profile, err))
		}
		cp.p = p
		if p.Search.CitiesFromRegister && opts.db == "" && s.getenv(envDB) == "" {
			return nil, usageError{fmt.Errorf("%s: profile %s takes its cities from the register: reading it needs the adscan database (--db DSN or $%s)", command, p.Name, envDB)}
		}
		if dsn := opts.db; p.Search.CitiesFromRegister {
			st, err := openReadStore(ctx, s, command, dsn)
			if err != nil {
				return nil, err
			}
			cp.src, cp.close = st, func() { st.Close() }
		}
	}
	t, err := adscan.ResolveProfileTarget(adscan.ScanTarget{Profile: cp.p.Name},
		adscan.PlatformProfile{Name: cp.p.Name, Site: cp.p.Site, Render: cp.p.Render}, opts.allowPrivate)
	if err != nil {
		cp.close()
		msg := adscan.ErrorMessage(err)
		if !strings.Contains(msg, "--allow-private-targets") {
			msg += " (crawling private addresses needs --allow-private-targets)"
		}
		return nil, fmt.Errorf("%s: %s", command, msg)
	}
	cp.site = t.URL
	return cp, nil
}

// config shapes cfg, the crawl's configuration from the command line, to
// crawl the profile exactly as a scan's crawl does (workflows.ApplyProfile):
// its search pages, listing and detail pages, page limit (--max-pages when
// given, else the profile's), crawl delay and render mode.
func (cp *crawlProfile) config(ctx context.Context, opts crawlOptions, cfg *crawler.Config) error {
	cfg.Seeds, cfg.Target = []string{cp.site}, cp.site
	maxPages := 0
	if opts.maxPagesSet {
		maxPages = opts.maxPages
	}
	if err := workflows.ApplyProfile(ctx, cp.p, maxPages, cp.src, cfg); err != nil {
		return fmt.Errorf("crawl --profile: %s", adscan.ErrorMessage(err))
	}
	return nil
}
