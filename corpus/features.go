package corpus

import (
	"crypto/sha256"
	"fmt"
	"sort"

	"adscan/classifier/voice"
)

// Features is one page's voice features, as committed in
// corpus/real/features.jsonl: unordered counts of its words and page
// features, never its sentences.
type Features struct {
	ID  string    `json:"id"`
	Bag voice.Bag `json:"bag"`
}

// VoiceExamples joins features with labels: the pages of the given splits
// whose voice is known, as training examples.
func VoiceExamples(labels []Label, feats []Features, splits ...string) []voice.Example {
	byID := make(map[string]voice.Bag, len(feats))
	for _, f := range feats {
		byID[f.ID] = f.Bag
	}
	var exs []voice.Example
	for _, l := range labels {
		bag, ok := byID[l.ID]
		if !ok || l.Voice == "" || !inSplits(l.Split, splits) {
			continue
		}
		exs = append(exs, voice.Example{ID: l.ID, Bag: bag, Promo: l.Voice == VoicePromo})
	}
	return exs
}

func inSplits(s string, splits []string) bool {
	if len(splits) == 0 {
		return true
	}
	for _, x := range splits {
		if s == x {
			return true
		}
	}
	return false
}

// FactsDigest names what a voice model is trained from: "corpus-" and 12
// hex digits of the SHA-256 of each page's ID, split, voice and feature
// counts, in ID order; a change in the labels or in how features are
// counted gives another name.
func FactsDigest(labels []Label, feats []Features) string {
	bags := make(map[string]voice.Bag, len(feats))
	for _, f := range feats {
		bags[f.ID] = f.Bag
	}
	h := sha256.New()
	ls := append([]Label(nil), labels...)
	sort.Slice(ls, func(a, b int) bool { return ls[a].ID < ls[b].ID })
	for _, l := range ls {
		fmt.Fprintf(h, "%s %s %s", l.ID, l.Split, l.Voice)
		bag := bags[l.ID]
		names := make([]string, 0, len(bag))
		for k := range bag {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(h, " %q=%d", k, bag[k])
		}
		fmt.Fprintln(h)
	}
	return fmt.Sprintf("corpus-%x", h.Sum(nil)[:6])
}

// VoiceScore is a voice model's page-level score on labelled examples.
type VoiceScore struct{ Pages, TP, FP, FN int }

// ScoreVoice decides every example with m and counts the results.
func ScoreVoice(m *voice.Model, exs []voice.Example) VoiceScore {
	v := VoiceScore{Pages: len(exs)}
	for _, e := range exs {
		p := m.Decide(e.Bag).Promotional
		switch {
		case p && e.Promo:
			v.TP++
		case p:
			v.FP++
		case e.Promo:
			v.FN++
		}
	}
	return v
}

// Precision and Recall of the promotional class.
func (v VoiceScore) Precision() float64 { return Counts{TP: v.TP, FP: v.FP}.Precision() }
func (v VoiceScore) Recall() float64    { return Counts{TP: v.TP, FN: v.FN}.Recall() }

func (v VoiceScore) String() string {
	return fmt.Sprintf("%d pages, precision %.2f recall %.2f (tp %d fp %d fn %d)", v.Pages, v.Precision(), v.Recall(), v.TP, v.FP, v.FN)
}

// TrainVoice trains a voice model on the pages of the given splits as
// `adscan model train` does, and as the embedded model was made: opt's
// version defaults to FactsDigest of the labels and features, and the
// splits are recorded in the model's training notes. Returns an error if
// no labelled page of those splits has features.
func TrainVoice(labels []Label, feats []Features, opt voice.TrainOptions, splits ...string) (*voice.Model, error) {
	exs := VoiceExamples(labels, feats, splits...)
	if len(exs) == 0 {
		return nil, fmt.Errorf("corpus: no labelled pages of splits %v", splits)
	}
	if opt.Version == "" {
		opt.Version = FactsDigest(labels, feats)
	}
	m, err := voice.Train(exs, opt)
	if err != nil {
		return nil, err
	}
	m.Training["splits"] = splits
	return m, nil
}

// BagMatch is how alike two bags are: the weighted Jaccard index, the sum
// of each key's smaller count over the sum of its larger one (1 for equal
// bags, 0 for bags with nothing in common or both empty).
func BagMatch(a, b voice.Bag) float64 {
	var lo, hi int
	for k, x := range a {
		y := b[k]
		lo += min(x, y)
		hi += max(x, y)
	}
	for k, y := range b {
		if _, ok := a[k]; !ok {
			hi += y
		}
	}
	if hi == 0 {
		return 0
	}
	return float64(lo) / float64(hi)
}
