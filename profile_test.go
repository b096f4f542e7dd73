package adscan

import (
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
	if _, err := ResolveProfileTarget(got, PlatformProfile{Name: "x", Site: "http://10.0.0.1/"}, false); ErrorCode(err) != EINVALID {
		t.Errorf("private site: err = %v", err)
	}
	if _, err := ResolveProfileTarget(got, PlatformProfile{Name: "x", Site: "http://10.0.0.1/"}, true); err != nil {
		t.Errorf("private site allowed: %v", err)
	}
}
