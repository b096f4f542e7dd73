package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"adscan"
	"adscan/classifier"
	"adscan/lexicon"
	"adscan/store"
)

// TestStoreClassifiersFollowApprovedVersions: crawls classify with the
// newest lexicon version in the store from the next crawl on — an approved
// allow entry stops its phrase flagging on its site, and only there.
func TestStoreClassifiersFollowApprovedVersions(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "adscan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base, err := lexicon.Default()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := classifier.New(base)
	if err != nil {
		t.Fatal(err)
	}
	src := &storeClassifiers{store: st, base: cl, logger: slog.New(slog.DiscardHandler)}
	text := testCorpusPages[0].text
	classify := func(site string) adscan.Result {
		t.Helper()
		c, err := src.Classifier(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c.Classify(adscan.Document{Source: "https://" + site + "/p", Site: site, Text: text})
	}
	before := classify("a.example")
	var flag *adscan.Flag
	for i := range before.Flags {
		if before.Flags[i].Category == adscan.CategoryHolidayTraining {
			flag = &before.Flags[i]
		}
	}
	if flag == nil || len(flag.Evidence) == 0 {
		t.Fatalf("the test text does not flag holiday_training: %+v", before.Flags)
	}
	phrase := flag.Evidence[0].Text

	// A regulator approves: the console stores the lexicon with the entry.
	next := base.WithAllow(lexicon.AllowEntry{Phrase: phrase, Site: "a.example", Categories: []adscan.Category{adscan.CategoryHolidayTraining}})
	next.Version += "-allow.1"
	var buf bytes.Buffer
	if err := next.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	capID, err := st.PutCapture(ctx, adscan.Capture{Target: "https://a.example/", RequestedURL: "https://a.example/p", FinalURL: "https://a.example/p",
		Status: 200, BodySHA256: strings.Repeat("a", 64), Text: text, TextSHA256: strings.Repeat("b", 64), FetchedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := st.RecordFindings(ctx, adscan.FindingsInput{Target: "https://a.example/", URL: "https://a.example/p", CaptureID: capID, Flags: before.Flags})
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.AddAllowProposal(ctx, adscan.AllowProposal{CaseID: c.ID, Phrase: phrase, Site: "a.example",
		Categories: []adscan.Category{adscan.CategoryHolidayTraining}, ProposedBy: "reviewer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DecideAllowProposal(ctx, id, true, "regulator", &adscan.LexiconVersion{Name: next.Name, Version: next.Version, YAML: buf.Bytes()}); err != nil {
		t.Fatal(err)
	}

	after := classify("a.example")
	if after.Lexicon.Version == before.Lexicon.Version || !hasCategory(classify("b.example"), adscan.CategoryHolidayTraining) {
		t.Errorf("the new version is not in force, or it silenced another site: %v", after.Lexicon)
	}
	if hasCategory(after, adscan.CategoryHolidayTraining) {
		t.Errorf("the approved phrase still flags on its site: %+v", after.Flags)
	}
	if !hasCategory(after, adscan.CategoryTutoringAd) != !hasCategory(before, adscan.CategoryTutoringAd) {
		t.Errorf("other categories changed: before %v, after %v", before.Categories(), after.Categories())
	}
}

func hasCategory(r adscan.Result, c adscan.Category) bool {
	for _, f := range r.Flags {
		if f.Category == c {
			return true
		}
	}
	return false
}
