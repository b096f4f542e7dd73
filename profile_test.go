package adscan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseProfileName(t *testing.T) {
	for _, ok := range []string{"jiajiao", " fenlei-example ", "a1", strings.Repeat("a", MaxProfileName)} {
		if _, err := ParseProfileName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Jiajiao", "-a", "a b", "a_b", "家教", strings.Repeat("a", MaxProfileName+1)} {
		if _, err := ParseProfileName(bad); ErrorCode(err) != EINVALID {
			t.Errorf("%q: err = %v, want EINVALID", bad, err)
		}
	}
}

func TestProfileScanTarget(t *testing.T) {
	got, err := ParseScanTarget(ScanTarget{Profile: " jiajiao ", MaxPages: 30}, false)
	if err != nil || got.Profile != "jiajiao" || got.URL != "" || got.MaxPages != 30 {
		t.Fatalf("ParseScanTarget = %+v, %v", got, err)
	}
	for _, c := range []struct {
		t    ScanTarget
		want string
	}{
		{ScanTarget{Profile: "Bad"}, "profile name"},
		{ScanTarget{Profile: "jiajiao", MaxDepth: 3}, "max_depth does not apply"},
		{ScanTarget{Profile: "jiajiao", MaxPages: -1}, "max_pages"},
		{ScanTarget{Profile: "jiajiao", Render: "chrome"}, "render"},
		{ScanTarget{Profile: "jiajiao", URL: "http://127.0.0.1/"}, "private targets are not allowed"},
	} {
		if _, err := ParseScanTarget(c.t, false); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.want) {
			t.Errorf("%+v: err = %v, want EINVALID %q", c.t, err, c.want)
		}
	}

	p := PlatformProfile{Name: "jiajiao", Site: "https://JiaJiao.example.cn", Render: RenderBrowser}
	r, err := ResolveProfileTarget(got, p, false)
	if err != nil || r.URL != "https://jiajiao.example.cn/" || r.Render != RenderBrowser || r.Profile != "jiajiao" || r.MaxPages != 30 {
		t.Errorf("resolved %+v, %v", r, err)
	}
	if _, err := ResolveProfileTarget(ScanTarget{Profile: "jiajiao", URL: "https://other.example.cn/"}, p, false); ErrorCode(err) != EINVALID {
		t.Errorf("another URL: err = %v", err)
	}
	if _, err := ResolveProfileTarget(ScanTarget{Profile: "jiajiao", Render: RenderPlain}, p, false); err != nil {
		t.Errorf("no render given: %v", err)
	}
	// A plain profile asked for browser says plain, not "".
	plain := PlatformProfile{Name: "jiajiao", Site: "https://jiajiao.example.cn/"}
	if _, err := ResolveProfileTarget(ScanTarget{Profile: "jiajiao", Render: RenderBrowser}, plain, false); ErrorCode(err) != EINVALID ||
		!strings.Contains(err.Error(), "render browser is not the profile's plain") || ErrorMessageZH(err) == "" {
		t.Errorf("browser asked of a plain profile: %v", err)
	}
	if _, err := ResolveProfileTarget(got, PlatformProfile{Name: "x", Site: "http://10.0.0.1/"}, false); ErrorCode(err) != EINVALID {
		t.Errorf("private site: err = %v", err)
	}
	if _, err := ResolveProfileTarget(got, PlatformProfile{Name: "x", Site: "http://10.0.0.1/"}, true); err != nil {
		t.Errorf("private site allowed: %v", err)
	}
}

func TestResolveProfileTargets(t *testing.T) {
	registered := map[string]PlatformProfile{
		"jiajiao": {Name: "jiajiao", Site: "https://jiajiao.example.cn/", Render: RenderBrowser},
		"private": {Name: "private", Site: "http://127.0.0.1:8080/"},
	}
	get := func(_ context.Context, name string) (PlatformProfile, error) {
		if name == "down" {
			return PlatformProfile{}, errors.New("store: connection refused")
		}
		p, ok := registered[name]
		if !ok {
			return PlatformProfile{}, Errorf(ENOTFOUND, "no platform profile %q", name)
		}
		return p, nil
	}
	in := []ScanTarget{{URL: "https://a.example/"}, {Profile: "jiajiao", MaxPages: 30}}
	got, err := ResolveProfileTargets(context.Background(), get, in, false)
	want := []ScanTarget{{URL: "https://a.example/"}, {URL: "https://jiajiao.example.cn/", Profile: "jiajiao", MaxPages: 30, Render: RenderBrowser}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("resolved %+v, %v; want %+v", got, err, want)
	}
	if in[1].URL != "" {
		t.Errorf("the targets given were changed: %+v", in)
	}
	for _, c := range []struct {
		targets []ScanTarget
		code    string
		want    string
	}{
		{[]ScanTarget{{URL: "https://a.example/"}, {Profile: "nope"}}, EINVALID, "targets[1]: profile nope is not registered"},
		{[]ScanTarget{{Profile: "private"}}, EINVALID, "targets[0]: profile private: site"},
		{[]ScanTarget{{Profile: "jiajiao", URL: "https://old.example.cn/"}}, EINVALID, "targets[0]: profile jiajiao: the target's url"},
		{[]ScanTarget{{Profile: "down"}}, EINTERNAL, "connection refused"},
	} {
		_, err := ResolveProfileTargets(context.Background(), get, c.targets, false)
		if ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v (%s), want %s %q", c.targets, err, ErrorCode(err), c.code, c.want)
		}
	}
	if _, err := ResolveProfileTargets(context.Background(), get, []ScanTarget{{Profile: "private"}}, true); err != nil {
		t.Errorf("private site allowed: %v", err)
	}

	// One target alone, named by its place in the scan.
	if got, err := ResolveScanTarget(context.Background(), get, 2, in[0], false); err != nil || got != in[0] {
		t.Errorf("a plain target: %+v, %v; want it as it was", got, err)
	}
	if got, err := ResolveScanTarget(context.Background(), get, 2, in[1], false); err != nil || got != want[1] {
		t.Errorf("a profile's target: %+v, %v; want %+v", got, err, want[1])
	}
	if _, err := ResolveScanTarget(context.Background(), get, 2, ScanTarget{Profile: "nope"}, false); ErrorCode(err) != EINVALID ||
		!strings.Contains(err.Error(), "targets[2]: profile nope is not registered") {
		t.Errorf("an unregistered profile: %v", err)
	}
	if _, err := ResolveScanTarget(context.Background(), get, 2, ScanTarget{Profile: "down"}, false); ErrorCode(err) != EINTERNAL {
		t.Errorf("an unreachable store: %v (%s), want it as get returned it", err, ErrorCode(err))
	}
}

func TestProfileOnly(t *testing.T) {
	resolved := ScanTarget{URL: "https://old.example.cn/", Profile: "jiajiao", MaxPages: 30, Render: RenderBrowser}
	if got := resolved.ProfileOnly(); got != (ScanTarget{Profile: "jiajiao", MaxPages: 30}) {
		t.Errorf("ProfileOnly = %+v", got)
	}
	site := ScanTarget{URL: "https://a.example/", MaxPages: 5, MaxDepth: 2, Render: RenderBrowser}
	if got := site.ProfileOnly(); got != site {
		t.Errorf("a site target changed: %+v", got)
	}
}
