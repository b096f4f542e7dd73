package classifier_test

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"adscan"
	"adscan/classifier"
	"adscan/classifier/voice"
	"adscan/corpus"
	"adscan/lexicon"
)

// The committed facts of the real-page corpus (corpus/real).
var (
	realLabelsFile   = filepath.Join("..", "corpus", "real", "labels.jsonl")
	realFeaturesFile = filepath.Join("..", "corpus", "real", "features.jsonl")
	realModelFile    = filepath.Join("voice", "model.json")
)

var realClassifier = sync.OnceValues(func() (*classifier.Classifier, error) {
	lex, err := lexicon.Default()
	if err != nil {
		return nil, err
	}
	return classifier.New(lex)
})

func committedLabels(t *testing.T) []corpus.Label {
	t.Helper()
	labels, err := corpus.ReadJSONLFile[corpus.Label](realLabelsFile)
	if err != nil {
		t.Fatal(err)
	}
	return labels
}

// TestRealEvaluation scores the default lexicon and voice model on the real
// labelled pages: it prints precision and recall per category and the
// compliant pages flagged for the train, dev and test splits, lists every
// mistake of the test split, and fails if the test split misses issue 9's
// goals. The pages are other people's writing and are not in the
// repository: it needs ADSCAN_CORPUS (see corpus/real/GUIDE.md) and skips
// without it.
func TestRealEvaluation(t *testing.T) {
	dir := os.Getenv("ADSCAN_CORPUS")
	if dir == "" {
		t.Skip("ADSCAN_CORPUS is not set: the real-page evaluation needs the corpus pages, which stay outside the repository (corpus/real/GUIDE.md); the committed facts are checked by TestVoiceModel*")
	}
	pages, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]corpus.Label{}
	for _, l := range committedLabels(t) {
		if !l.Own {
			labels[l.ID] = l
		}
	}
	for _, p := range pages {
		if l, ok := labels[p.ID]; !ok || !reflect.DeepEqual(l, p.Label) {
			t.Fatalf("page %s differs from corpus/real/labels.jsonl (run adscan corpus build)", p.ID)
		}
	}
	if len(pages) < len(labels) {
		// A corpus restored on a new machine may lack a few pages whose
		// stored copy has changed since they were labelled.
		t.Logf("%d of the %d real pages of corpus/real/labels.jsonl have no text in %s (adscan corpus restore --list names them); scoring the %d there",
			len(labels)-len(pages), len(labels), dir, len(pages))
	}
	c, err := realClassifier()
	if err != nil {
		t.Fatal(err)
	}
	var test *corpus.Report
	for _, split := range []string{corpus.SplitTrain, corpus.SplitDev, corpus.SplitTest} {
		ps := corpus.OfSplit(pages, split)
		r := corpus.Score(split+" split", corpus.Labels(ps), corpus.Predict(c, ps))
		var buf bytes.Buffer
		r.Print(&buf, split == corpus.SplitTest)
		t.Log("\n" + buf.String())
		if split == corpus.SplitTest {
			test = r
		}
	}
	for _, f := range test.Failures(corpus.IssueGoals) {
		t.Errorf("test split: %s", f)
	}
}

// TestRealCrossValidation estimates, without touching the test split, how
// the default lexicon with a voice model trained by the default options
// does on sites it has not seen: five folds of the train and dev splits'
// real pages by site (our own texts always train), a model trained on four
// folds judging the fifth. It prints the voice model's page-level figures
// and the classifier's per category; the README's cross-validation figures
// come from here. It needs ADSCAN_CORPUS.
func TestRealCrossValidation(t *testing.T) {
	dir := os.Getenv("ADSCAN_CORPUS")
	if dir == "" {
		t.Skip("ADSCAN_CORPUS is not set: cross-validation needs the corpus pages")
	}
	pages, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	labels := committedLabels(t)
	feats := committedFeatures(t)
	bags := map[string]voice.Bag{}
	for _, f := range feats {
		bags[f.ID] = f.Bag
	}
	fold := func(site string) int {
		sum := sha256.Sum256([]byte("adscan-cv\x00" + site))
		return int(sum[0]) % 5
	}
	c, err := realClassifier()
	if err != nil {
		t.Fatal(err)
	}
	var pool []corpus.Page
	for _, p := range pages {
		if p.Split != corpus.SplitTest {
			pool = append(pool, p)
		}
	}
	predicted := map[string][]adscan.Category{}
	var v corpus.VoiceScore
	for f := range 5 {
		var train []voice.Example
		for _, l := range labels {
			if l.Split == corpus.SplitTest || l.Voice == "" || !l.Own && fold(l.Site) == f {
				continue
			}
			train = append(train, voice.Example{ID: l.ID, Bag: bags[l.ID], Promo: l.Voice == corpus.VoicePromo})
		}
		m, err := voice.Train(train, voice.DefaultTrainOptions())
		if err != nil {
			t.Fatal(err)
		}
		var held []corpus.Page
		var heldEx []voice.Example
		for _, p := range pool {
			if fold(p.Site) == f {
				held = append(held, p)
				heldEx = append(heldEx, voice.Example{ID: p.ID, Bag: bags[p.ID], Promo: p.Voice == corpus.VoicePromo})
			}
		}
		for id, cats := range corpus.Predict(c.WithVoice(m), held) {
			predicted[id] = cats
		}
		s := corpus.ScoreVoice(m, heldEx)
		v.Pages, v.TP, v.FP, v.FN = v.Pages+s.Pages, v.TP+s.TP, v.FP+s.FP, v.FN+s.FN
	}
	r := corpus.Score("5-fold cross-validation by site, train and dev splits", corpus.Labels(pool), predicted)
	var buf bytes.Buffer
	r.Print(&buf, false)
	t.Logf("voice, page level: %s\n%s", v, buf.String())
}

