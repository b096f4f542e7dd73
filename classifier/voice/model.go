// Package voice decides whether a passage of text is an education provider
// promoting its own service for children ("promo"), as opposed to a report,
// a regulation, a discussion, advice, fiction, a school describing itself or
// adult training. It is a logistic regression over a bag of features (gse
// words of the normalised text and a few page features such as phone
// numbers and prices) made by the classifier package; this package holds
// the model, its scoring with an explanation, and its deterministic
// training. It knows nothing of Chinese or of gse: a Bag is just names and
// counts, so a model can be trained in CI from committed counts alone.
package voice

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
)

// Bag is the features of one passage: a feature name (a word, or a page
// feature written "#name") and how often it occurs.
type Bag map[string]int

// Model is a trained voice model. Its methods are safe for concurrent use.
type Model struct {
	// Name and Version identify the model in results (like a lexicon's).
	Name    string `json:"name"`
	Version string `json:"version"`
	// Threshold: a passage is promotional when its probability is at
	// least Threshold.
	Threshold float64 `json:"threshold"`
	Bias      float64 `json:"bias"`
	// Weights by feature name; a feature not listed weighs nothing.
	Weights map[string]float64 `json:"weights"`
	// Training says how the model was made (corpus digest, options,
	// figures), for people; scoring ignores it.
	Training map[string]any `json:"training,omitempty"`
}

// Contribution is one feature's part in a decision: its weight times its
// value in the passage.
type Contribution struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Decision is the model's answer for one passage.
type Decision struct {
	Promotional bool `json:"promotional"`
	// Probability is rounded to four decimals, for people; Exact is what
	// Promotional was decided on.
	Probability float64 `json:"probability"`
	Exact       float64 `json:"-"`
	// Features are the strongest contributions, for and against, largest
	// magnitude first (at most MaxExplained).
	Features []Contribution `json:"features,omitempty"`
}

// MaxExplained bounds the contributions a Decision lists.
const MaxExplained = 8

// vector turns a bag into the model's input: log(1+count) per feature,
// scaled to unit length so that a long passage and a short one with the
// same mix of words score alike. Names are sorted, so the arithmetic (and
// so training) is deterministic.
func vector(b Bag) (names []string, values []float64) {
	names = make([]string, 0, len(b))
	for k, n := range b {
		if n > 0 {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	values = make([]float64, len(names))
	var norm float64
	for i, k := range names {
		v := math.Log1p(float64(b[k]))
		values[i] = v
		norm += v * v
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range values {
			values[i] /= norm
		}
	}
	return names, values
}

// Probability returns the model's probability that the passage is
// promotional.
func (m *Model) Probability(b Bag) float64 {
	names, values := vector(b)
	z := m.Bias
	for i, k := range names {
		z += m.Weights[k] * values[i]
	}
	return sigmoid(z)
}

// Decide scores the passage and explains the decision.
func (m *Model) Decide(b Bag) Decision {
	names, values := vector(b)
	z := m.Bias
	var cs []Contribution
	for i, k := range names {
		w := m.Weights[k]
		if w == 0 {
			continue
		}
		z += w * values[i]
		cs = append(cs, Contribution{Feature: k, Weight: round4(w * values[i])})
	}
	sort.SliceStable(cs, func(a, b int) bool {
		ma, mb := math.Abs(cs[a].Weight), math.Abs(cs[b].Weight)
		if ma != mb {
			return ma > mb
		}
		return cs[a].Feature < cs[b].Feature
	})
	if len(cs) > MaxExplained {
		cs = cs[:MaxExplained]
	}
	p := sigmoid(z)
	return Decision{Promotional: p >= m.Threshold, Probability: round4(p), Exact: p, Features: cs}
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// Parse reads a model from its JSON form. The error says what is wrong: bad
// JSON, no name, a threshold outside (0,1), a weight that is not finite.
func Parse(data []byte) (*Model, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("voice: model: %w", err)
	}
	switch {
	case m.Name == "":
		return nil, errors.New("voice: model: no name")
	case !(m.Threshold > 0 && m.Threshold < 1):
		return nil, fmt.Errorf("voice: model %s: threshold %v outside (0,1)", m.Name, m.Threshold)
	case len(m.Weights) == 0:
		return nil, fmt.Errorf("voice: model %s: no weights", m.Name)
	case math.IsNaN(m.Bias) || math.IsInf(m.Bias, 0):
		return nil, fmt.Errorf("voice: model %s: bias is not a number", m.Name)
	}
	for k, w := range m.Weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("voice: model %s: weight of %q is not a number", m.Name, k)
		}
	}
	return &m, nil
}

// Marshal writes the model as indented JSON with sorted keys, so the same
// model always gives the same bytes.
func (m *Model) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("voice: marshal model %s: %w", m.Name, err)
	}
	return buf.Bytes(), nil
}

//go:embed model.json
var defaultModel []byte

var parsedDefault = sync.OnceValues(func() (*Model, error) { return Parse(defaultModel) })

// Default returns the embedded model trained on the real-page corpus
// (corpus/real); see `adscan model train`.
func Default() (*Model, error) { return parsedDefault() }

// DefaultJSON returns the embedded model's bytes.
func DefaultJSON() []byte { return append([]byte(nil), defaultModel...) }
