package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"adscan"
	"adscan/accounts"
)

func TestVerifiedCache(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	c := newVerifiedCache([]byte("0123456789abcdef0123456789abcdef"), func() time.Time { return now })
	if c.has("a", "pw", "h1") {
		t.Fatal("empty cache has an entry")
	}
	c.add("a", "pw", "h1")
	if !c.has("a", "pw", "h1") {
		t.Fatal("added entry missing")
	}
	for _, k := range [][3]string{{"a", "pw2", "h1"}, {"a", "pw", "h2"}, {"b", "pw", "h1"}, {"apw", "", "h1"}} {
		if c.has(k[0], k[1], k[2]) {
			t.Errorf("has(%q) for a different triple", k)
		}
	}
	now = now.Add(verifiedTTL)
	if c.has("a", "pw", "h1") {
		t.Error("entry outlived its TTL")
	}
}

// BenchmarkBasicAuthRequest measures GET /api/me with Basic credentials
// whose hash has bcrypt's default cost: the first request pays for bcrypt,
// later ones hit the verified cache.
func BenchmarkBasicAuthRequest(b *testing.B) {
	h := newHarness(b)
	u, err := accounts.NewUser("bench", adscan.RoleViewer, testPassword, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := h.store.CreateUser(context.Background(), u, "test"); err != nil {
		b.Fatal(err)
	}
	handler := h.srv.Handler()
	for b.Loop() {
		r := httptest.NewRequest("GET", "/api/me", nil)
		r.SetBasicAuth("bench", testPassword)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
