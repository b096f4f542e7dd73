package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/crawler"
	"adscan/crawler/fakesite"
)

// fakeProfiles is a ProfileStore of fixed profiles and regions.
type fakeProfiles struct {
	profiles map[string]adscan.PlatformProfile
	regions  []string
}

func (f fakeProfiles) GetProfile(_ context.Context, name string) (adscan.PlatformProfile, error) {
	p, ok := f.profiles[name]
	if !ok {
		return adscan.PlatformProfile{}, adscan.Errorf(adscan.ENOTFOUND, "no platform profile %q", name)
	}
	return p, nil
}

func (f fakeProfiles) ListRegions(context.Context) ([]string, error) { return f.regions, nil }

func TestApplyProfile(t *testing.T) {
	yaml := fakesite.PlatformProfileYAML("fake-platform", "http://127.0.0.1:9", "register", 2, 250*time.Millisecond)
	cc := &CollyCrawler{Profiles: fakeProfiles{
		profiles: map[string]adscan.PlatformProfile{
			"fake-platform": {Name: "fake-platform", YAML: []byte(yaml)},
			"broken":        {Name: "broken", YAML: []byte("name: broken\n")},
		},
		regions: []string{"海淀区", "朝阳区", "西城区"},
	}}
	cfg := crawler.Config{Delay: -1} // a worker with --crawl-delay 0
	err := cc.applyProfile(context.Background(), adscan.ScanTarget{URL: "http://127.0.0.1:9/", Profile: "fake-platform", MaxPages: 7}, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 2 keywords × the register's 3 regions.
	if len(cfg.Seeds) != 6 || !strings.Contains(cfg.Seeds[5], "city=%E8%A5%BF%E5%9F%8E%E5%8C%BA") {
		t.Errorf("seeds %v", cfg.Seeds)
	}
	if cfg.Profile == nil || cfg.Profile.Name != "fake-platform" || !cfg.Render || cfg.Delay != 250*time.Millisecond || cfg.MaxPages != 7 {
		t.Errorf("config: profile %v, render %v, delay %s, max pages %d", cfg.Profile, cfg.Render, cfg.Delay, cfg.MaxPages)
	}

	// The profile's delay lengthens the worker's, never shortens it.
	slow := crawler.Config{Delay: 2 * time.Second}
	if err := cc.applyProfile(context.Background(), adscan.ScanTarget{URL: "http://127.0.0.1:9/", Profile: "fake-platform"}, &slow); err != nil || slow.Delay != 2*time.Second {
		t.Errorf("a worker's 2s --crawl-delay under a profile's 250ms: %s, %v", slow.Delay, err)
	}

	for _, c := range []struct{ name, want string }{
		{"nope", "profile nope is not registered"},
		{"broken", "profile broken as registered has problems"},
	} {
		err := cc.applyProfile(context.Background(), adscan.ScanTarget{URL: "http://127.0.0.1:9/", Profile: c.name}, &cfg)
		if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want EINVALID %q", c.name, err, c.want)
		}
	}
	noRegions := &CollyCrawler{Profiles: fakeProfiles{profiles: cc.Profiles.(fakeProfiles).profiles}}
	err = noRegions.applyProfile(context.Background(), adscan.ScanTarget{Profile: "fake-platform"}, &cfg)
	if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), "no target with a region") {
		t.Errorf("no regions: err = %v", err)
	}
	err = (&CollyCrawler{}).applyProfile(context.Background(), adscan.ScanTarget{Profile: "fake-platform"}, &cfg)
	if adscan.ErrorCode(err) != adscan.EINVALID {
		t.Errorf("no store: err = %v", err)
	}
}
