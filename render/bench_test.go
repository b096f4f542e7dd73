package render

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Benchmarks (Chromium needed), e.g.
//
//	go test -run '^$' -bench . -benchtime 40x ./render/
//
// BenchmarkRender renders the bench site's pages in a pool of 1 and of 2
// browsers (pages/s, and the browsers' memory after the run);
// BenchmarkPlainGET fetches the same pages with net/http; BenchmarkScreenshot
// captures one open page (time per capture, PNG size).

// benchPages are a static article and a listing page built by script from
// JSON, both in Chinese, about the size of a training institution's pages.
func benchPages() map[string]string {
	var article strings.Builder
	article.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>暑期课程介绍</title>
<style>body{font:16px/1.6 sans-serif;max-width:960px;margin:0 auto}h2{color:#c00}</style></head><body><h1>暑期课程介绍</h1>`)
	for i := range 60 {
		fmt.Fprintf(&article, "<h2>第%d节</h2><p>本中心暑期开设小学数学、英语、语文提高班，小班授课，每班不超过十二人。课程安排在每周一至周五上午九点至十一点半，家长可预约试听。</p>", i+1)
	}
	article.WriteString(`</body></html>`)
	var items []string
	for i := range 50 {
		items = append(items, fmt.Sprintf(`{"t":"第%d期 暑假数学提前学","p":"名校老师授课，录取率98%%","n":%d}`, i+1, 3000+i))
	}
	listing := `<!doctype html><html><head><meta charset="utf-8"><title>课程列表</title>
<style>body{font:15px sans-serif;margin:0}ul{list-style:none;padding:0}li{border-bottom:1px solid #ddd;padding:12px}</style></head>
<body><h1>课程列表</h1><ul id="list"><li>加载中</li></ul><script>
fetch('/items.json').then(r => r.json()).then(items => {
	document.getElementById('list').innerHTML = items.map(i => '<li><b>' + i.t + '</b><p>' + i.p + '</p><span>￥' + i.n + '</span></li>').join('');
});
</script></body></html>`
	return map[string]string{"/article": article.String(), "/listing": listing, "/items.json": "[" + strings.Join(items, ",") + "]"}
}

var benchPaths = []string{"/article", "/listing"}

// benchConfig is the production configuration with the bench site let
// through.
func benchConfig(b *testing.B, browsers int) Config {
	return Config{Chromium: chromiumForTest(b), MaxBrowsers: browsers, Logger: testConfig(b).Logger}
}

func BenchmarkRender(b *testing.B) {
	s := newSite(b, benchPages())
	for _, browsers := range []int{1, 2} {
		b.Run(fmt.Sprintf("browsers=%d", browsers), func(b *testing.B) {
			p := newTestPool(b, benchConfig(b, browsers), s)
			var warm sync.WaitGroup
			for range browsers { // start every browser before timing
				warm.Go(func() {
					if _, err := p.Render(context.Background(), s.URL+"/article"); err != nil {
						b.Error(err)
					}
				})
			}
			warm.Wait()
			b.ResetTimer()
			var next atomic.Int64
			var wg sync.WaitGroup
			for range browsers {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						r, err := p.Render(context.Background(), s.URL+benchPaths[i%int64(len(benchPaths))])
						if err != nil || !strings.Contains(r.Text, "暑") {
							b.Errorf("render: %v", err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
			var mem int64
			for range browsers {
				sl := <-p.slots
				if sl.b != nil {
					m, _ := sl.b.memory()
					mem = max(mem, m)
				}
				defer func() { p.slots <- sl }()
			}
			b.ReportMetric(float64(mem)/(1<<20), "browser-MiB")
		})
	}
}

func BenchmarkPlainGET(b *testing.B) {
	s := newSite(b, benchPages())
	client := &http.Client{}
	b.ResetTimer()
	for i := range b.N {
		resp, err := client.Get(s.URL + benchPaths[i%len(benchPaths)])
		if err != nil {
			b.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

func BenchmarkScreenshot(b *testing.B) {
	s := newSite(b, benchPages())
	for _, path := range benchPaths {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			p := newTestPool(b, benchConfig(b, 1), s)
			pg, err := p.Open(context.Background(), s.URL+path)
			if err != nil {
				b.Fatal(err)
			}
			defer pg.Close()
			var size, height int
			b.ResetTimer()
			for range b.N {
				shot, err := pg.Screenshot(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				size, height = len(shot.PNG), shot.Height
			}
			b.ReportMetric(float64(size)/1024, "png-KiB")
			b.ReportMetric(float64(height), "px-tall")
		})
	}
}