// TestVoiceModelReproducible retrains the voice model from the committed
// labels and features with the default options and checks that it is the
// embedded model, byte for byte (runs without the corpus pages).
func TestVoiceModelReproducible(t *testing.T) {
	labels := committedLabels(t)
	feats := committedFeatures(t)
	m, err := corpus.TrainVoice(labels, feats, voice.DefaultTrainOptions(), corpus.SplitTrain)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(realModelFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("retraining from corpus/real gives another model than %s: run go run ./cmd/adscan model train --out classifier/voice/model.json", realModelFile)
	}
}

// TestVoiceModelOnHeldOutSites scores the embedded voice model on the
// committed features of the dev split (sites it was not trained on), page
// by page. The test split is left to TestRealEvaluation, which is run once
// the model and rules are fixed. The floors are regression guards set
// below the figures measured when the model was trained (README); they are
// far from what a regulator needs, which is why a flag also needs rules.
func TestVoiceModelOnHeldOutSites(t *testing.T) {
	labels := committedLabels(t)
	feats := committedFeatures(t)
	m, err := voice.Default()
	if err != nil {
		t.Fatal(err)
	}
	exs := corpus.VoiceExamples(labels, feats, corpus.SplitDev)
	v := corpus.ScoreVoice(m, exs)
	promo := 0
	for _, e := range exs {
		if e.Promo {
			promo++
		}
	}
	base := float64(promo) / float64(len(exs))
	t.Logf("voice on the dev split: %s; share of promotional pages %.2f", v, base)
	if v.Precision() < minVoicePrecision || v.Recall() < minVoiceRecall {
		t.Errorf("voice on the dev split: precision %.2f recall %.2f, want ≥ %.2f and ≥ %.2f", v.Precision(), v.Recall(), minVoicePrecision, minVoiceRecall)
	}
}

// Voice floors on the dev split, page level (see TestVoiceModelOnHeldOutSites).
const (
	minVoicePrecision = 0.30
	minVoiceRecall    = 0.10
)

// TestCorpusFacts checks the committed labels: valid, split by site (no
// site in two splits), none of the outside evaluation's pages, and a
// feature row for each.
func TestCorpusFacts(t *testing.T) {
	labels := committedLabels(t)
	feats := committedFeatures(t)
	have := map[string]bool{}
	for _, f := range feats {
		have[f.ID] = true
	}
	ex, exErr := corpus.ReadExcluded(filepath.Join("..", "..", "shared", "eval", "excluded-urls.sha256"))
	splitOf := map[string]string{}
	for _, l := range labels {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if l.Own {
			if l.Split != corpus.SplitTrain {
				t.Errorf("%s: our own text in split %s, want train", l.ID, l.Split)
			}
			continue
		}
		if s, ok := splitOf[l.Site]; ok && s != l.Split {
			t.Errorf("site %s is in splits %s and %s", l.Site, s, l.Split)
		}
		splitOf[l.Site] = l.Split
		if l.Split != corpus.SplitOf(l.Site) {
			t.Errorf("%s: split %s, the site says %s", l.ID, l.Split, corpus.SplitOf(l.Site))
		}
		if !have[l.ID] {
			t.Errorf("%s: no features", l.ID)
		}
		if exErr == nil && ex.Has(l.URL) {
			t.Errorf("%s: %s belongs to the outside evaluation", l.ID, l.URL)
		}
	}
	if real := len(labels) - countOwn(labels); real < 500 {
		t.Errorf("%d labelled real pages, want at least 500", real)
	}
	if exErr != nil {
		t.Logf("outside evaluation list not found (%v); not checked", exErr)
	}
}

func committedFeatures(t *testing.T) []corpus.Features {
	t.Helper()
	feats, err := corpus.ReadJSONLFile[corpus.Features](realFeaturesFile)
	if err != nil {
		t.Fatal(err)
	}
	return feats
}

func countOwn(labels []corpus.Label) int {
	n := 0
	for _, l := range labels {
		if l.Own {
			n++
		}
	}
	return n
}
