package classifier

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"adscan"
)

// The benchmark corpus: about benchBytes of page-sized Chinese text built
// deterministically from the labelled corpus and the policy text. Sentences
// are shuffled (fixed seed) into pages of 5–30 KB; like a real crawl, most
// pages (cleanShare) are made only of sentences in which the prefilter finds
// no group term, the rest hold a whole advert page of the corpus.
const (
	benchBytes   = 20 << 20
	benchSeed    = 2021
	cleanShare   = 0.9
	minPageBytes = 5 << 10
	maxPageBytes = 30 << 10
)

var benchPagesDir = flag.String("benchpages", "", "TestWriteBenchPages writes the benchmark pages to this directory")

// TestWriteBenchPages writes the benchmark pages as files, for measuring
// `adscan classify` on them: go test ./classifier -run TestWriteBenchPages -benchpages DIR
func TestWriteBenchPages(t *testing.T) {
	if *benchPagesDir == "" {
		t.Skip("no -benchpages DIR")
	}
	set, err := benchPages()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(*benchPagesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range set.pages {
		if err := os.WriteFile(filepath.Join(*benchPagesDir, fmt.Sprintf("page%05d.txt", i)), []byte(set.page(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// corpusFile is one file of the labelled corpus or the policy text, as
// extracted text, with its clean sentences: those in which the prefilter
// finds no group term (nor a literal a rule pattern requires).
type corpusFile struct {
	path  string // relative to testdata
	text  string
	clean []string
}

// corpusFiles reads the labelled corpus and the policy text, in a fixed
// order, and splits out each file's clean sentences. The benchmark pads its
// pages with them and the mixed-page evaluation embeds documents among them.
var corpusFiles = sync.OnceValues(func() ([]corpusFile, error) {
	c, err := defaultClassifier()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, pattern := range []string{"testdata/corpus/*/*", "testdata/policy/*.txt"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			return nil, err
		}
		paths = append(paths, m...)
	}
	var files []corpusFile
	for _, p := range paths {
		if filepath.Ext(p) == ".yaml" {
			continue
		}
		text, err := extractFile(p)
		if err != nil {
			return nil, err
		}
		f := corpusFile{path: filepath.ToSlash(strings.TrimPrefix(p, "testdata/")), text: text}
		for _, s := range splitSentences(text) {
			if !hasGroupCandidate(c, s) {
				f.clean = append(f.clean, s)
			}
		}
		files = append(files, f)
	}
	return files, nil
})

var benchPages = sync.OnceValues(func() (*pageSet, error) {
	files, err := corpusFiles()
	if err != nil {
		return nil, err
	}
	// Clean pages are made of sentences in which the prefilter finds no
	// group term; the others are a whole advert page of the corpus (pos/)
	// padded to size with clean sentences, as an ad block sits on an
	// otherwise ordinary page.
	var ads, clean []string
	for _, f := range files {
		if strings.HasPrefix(f.path, "corpus/pos/") {
			ads = append(ads, f.text)
		}
		clean = append(clean, f.clean...)
	}
	rng := rand.New(rand.NewPCG(benchSeed, benchSeed))
	set := &pageSet{}
	for set.bytes < benchBytes {
		size := minPageBytes + rng.IntN(maxPageBytes-minPageBytes)
		var page []int32
		n := 0
		if rng.Float64() >= cleanShare {
			k := rng.IntN(len(ads))
			page = append(page, int32(len(clean)+k), -1)
			n += len(ads[k]) + 1
		}
		for n < size {
			k := rng.IntN(len(clean))
			page = append(page, int32(k))
			n += len(clean[k])
			if rng.IntN(4) == 0 {
				page = append(page, -1) // a line break
				n++
			}
		}
		set.pages = append(set.pages, page)
		set.bytes += int64(n)
	}
	set.pool = append(clean, ads...)
	return set, nil
})

// pageSet holds the benchmark pages as lists of sentences, so that only the
// page being classified is in memory as text (the corpus of 20 MB would
// otherwise add to the live heap that the collector doubles).
type pageSet struct {
	pool  []string  // sentences
	pages [][]int32 // indexes into pool; -1 is a line break
	bytes int64
}

// page returns the text of page i.
func (s *pageSet) page(i int) string {
	var b strings.Builder
	for _, k := range s.pages[i] {
		if k < 0 {
			b.WriteByte('\n')
		} else {
			b.WriteString(s.pool[k])
		}
	}
	return b.String()
}

// splitSentences cuts text after 。！？ and line breaks, dropping empty pieces.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if r == '。' || r == '！' || r == '？' || r == '\n' {
			end := i + len(string(r))
			if s := strings.TrimSpace(text[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func hasGroupCandidate(c *Classifier, s string) bool {
	norm, _ := c.norm.normalize(s)
	found := false
	c.pf.scan(norm, func(o occurrence) {
		for _, ref := range c.pf.refs[o.pattern] {
			found = found || ref.kind == kindGroup || ref.kind == kindLiteral
		}
	})
	return found
}

// peakHeap samples the live heap every millisecond until stopped.
type peakHeap struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func startPeakHeap() *peakHeap {
	runtime.GC()
	p := &peakHeap{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(p.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) finish() float64 {
	close(p.stop)
	<-p.done
	return float64(p.peak.Load()) / (1 << 20)
}

func mustBenchPages(b *testing.B) *pageSet {
	b.Helper()
	set, err := benchPages()
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// BenchmarkClassify runs the classifier with the default lexicon end to
// end over the benchmark corpus, page by page on one goroutine.
func BenchmarkClassify(b *testing.B) {
	c := mustDefaultClassifier(b)
	set := mustBenchPages(b)
	flagged := 0
	peak := startPeakHeap()
	b.SetBytes(set.bytes)
	b.ResetTimer()
	for b.Loop() {
		flagged = 0
		for i := range set.pages {
			if c.Classify(adscan.Document{Text: set.page(i)}).Flagged() {
				flagged++
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(peak.finish(), "peak-heap-MB")
	b.ReportMetric(float64(len(set.pages)), "pages")
	b.ReportMetric(float64(flagged), "flagged")
}

// BenchmarkGseCut runs gse's Cut alone (embedded dictionary, default
// options) over the same pages, page by page on one goroutine.
func BenchmarkGseCut(b *testing.B) {
	seg, err := SharedSegmenter()
	if err != nil {
		b.Fatal(err)
	}
	set := mustBenchPages(b)
	peak := startPeakHeap()
	b.SetBytes(set.bytes)
	b.ResetTimer()
	for b.Loop() {
		for i := range set.pages {
			seg.Cut(set.page(i))
		}
	}
	b.StopTimer()
	b.ReportMetric(peak.finish(), "peak-heap-MB")
	b.ReportMetric(float64(len(set.pages)), "pages")
}
