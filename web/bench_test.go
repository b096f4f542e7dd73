package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/store"
	"adscan/store/storetest"
)

// The console's benchmarks over 100,000 synthetic cases on 1,000 targets
// (all categories, every state), on SQLite and — when ADSCAN_TEST_POSTGRES
// names a server — on PostgreSQL:
//
//	go test -run '^$' -bench 'Queue|Dashboard|CasePage' -benchtime 20x ./web/
//
// Seeding takes a few seconds on SQLite and longer on PostgreSQL; it is
// not timed.
const (
	benchTargets = 1000
	benchCases   = 100000
)

// benchServer is a server over a store seeded with synthetic cases,
// signed in as a reviewer by Basic credentials.
type benchServer struct {
	srv   *Server
	store *store.Store
}

func newBenchServer(b *testing.B, dsn string, cases int) *benchServer {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Now()
	if err := st.SeedSynthetic(ctx, store.SyntheticSpec{Targets: benchTargets, Cases: cases, Now: now, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Store: st, Orchestrator: newFakeOrchestrator(st), Logger: slog.New(slog.DiscardHandler),
		SessionKey: bytes.Repeat([]byte("k"), 32), Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	h := &harness{t: b, srv: srv, store: st, logs: &bytes.Buffer{}, now: now}
	h.addUser("reviewer", adscan.RoleReviewer)
	return &benchServer{srv: srv, store: st}
}

func (s *benchServer) get(b *testing.B, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.SetBasicAuth("reviewer", testPassword)
	w := httptest.NewRecorder()
	s.srv.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String()[:min(300, w.Body.Len())])
	}
	return w
}

// eachBenchBackend runs fn on SQLite and, when configured, PostgreSQL.
func eachBenchBackend(b *testing.B, fn func(b *testing.B, dsn func(testing.TB) string)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLiteDSN) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.PostgresDSN) })
}

// BenchmarkQueuePage renders the queue's first page with a state, a
// category and a search on (goal: < 100 ms), and its next page.
func BenchmarkQueuePage(b *testing.B) {
	eachBenchBackend(b, func(b *testing.B, dsn func(testing.TB) string) {
		s := newBenchServer(b, dsn(b), benchCases)
		path := benchQueuePath
		w := s.get(b, path)
		if !strings.Contains(w.Body.String(), "table class=\"cases\"") {
			b.Fatal("no queue table")
		}
		b.ResetTimer()
		for b.Loop() {
			s.get(b, path)
		}
	})
}

// BenchmarkDashboard renders the dashboard (goal: < 300 ms).
func BenchmarkDashboard(b *testing.B) {
	eachBenchBackend(b, func(b *testing.B, dsn func(testing.TB) string) {
		s := newBenchServer(b, dsn(b), benchCases)
		b.ResetTimer()
		for b.Loop() {
			s.get(b, "/")
		}
	})
}

// BenchmarkCasePage renders a case with 500 evidence spans over 1 MB of
// captured text (goal: < 100 ms).
func BenchmarkCasePage(b *testing.B) {
	eachBenchBackend(b, func(b *testing.B, dsn func(testing.TB) string) {
		s := newBenchServer(b, dsn(b), 0)
		ctx := context.Background()
		var text strings.Builder
		var ev []adscan.Evidence
		for text.Len() < 1<<20 {
			if len(ev) < 500 && text.Len()%2000 < 100 {
				start := text.Len()
				text.WriteString("暑假数学集训营火热报名中")
				ev = append(ev, adscan.Evidence{Text: "暑假数学集训营火热报名中", Start: start, End: text.Len(), Rule: "ht-1"})
			}
			text.WriteString("这是一段很长的页面文字，用来测量案件页的渲染速度。")
		}
		for len(ev) < 500 {
			ev = append(ev, ev[len(ev)%len(ev)])
		}
		capID, err := s.store.PutCapture(ctx, adscan.Capture{ScanID: "bench", Target: "https://jigou0000.example.cn/",
			RequestedURL: "https://jigou0000.example.cn/big", FinalURL: "https://jigou0000.example.cn/big", Status: 200,
			FetchedAt: time.Now(), BodySHA256: strings.Repeat("a", 64), BodySize: int64(text.Len()), Text: text.String(),
			TextSHA256: strings.Repeat("b", 64)})
		if err != nil {
			b.Fatal(err)
		}
		c, _, err := s.store.RecordFindings(ctx, adscan.FindingsInput{ScanID: "bench", Target: "https://jigou0000.example.cn/",
			URL: "https://jigou0000.example.cn/big", CaptureID: capID,
			Flags: []adscan.Flag{{Category: adscan.CategoryHolidayTraining, Score: 0.9, Evidence: ev}}})
		if err != nil {
			b.Fatal(err)
		}
		w := s.get(b, "/cases/"+c.ID)
		if n := strings.Count(w.Body.String(), "<mark "); n < 400 {
			b.Fatalf("%d marked spans, want about 500", n)
		}
		b.SetBytes(int64(text.Len()))
		b.ResetTimer()
		for b.Loop() {
			s.get(b, "/cases/"+c.ID)
		}
	})
}

var benchQueuePath = "/cases?state=open&category=ranking&q=" + url.QueryEscape("状元")
