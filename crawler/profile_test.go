package crawler

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"adscan"
	"adscan/classifier"
	"adscan/crawler/fakesite"
	"adscan/lexicon"
	"adscan/profile"
	"adscan/render"
)

// defaultClassifier is the embedded default lexicon's classifier, built once.
var defaultClassifier = sync.OnceValues(func() (adscan.Classifier, error) {
	lex, err := lexicon.Default()
	if err != nil {
		return nil, err
	}
	return classifier.New(lex)
})

// platformPool starts a browser pool that lets the fake platform through
// (and no other private address), skipping without Chromium.
func platformPool(t *testing.T, p *fakesite.Platform) *render.Pool {
	t.Helper()
	path := chromiumPath(t, "profile crawls of the JavaScript platform")
	pool, err := render.NewPool(render.Config{
		Chromium: path, MaxBrowsers: 1, SettleTime: 300 * time.Millisecond,
		NavigationTimeout: 5 * time.Second, PageTimeout: 20 * time.Second, MaxScreenshotHeight: 2000,
		ExemptAddrs: []string{p.HostPort()},
		Logger:      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// profileCrawl crawls the platform as the profile in yaml says and
// returns its pages by requested URL.
func profileCrawl(t *testing.T, yaml string, pool *render.Pool) (map[string]Page, Summary, *profile.Profile) {
	t.Helper()
	prof, err := profile.Parse([]byte(yaml), "platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seeds, err := prof.Seeds(nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := defaultClassifier()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(seeds...)
	cfg.Target, cfg.Profile, cfg.MaxPages = prof.Site, prof, prof.MaxPages
	cfg.Delay = *prof.CrawlDelay
	cfg.Parallelism = 2
	cfg.Render, cfg.Browser = prof.Render == adscan.RenderBrowser, pool
	c, err := New(cfg, cl)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]Page{}
	var mu sync.Mutex
	sum, err := c.Run(context.Background(), nil, func(p Page) error {
		mu.Lock()
		defer mu.Unlock()
		pages[p.Capture.RequestedURL] = p
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pages, sum, prof
}

func flaggedURLs(pages map[string]Page) []string {
	var out []string
	for u, p := range pages {
		if p.Result.Flagged() {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// TestProfileCrawlOfJavaScriptPlatform is issue 10's fake platform: a plain
// crawl finds nothing; the profile, rendered, finds every violating detail
// page and no other page, each attributed to the profile and to the
// advertiser it names.
func TestProfileCrawlOfJavaScriptPlatform(t *testing.T) {
	site := fakesite.NewPlatform()
	defer site.Close()
	pool := platformPool(t, site)
	cl, err := defaultClassifier()
	if err != nil {
		t.Fatal(err)
	}

	// A plain crawl of the whole site: shells without adverts or links.
	plainCfg := testConfig(site.URL + "/")
	c, err := New(plainCfg, cl)
	if err != nil {
		t.Fatal(err)
	}
	var plainPages, plainFlagged int
	if _, err := c.Run(context.Background(), nil, func(p Page) error {
		plainPages++
		if p.Result.Flagged() {
			plainFlagged++
			t.Errorf("plain crawl flagged %s", p.Capture.RequestedURL)
		}
		if strings.Contains(p.Capture.RequestedURL, "/post/") {
			t.Errorf("plain crawl reached detail page %s, linked only by scripts", p.Capture.RequestedURL)
		}
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if plainPages < 3 {
		t.Errorf("plain crawl fetched %d pages; want the home page and its searches at least", plainPages)
	}

	// The same profile without a browser: its search pages are fetched,
	// and they show no link to follow.
	plainProfile := strings.Replace(fakesite.PlatformProfileYAML("fake-platform", site.URL, "[海淀区, 朝阳区]", 3, 0), "render: browser", "render: plain", 1)
	pages, _, _ := profileCrawl(t, plainProfile, nil)
	if len(pages) != 4 || len(flaggedURLs(pages)) != 0 {
		t.Errorf("plain profile crawl: %d pages (want the 4 searches), flagged %v", len(pages), flaggedURLs(pages))
	}

	const delay = 150 * time.Millisecond
	before := len(site.Requests())
	pages, sum, _ := profileCrawl(t, fakesite.PlatformProfileYAML("fake-platform", site.URL, "[海淀区, 朝阳区]", 3, delay), pool)
	var want []string
	publishers := map[string]string{}
	for _, ad := range fakesite.PlatformAds {
		u := site.PostURL(ad.ID)
		if _, ok := pages[u]; !ok {
			t.Errorf("detail page %s (%s) not crawled", u, ad.Title)
		}
		if ad.Violates {
			want = append(want, u)
			publishers[u] = ad.Publisher
		}
	}
	sort.Strings(want)
	if got := flaggedURLs(pages); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("flagged %v\nwant     %v", got, want)
	}
	for u, p := range pages {
		if p.Err != nil {
			t.Errorf("%s: %v", u, p.Err)
		}
		if p.Capture.Profile != "fake-platform" {
			t.Errorf("%s: capture names profile %q", u, p.Capture.Profile)
		}
		isDetail := strings.Contains(u, "/post/")
		if !isDetail && (p.Capture.Advertiser != "" || p.Result.Lexicon != (adscan.LexiconRef{})) {
			t.Errorf("listing %s was classified or attributed (advertiser %q)", u, p.Capture.Advertiser)
		}
		if isDetail && !strings.Contains(p.Capture.Text, "发布机构") {
			t.Errorf("detail page %s not rendered: %q", u, p.Capture.Text)
		}
		if name, ok := publishers[u]; ok {
			if p.Capture.Advertiser != name {
				t.Errorf("%s: advertiser %q, want %q", u, p.Capture.Advertiser, name)
			}
			if p.Capture.Screenshot == nil {
				t.Errorf("%s: flagged without a screenshot (%s)", u, p.Capture.ScreenshotError)
			}
		}
		if strings.HasSuffix(u, "/report") || strings.Contains(u, "/login") || strings.HasSuffix(u, "/about") {
			t.Errorf("%s crawled; the profile does not follow it", u)
		}
	}
	// 4 searches, 2 second pages (暑假 in either city), 8 detail pages.
	if len(pages) != 14 || sum.Flagged != len(want) {
		t.Errorf("%d pages, %d flagged; want 14 and %d", len(pages), sum.Flagged, len(want))
	}

	// The profile's crawl delay spaces the pages' requests (the scripts'
	// and the browser's own requests for a page, /api/… and
	// /favicon.ico, count with it).
	var docs []time.Time
	for _, r := range site.Requests()[before:] {
		if strings.HasPrefix(r.Path, "/search?") || strings.HasPrefix(r.Path, "/post/") {
			docs = append(docs, r.At)
		}
	}
	for i := 1; i < len(docs); i++ {
		if gap := docs[i].Sub(docs[i-1]); gap < delay-20*time.Millisecond {
			t.Errorf("requests %d and %d of pages %s apart; the profile's crawl delay is %s", i-1, i, gap, delay)
		}
	}
}

// TestProfileCrawlPaginationLimit checks listing.max_pages: with 1, no
// second page is fetched, and the advert listed only there is not found.
func TestProfileCrawlPaginationLimit(t *testing.T) {
	site := fakesite.NewPlatform()
	defer site.Close()
	pool := platformPool(t, site)
	pages, _, _ := profileCrawl(t, fakesite.PlatformProfileYAML("fake-platform", site.URL, "[海淀区, 朝阳区]", 1, 0), pool)
	for u := range pages {
		if strings.Contains(u, "page=") {
			t.Errorf("second listing page %s fetched with listing.max_pages 1", u)
		}
	}
	if _, ok := pages[site.PostURL(3)]; ok {
		t.Errorf("ad 3, listed only on a second page, was crawled")
	}
	if _, ok := pages[site.PostURL(1)]; !ok {
		t.Errorf("ad 1, on a first page, was not crawled; pages %v", keys(pages))
	}
}
