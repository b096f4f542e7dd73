package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adscan"
	"adscan/classifier/voice"
)

func TestURLKeyMatchesIsExcluded(t *testing.T) {
	// Each URL with the key ../shared/eval/is-excluded computes for it
	// (Python's urlsplit), recorded from the script's own key function.
	for _, tc := range []struct{ in, want string }{
		{"https://www.Example.com/a/b/", "example.com/a/b"},
		{"http://example.com", "example.com"},
		{"example.com/x?q=1#frag", "example.com/x?q=1"},
		{"https://u:p@WWW.example.com:8080/p/?", "example.com/p"},
		{"https://hbbwzsytb.com/tag/教育部要求.html", "hbbwzsytb.com/tag/教育部要求.html"},
		{"example.com/a?next=http://b.com/c", "example.com/a?next=http://b.com/c"},
		{"//example.com/a", "//example.com/a"},
		{"://example.com/a", "://example.com/a"},
		{"http://[::1]:8080/x/", "::1/x"},
		{"HTTP://WWW.A.COM/%E6%95%99/", "a.com/%E6%95%99"},
		{"ftp://a.com/x", "a.com/x"},
		{"http://a.com/x?", "a.com/x"},
		{"mailto:x@y.com", "y.com"},
		{"http://a.com/x\twith/tab", "a.com/xwith/tab"},
	} {
		if got := URLKey(tc.in); got != tc.want {
			t.Errorf("URLKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if Site("https://www.A.com:81/x") != "a.com" {
		t.Errorf("Site = %q", Site("https://www.A.com:81/x"))
	}
}

func TestExcludedAgreesWithTheEvaluationList(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "eval", "excluded-urls.sha256")
	ex, err := ReadExcluded(path)
	if err != nil {
		t.Skipf("no evaluation list beside the repository: %v", err)
	}
	if len(ex) == 0 {
		t.Fatal("empty list")
	}
	if ex.Has("https://example.invalid/never-listed") {
		t.Error("an unlisted URL is excluded")
	}
}

// TestExcludedHas: a listed URL is found under every spelling that shares
// its key, and no other page is.
func TestExcludedHas(t *testing.T) {
	sum := sha256.Sum256([]byte("jigou.example.cn/kecheng/1"))
	listed := Excluded{hex.EncodeToString(sum[:]): true}
	for _, u := range []string{"https://www.jigou.example.cn/kecheng/1/", "jigou.example.cn/kecheng/1#top", "HTTP://Jigou.Example.CN:8080/kecheng/1"} {
		if !listed.Has(u) {
			t.Errorf("%s is not found as listed", u)
		}
	}
	if listed.Has("https://jigou.example.cn/kecheng/2") {
		t.Error("another page is found as listed")
	}
}

func TestSplitBySite(t *testing.T) {
	n := map[string]int{}
	for i := range 2000 {
		n[SplitOf(strings.Repeat("x", i%7)+string(rune('a'+i%26))+".example"+string(rune('0'+i%10)))]++
	}
	if SplitOf("a.com") != SplitOf("a.com") {
		t.Fatal("not deterministic")
	}
	if n[SplitTrain] == 0 || n[SplitDev] == 0 || n[SplitTest] == 0 {
		t.Fatalf("splits %v", n)
	}
}

func TestWriteLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := Page{Label: Label{ID: PageID("https://a.example/1"), URL: "https://a.example/1", Voice: VoicePromo, Genre: "ad",
		Audience: "k12", Categories: []adscan.Category{adscan.CategoryTutoringAd}, Note: "x"}, Text: "暑假班报名"}
	if err := WritePage(dir, p, false); err != nil {
		t.Fatal(err)
	}
	if err := WritePage(dir, p, false); err == nil {
		t.Error("writing the same page twice: want an error")
	}
	pages, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].Text != p.Text || pages[0].Site != "a.example" || pages[0].Split != SplitOf("a.example") {
		t.Fatalf("loaded %+v", pages)
	}
	bad := p
	bad.Voice = VoiceOther
	if err := WritePage(dir, bad, true); err == nil {
		t.Error("categories on a page whose voice is other: want an error")
	}
	if err := os.WriteFile(filepath.Join(dir, "labels", "zz.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "zz.json") {
		t.Errorf("a malformed label: want an error naming it, got %v", err)
	}
}

func TestScoreAndGoals(t *testing.T) {
	ta := adscan.CategoryTutoringAd
	labels := []Label{
		{ID: "1", Voice: VoicePromo, Categories: []adscan.Category{ta}},
		{ID: "2", Voice: VoicePromo, Categories: []adscan.Category{ta}},
		{ID: "3", Voice: VoiceOther},
		{ID: "4", Voice: VoiceOther},
	}
	r := Score("t", labels, map[string][]adscan.Category{"1": {ta}, "3": {ta}})
	if k := r.Per[ta]; k.TP != 1 || k.FP != 1 || k.FN != 1 {
		t.Fatalf("counts %+v", *k)
	}
	if r.CompliantFlagged != 1 || r.Compliant != 2 || len(r.Mistakes) != 2 {
		t.Fatalf("report %+v", r)
	}
	if f := r.Failures(IssueGoals); len(f) != 3 {
		t.Errorf("failures %v, want precision, recall and compliant share", f)
	}
	var buf bytes.Buffer
	r.Print(&buf, true)
	if !strings.Contains(buf.String(), "mistake 3") || !strings.Contains(buf.String(), "compliant pages flagged: 1 of 2") {
		t.Errorf("report:\n%s", buf.String())
	}
	rows, err := ReadJSONL[Label](strings.NewReader("{\"id\":\"a\"}\n{bad\n"), "x.jsonl")
	if err == nil || !strings.Contains(err.Error(), "x.jsonl:2") {
		t.Errorf("ReadJSONL: %v %v", rows, err)
	}
}

func TestBagMatch(t *testing.T) {
	for _, c := range []struct {
		a, b voice.Bag
		want float64
	}{
		{voice.Bag{"学": 2, "#cta": 1}, voice.Bag{"学": 2, "#cta": 1}, 1},
		{voice.Bag{"学": 2}, voice.Bag{"学": 1, "班": 1}, 1.0 / 3},
		{voice.Bag{"学": 1}, voice.Bag{"班": 1}, 0},
		{nil, nil, 0},
	} {
		if got := BagMatch(c.a, c.b); got != c.want {
			t.Errorf("BagMatch(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := BagMatch(c.b, c.a); got != c.want {
			t.Errorf("BagMatch is not symmetric for %v, %v", c.a, c.b)
		}
	}
}
