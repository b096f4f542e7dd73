package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"adscan"
)

func TestPlatformProfiles(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		_, err := s.GetProfile(ctx, "jiajiao")
		wantCode(t, err, adscan.ENOTFOUND)

		p := adscan.PlatformProfile{Name: " jiajiao ", Title: "某家教平台", Site: "https://jiajiao.example.cn/",
			Render: adscan.RenderBrowser, YAML: []byte("name: jiajiao\n"), CreatedBy: "wang"}
		got, created, err := s.PutProfile(ctx, p)
		must(t, err)
		if !created || got.Name != "jiajiao" || len(got.Digest) != 64 || got.UpdatedAt.IsZero() {
			t.Fatalf("put = %+v, created %v", got, created)
		}
		p.YAML, p.Title = []byte("name: jiajiao\n# v2\n"), "某家教平台 v2"
		got2, created, err := s.PutProfile(ctx, p)
		must(t, err)
		if created || got2.Digest == got.Digest {
			t.Errorf("replace: created %v, digest unchanged %v", created, got2.Digest == got.Digest)
		}
		stored, err := s.GetProfile(ctx, "jiajiao")
		must(t, err)
		if string(stored.YAML) != "name: jiajiao\n# v2\n" || stored.Title != "某家教平台 v2" || stored.Render != adscan.RenderBrowser ||
			stored.Digest != got2.Digest || stored.CreatedBy != "wang" {
			t.Errorf("stored = %+v", stored)
		}
		_, _, err = s.PutProfile(ctx, adscan.PlatformProfile{Name: "Bad Name", Site: "x", YAML: []byte("x"), CreatedBy: "w"})
		wantCode(t, err, adscan.EINVALID)
		_, _, err = s.PutProfile(ctx, adscan.PlatformProfile{Name: "ok", Site: "https://a.example/", YAML: []byte("x")})
		wantCode(t, err, adscan.EINVALID)
		must2(t)(s.PutProfile(ctx, adscan.PlatformProfile{Name: "another", Site: "https://b.example/", YAML: []byte("x"), CreatedBy: "li"}))
		list, err := s.ListProfiles(ctx)
		must(t, err)
		if len(list) != 2 || list[0].Name != "another" || list[1].Name != "jiajiao" {
			t.Errorf("list = %+v", list)
		}
		audit, err := s.ListAudit(ctx, 0, 100)
		must(t, err)
		var saved []string
		for _, e := range audit {
			if e.Action == adscan.ActionProfileSaved {
				saved = append(saved, e.Actor+" "+e.Detail)
			}
		}
		if len(saved) != 3 || !strings.HasPrefix(saved[0], "li another sha256:") || !strings.HasPrefix(saved[2], "wang jiajiao sha256:"+got.Digest) {
			t.Errorf("audit = %q", saved)
		}
	})
}

func must2(t *testing.T) func(adscan.PlatformProfile, bool, error) {
	return func(_ adscan.PlatformProfile, _ bool, err error) { t.Helper(); must(t, err) }
}

func TestListRegions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		for _, tg := range []adscan.Target{
			{URL: "https://a.example/", Region: "海淀区"}, {URL: "https://b.example/", Region: "朝阳区"},
			{URL: "https://c.example/", Region: "海淀区"}, {URL: "https://d.example/"},
		} {
			_, err := s.UpsertTarget(ctx, tg)
			must(t, err)
		}
		got, err := s.ListRegions(ctx)
		must(t, err)
		if strings.Join(got, ",") != "朝阳区,海淀区" && strings.Join(got, ",") != "海淀区,朝阳区" || len(got) != 2 {
			t.Errorf("regions = %v", got)
		}
	})
}

// TestCaseAttribution checks that a capture's profile and advertiser reach
// its case, that a later capture naming another advertiser updates it, and
// that one naming none leaves it.
func TestCaseAttribution(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openStore(t, b.newDSN(t))
		createScan(t, s, "s1")
		page := target + "post/1"
		put := func(body, advertiser string) adscan.Case {
			t.Helper()
			c := capture("s1", target, page, body)
			c.Profile, c.Advertiser = "jiajiao", advertiser
			id, err := s.PutCapture(ctx, c)
			must(t, err)
			got, err := s.GetCapture(ctx, id)
			must(t, err)
			if got.Profile != "jiajiao" || got.Advertiser != advertiser {
				t.Errorf("capture kept profile %q, advertiser %q", got.Profile, got.Advertiser)
			}
			cs, _, err := s.RecordFindings(ctx, adscan.FindingsInput{ScanID: "s1", Target: target, URL: page, CaptureID: id,
				Flags: []adscan.Flag{flag(adscan.CategoryHolidayTraining, "暑假班")}})
			must(t, err)
			return cs
		}
		c := put("v1", "学霸堂培训学校")
		if c.Profile != "jiajiao" || c.Advertiser != "学霸堂培训学校" {
			t.Fatalf("new case: profile %q, advertiser %q", c.Profile, c.Advertiser)
		}
		c = put("v2", "启航教育")
		if c.Advertiser != "启航教育" {
			t.Errorf("after a capture naming another: %q", c.Advertiser)
		}
		c = put("v3", "")
		if c.Advertiser != "启航教育" {
			t.Errorf("after a capture naming none: %q", c.Advertiser)
		}
		// Names changing back and forth go into the search column once.
		var before string
		must(t, s.db.QueryRowContext(ctx, `SELECT search FROM cases WHERE id = $1`, c.ID).Scan(&before))
		for i := range 4 {
			put(fmt.Sprintf("w%d", i), []string{"学霸堂培训学校", "启航教育"}[i%2])
		}
		var after string
		must(t, s.db.QueryRowContext(ctx, `SELECT search FROM cases WHERE id = $1`, c.ID).Scan(&after))
		if after != before {
			t.Errorf("search column grew from %q to %q", before, after)
		}
		put("w9", "启航教育")
		// The queue's search finds both names.
		for _, q := range []string{"学霸堂", "启航"} {
			list, err := s.ListCases(ctx, adscan.CaseFilter{Search: q})
			must(t, err)
			if len(list) != 1 || list[0].Advertiser != "启航教育" || list[0].Profile != "jiajiao" {
				t.Errorf("search %q: %+v", q, list)
			}
		}
		bad := capture("s1", target, target+"post/2", "x")
		bad.Advertiser = strings.Repeat("名", 100)
		_, err := s.PutCapture(ctx, bad)
		wantCode(t, err, adscan.EINVALID)
	})
}
