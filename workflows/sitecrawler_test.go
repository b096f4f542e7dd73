package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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

// TestCheckpointEncoding: the heartbeated state of a large crawl (30,000
// URLs seen, 20,000 pending, as a 10,000-page site leaves it) fits well
// under Temporal's 2 MB heartbeat limit, and decodes to what was encoded;
// plain JSON from earlier versions still decodes.
func TestCheckpointEncoding(t *testing.T) {
	var cp crawler.Checkpoint
	for i := range 30000 {
		u := fmt.Sprintf("https://www.peixun-example.cn/news/2026/%02d/%05d.html?from=list&page=%d", i%12+1, i, i%40)
		cp.Seen = append(cp.Seen, u)
		if i >= 10000 {
			cp.Frontier = append(cp.Frontier, crawler.Item{URL: u, Depth: 3})
		}
	}
	cp.Pages = 10000
	b, err := encodeCheckpoint(cp)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > maxHeartbeatState {
		t.Errorf("encoded checkpoint is %d bytes, over maxHeartbeatState %d", len(b), maxHeartbeatState)
	}
	t.Logf("30,000 seen + 20,000 pending: %d KB encoded", len(b)>>10)
	var back crawler.Checkpoint
	if err := decodeCheckpoint(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cp) {
		t.Error("decoded checkpoint differs")
	}
	plain, _ := json.Marshal(cp)
	back = crawler.Checkpoint{}
	if err := decodeCheckpoint(plain, &back); err != nil || back.Pages != cp.Pages || len(back.Seen) != len(cp.Seen) {
		t.Errorf("plain JSON checkpoint: %v, %d pages", err, back.Pages)
	}
}
