package crawler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"adscan"
	"adscan/crawler"
	"adscan/crawler/fakesite"
)

// keywordClassifier flags elite_admission for pages that mention 名校录取.
type keywordClassifier struct{}

func (keywordClassifier) Classify(doc adscan.Document) adscan.Result {
	var r adscan.Result
	if strings.Contains(doc.Text, "名校录取") {
		r.Flags = []adscan.Flag{{Category: adscan.CategoryEliteAdmission, Score: 1}}
	}
	return r
}

// An orchestrator runs a crawl, stores each page's evidence as it comes,
// and keeps the latest checkpoint (a Temporal activity heartbeats it) so a
// crawl interrupted by a crash can be resumed with Run(ctx, &checkpoint, …).
func ExampleCrawler_Run() {
	site := fakesite.NewGenerated(12)
	defer site.Close()
	c, err := crawler.New(crawler.Config{
		Seeds:        []string{site.URL + "/p/0.html"},
		MaxPages:     10,
		Delay:        -1,   // no politeness delay: this is a local test site
		AllowPrivate: true, // the test site is on loopback
		Parallelism:  1,
		Logger:       slog.New(slog.DiscardHandler),
	}, keywordClassifier{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var checkpoint []byte
	sum, err := c.Run(context.Background(), nil,
		func(p crawler.Page) error {
			if p.Result.Flagged() {
				fmt.Println("flagged:", strings.TrimPrefix(p.Capture.FinalURL, site.URL), len(p.Capture.WARC) > 0)
			}
			return nil // store p.Capture and p.Result here
		},
		func(cp crawler.Checkpoint) { checkpoint, _ = json.Marshal(cp) })
	if err != nil {
		fmt.Println(err)
		return
	}
	var cp crawler.Checkpoint
	_ = json.Unmarshal(checkpoint, &cp)
	fmt.Println(sum.Pages, "pages,", sum.Flagged, "flagged, stopped:", sum.Stopped)
	fmt.Println("left in the frontier:", len(cp.Frontier))
	// Output:
	// flagged: /p/0.html true
	// flagged: /p/5.html true
	// 10 pages, 2 flagged, stopped: max pages
	// left in the frontier: 2
}
