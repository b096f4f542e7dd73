package classifier

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"adscan"
	"adscan/classifier/htmltext"
	"adscan/lexicon"
)

// Evaluation thresholds on the labelled corpus with the default lexicon.
const (
	minPrecision       = 0.9
	minRecall          = 0.9
	maxNegativeFlagged = 0
)

// label is one entry of testdata/corpus/labels.yaml.
type label struct {
	File       string            `yaml:"file"`
	Categories []adscan.Category `yaml:"categories"`
	Kind       string            `yaml:"kind"`
	Note       string            `yaml:"note"`
}

var defaultClassifier = sync.OnceValues(func() (*Classifier, error) {
	lex, err := lexicon.Default()
	if err != nil {
		return nil, err
	}
	return New(lex)
})

func mustDefaultClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := defaultClassifier()
	if err != nil {
		t.Fatalf("default lexicon: %v", err)
	}
	return c
}

// readDocument reads a corpus file and extracts its text as adscan classify
// does (HTML by extension, charset decoded).
func readDocument(t testing.TB, path string) string {
	t.Helper()
	text, err := extractFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func extractFile(path string) (string, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	ct := "text/plain"
	if ext := filepath.Ext(path); ext == ".html" || ext == ".htm" {
		ct = "text/html"
	}
	page, err := htmltext.Extract(body, ct)
	if err != nil {
		return "", fmt.Errorf("extract %s: %w", path, err)
	}
	return page.Text, nil
}

// loadLabels reads dir/labels.yaml (testdata/corpus or testdata/heldout).
func loadLabels(t testing.TB, dir string) []label {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "labels.yaml"))
	if os.IsNotExist(err) {
		t.Skipf("no labelled documents in %s", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var labels []label
	if err := yaml.Unmarshal(data, &labels); err != nil {
		t.Fatalf("labels.yaml: %v", err)
	}
	return labels
}

// TestEvaluation classifies the labelled corpus with the default lexicon and
// fails when a category's precision or recall is below the thresholds or a
// negative document is flagged. -v prints the table and every error.
func TestEvaluation(t *testing.T) {
	c := mustDefaultClassifier(t)
	ev := evaluate(t, c, "testdata/corpus")
	ev.report(t, fmt.Sprintf("evaluation with lexicon %s %s", c.ref.Name, c.ref.Version), minPrecision, minRecall, maxNegativeFlagged)
}

// evaluate classifies every document labelled in dir/labels.yaml.
func evaluate(t *testing.T, c *Classifier, dir string) *evaluation {
	t.Helper()
	ev := newEvaluation()
	for _, l := range loadLabels(t, dir) {
		text := readDocument(t, filepath.Join(dir, l.File))
		res := c.Classify(adscan.Document{Source: l.File, Text: text})
		checkResult(t, text, res)
		ev.add(l, res)
	}
	return ev
}

// evaluation counts, per category, the documents flagged rightly (tp),
// wrongly (fp) and missed (fn), and the negative documents flagged.
type evaluation struct {
	per        map[adscan.Category]*evalCounts
	docs       int
	negFlagged []string
	mistakes   []string
}

type evalCounts struct{ tp, fp, fn int }

func newEvaluation() *evaluation {
	ev := &evaluation{per: map[adscan.Category]*evalCounts{}}
	for _, cat := range adscan.Categories {
		ev.per[cat] = &evalCounts{}
	}
	return ev
}

// add counts the result of classifying the document labelled l.
func (ev *evaluation) add(l label, res adscan.Result) {
	ev.docs++
	got := res.Categories()
	if len(l.Categories) == 0 && len(got) > 0 {
		ev.negFlagged = append(ev.negFlagged, l.File)
	}
	for _, cat := range adscan.Categories {
		want, have := slices.Contains(l.Categories, cat), slices.Contains(got, cat)
		switch {
		case want && have:
			ev.per[cat].tp++
		case have:
			ev.per[cat].fp++
			ev.mistakes = append(ev.mistakes, fmt.Sprintf("false %-22s %s (%s): %s", cat, l.File, l.Kind, evidenceOf(res, cat)))
		case want:
			ev.per[cat].fn++
			ev.mistakes = append(ev.mistakes, fmt.Sprintf("missed %-21s %s (%s): %s", cat, l.File, l.Kind, l.Note))
		}
	}
}

// report logs the table and the mistakes, and fails the test when a
// category is below minP precision or minR recall, has no labelled
// positive, or more than maxNeg negatives are flagged.
func (ev *evaluation) report(t *testing.T, title string, minP, minR float64, maxNeg int) {
	t.Helper()
	var table strings.Builder
	fmt.Fprintf(&table, "%-24s %4s %4s %4s %9s %7s\n", "category", "tp", "fp", "fn", "precision", "recall")
	failed := false
	for _, cat := range adscan.Categories {
		n := ev.per[cat]
		p, r := ratio(n.tp, n.tp+n.fp), ratio(n.tp, n.tp+n.fn)
		fmt.Fprintf(&table, "%-24s %4d %4d %4d %9.2f %7.2f\n", cat, n.tp, n.fp, n.fn, p, r)
		if n.tp+n.fn == 0 {
			t.Errorf("%s: no labelled positive document", cat)
		}
		if p < minP || r < minR {
			failed = true
		}
	}
	fmt.Fprintf(&table, "documents %d, negatives flagged %d: %v\n", ev.docs, len(ev.negFlagged), ev.negFlagged)
	t.Logf("%s:\n%s", title, table.String())
	for _, m := range ev.mistakes {
		t.Log(m)
	}
	if failed {
		t.Errorf("a category is below precision %.2f or recall %.2f:\n%s", minP, minR, table.String())
	}
	if len(ev.negFlagged) > maxNeg {
		t.Errorf("%d negative documents flagged, want at most %d: %v", len(ev.negFlagged), maxNeg, ev.negFlagged)
	}
}

// ratio returns a/b, or 1 when b is 0 (nothing claimed, nothing missed).
func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func evidenceOf(res adscan.Result, cat adscan.Category) string {
	for _, f := range res.Flags {
		if f.Category == cat {
			var parts []string
			for _, ev := range f.Evidence {
				parts = append(parts, fmt.Sprintf("%s[%s]", ev.Text, ev.Rule))
			}
			return fmt.Sprintf("score %.2f %s", f.Score, strings.Join(parts, " | "))
		}
	}
	return ""
}

// TestPolicyTextNotFlagged classifies the 双减 policy text itself: it
// forbids these practices, it does not advertise them.
func TestPolicyTextNotFlagged(t *testing.T) {
	c := mustDefaultClassifier(t)
	paths, err := filepath.Glob("testdata/policy/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no policy text in testdata/policy: %v", err)
	}
	for _, path := range paths {
		text := readDocument(t, path)
		res := c.Classify(adscan.Document{Source: path, Text: text})
		checkResult(t, text, res)
		for _, f := range res.Flags {
			t.Errorf("%s flagged %s: %s", path, f.Category, evidenceOf(res, f.Category))
		}
	}
}
