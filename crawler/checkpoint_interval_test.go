package crawler

import (
	"context"
	"testing"
	"time"

	"adscan/crawler/fakesite"
)

func TestCheckpointInterval(t *testing.T) {
	site := fakesite.NewGenerated(30)
	defer site.Close()
	for _, tt := range []struct {
		interval time.Duration
		min, max int
	}{
		{0, 30, 1000},     // one per page (and per sitemap or robots outcome), plus the last
		{time.Hour, 2, 2}, // the first page's and the last
	} {
		cfg := testConfig(site.URL + "/p/0.html")
		cfg.MaxDepth = 20
		cfg.CheckpointInterval = tt.interval
		c, err := New(cfg, substringClassifier{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		var last Checkpoint
		if _, err := c.Run(context.Background(), nil, nil, func(cp Checkpoint) { n++; last = cp }); err != nil {
			t.Fatal(err)
		}
		if n < tt.min || n > tt.max {
			t.Errorf("interval %s: %d checkpoints, want %d..%d", tt.interval, n, tt.min, tt.max)
		}
		if last.Pages != 30 || len(last.Frontier) != 0 {
			t.Errorf("interval %s: last checkpoint has %d pages and %d pending, want 30 and 0", tt.interval, last.Pages, len(last.Frontier))
		}
	}
}
