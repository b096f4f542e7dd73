package classifier

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"adscan"
)

func TestTextCache(t *testing.T) {
	c := newTextCache(cloneInts)
	if _, ok := c.get("甲"); ok {
		t.Fatal("empty cache hit")
	}
	c.put("甲乙", []int{0, 3, 6})
	b, ok := c.get("甲乙")
	if !ok || !slices.Equal(b, []int{0, 3, 6}) {
		t.Fatalf("get = %v, %v", b, ok)
	}
	b[0] = 99 // the caller owns what it gets
	if b, _ := c.get("甲乙"); b[0] != 0 {
		t.Fatalf("a caller's change reached the cache: %v", b)
	}
	long := strings.Repeat("长", textCacheMaxText)
	c.put(long, []int{0})
	if _, ok := c.get(long); ok {
		t.Error("a text over textCacheMaxText was cached")
	}
	for i := range textCacheEntries + 10 {
		c.put(fmt.Sprint(i), []int{0, 1})
	}
	if len(c.m) != textCacheEntries || len(c.order) != textCacheEntries {
		t.Errorf("cache holds %d entries (%d keys), want %d", len(c.m), len(c.order), textCacheEntries)
	}
	if _, ok := c.get("甲乙"); ok {
		t.Error("the oldest entry was not evicted")
	}
	if _, ok := c.get(fmt.Sprint(textCacheEntries + 9)); !ok {
		t.Error("the newest entry is missing")
	}
}

func TestSegmenterBoundariesCached(t *testing.T) {
	seg, err := SharedSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	const text = "他是我校著名校友，欢迎报名小学数学暑期班。"
	first := seg.boundaries(text)
	first[0] = -1 // callers shift the slice in place (region); the cache must not see it
	second := seg.boundaries(text)
	var want []int
	for _, s := range seg.seg.Segment([]byte(text)) {
		want = append(want, s.Start())
	}
	want = append(want, len(text))
	if !slices.Equal(second, want) {
		t.Fatalf("cached boundaries %v, want gse's %v", second, want)
	}
}

// TestPatternCacheOffsets classifies the same sentence at different places
// in different documents: the cached pattern matches are relative to the
// sentence, so each document's evidence lies at its own offsets.
func TestPatternCacheOffsets(t *testing.T) {
	c := mustTestClassifier(t)
	const sentence = "晚班：每晚19:30-21:50上课。"
	for _, prefix := range []string{"", "前言。", "另一段很长的前言，说明课程安排。\n", ""} {
		text := prefix + sentence
		res := c.Classify(adscan.Document{Source: "t", Text: text})
		checkResult(t, text, res)
		if len(res.Flags) != 1 || res.Flags[0].Category != adscan.CategoryLateHours {
			t.Fatalf("%q: flags %+v, want late_hours", text, res.Flags)
		}
		ev := res.Flags[0].Evidence[0]
		if want := len(prefix) + strings.Index(sentence, "每晚"); ev.Start != want {
			t.Errorf("%q: evidence starts at %d, want %d", text, ev.Start, want)
		}
	}
}
