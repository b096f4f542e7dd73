package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"

	"adscan"
	"adscan/crawler"
	"adscan/crawler/fakesite"
)

// keywordClassifier flags tutoring_ad wherever 报名 occurs: enough to tell
// flagged pages from clean ones without the real lexicon.
type keywordClassifier struct{}

func (keywordClassifier) Classify(doc adscan.Document) adscan.Result {
	res := adscan.Result{Lexicon: adscan.LexiconRef{Name: "test", Version: "1"}}
	if i := strings.Index(doc.Text, "报名"); i >= 0 {
		res.Flags = []adscan.Flag{{Category: adscan.CategoryTutoringAd, Score: 1,
			Evidence: []adscan.Evidence{{Text: "报名", Start: i, End: i + len("报名")}}}}
	}
	return res
}

func TestCollyCrawlerResumesWithoutRepeats(t *testing.T) {
	site := fakesite.NewGenerated(40)
	defer site.Close()
	cc := &CollyCrawler{
		Base:       crawler.Config{AllowPrivate: true, Delay: -1, MaxPages: 100, MaxDepth: 20, Parallelism: 2},
		Classifier: keywordClassifier{},
	}
	target := adscan.ScanTarget{URL: site.URL + "/p/0.html"}
	delivered := map[string]int{}
	flagged := 0
	errStop := errors.New("worker died")

	var state []byte
	onCheckpoint := func(b []byte) { state = b }
	// The first attempt dies after 12 pages.
	_, err := cc.Crawl(context.Background(), target, nil, func(_ context.Context, p CrawledPage) error {
		if len(delivered) == 12 {
			return errStop
		}
		delivered[p.Capture.RequestedURL]++
		return nil
	}, onCheckpoint)
	if !errors.Is(err, errStop) {
		t.Fatalf("first attempt: err = %v, want the onPage error", err)
	}
	if len(state) == 0 {
		t.Fatal("no checkpoint was handed over")
	}
	// The retry resumes from the last checkpoint.
	stats, err := cc.Crawl(context.Background(), target, state, func(_ context.Context, p CrawledPage) error {
		delivered[p.Capture.RequestedURL]++
		if p.Result.Flagged() {
			flagged++
		}
		if p.Err != "" {
			t.Errorf("%s: %s", p.Capture.RequestedURL, p.Err)
		}
		return nil
	}, onCheckpoint)
	if err != nil {
		t.Fatalf("resumed crawl: %v", err)
	}
	if len(delivered) != 40 {
		t.Errorf("pages delivered = %d, want all 40", len(delivered))
	}
	for u, n := range delivered {
		if n != 1 {
			t.Errorf("%s delivered %d times", u, n)
		}
	}
	if stats.Pages != 40 {
		t.Errorf("stats.Pages = %d, want 40 (counted over both attempts)", stats.Pages)
	}
	if flagged == 0 {
		t.Error("no page flagged; every fifth page carries an advert")
	}
}

func TestCollyCrawlerInvalidTarget(t *testing.T) {
	cc := &CollyCrawler{Classifier: keywordClassifier{}}
	_, err := cc.Crawl(context.Background(), adscan.ScanTarget{URL: "ftp://example.org/"}, nil,
		func(context.Context, CrawledPage) error { return nil }, func([]byte) {})
	if adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), "ftp://example.org/") {
		t.Fatalf("err = %v, want EINVALID naming the URL", err)
	}
}
