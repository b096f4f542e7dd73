package voice

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Example is one labelled passage for training.
type Example struct {
	ID    string
	Bag   Bag
	Promo bool
}

// TrainOptions are the knobs of Train. The zero value is not valid; start
// from DefaultTrainOptions.
type TrainOptions struct {
	Name, Version string
	// MinDocs: a feature is kept only if at least this many training
	// passages have it (rarer words are names and noise).
	MinDocs int
	// L2 is the ridge penalty on the weights (not the bias).
	L2 float64
	// Iterations of full-batch gradient descent.
	Iterations int
	// Threshold is written into the model.
	Threshold float64
	// Balance weighs each class by the inverse of its share, so the
	// minority class counts as much as the majority.
	Balance bool
	// Prior is where the weights start and what L2 pulls them back to
	// (zero for a feature not named). With a few dozen promotional pages
	// to learn from, an analyst's prior on the page features keeps the
	// model from learning the quirks of a few sites.
	Prior map[string]float64
}

// DefaultTrainOptions are the options `adscan model train` uses unless told
// otherwise; the committed model was trained with them.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Name: "voice-default", MinDocs: 2, L2: 0.001, Iterations: 1000, Threshold: 0.6, Balance: true, Prior: DefaultPrior}
}

// DefaultPrior is the analyst's prior on the page features (see
// classifier/voicebag.go): what the labelling guide says a provider's own
// page has (its own voice, calls to act, contacts, what it offers, a
// brand, prices) and what a report, a regulation, a discussion or a story
// has. The learned weights move away from it only as far as the corpus
// shows they should.
var DefaultPrior = map[string]float64{
	"#we": 1.5, "#cta": 1.0, "#contact": 1.0, "#phone": 1.0, "#offer": 1.0, "#brand": 0.5, "#price": 0.3,
	"#report": -1.5, "#gov": -1.5, "#discuss": -1.0, "#story": -1.0, "#date": -0.5, "#advice": -0.3,
}

// Train fits a logistic regression by full-batch gradient descent (Adam).
// It is deterministic: the same examples (in any order) and options give
// the same model, byte for byte, because examples are sorted by ID and
// features by name before any arithmetic and weights are rounded to six
// decimals. (Across architectures the compiler may fuse multiply-adds
// differently; the committed model is made on amd64, as CI runs.) Returns
// an error if there are no examples of one of the two classes.
func Train(examples []Example, opt TrainOptions) (*Model, error) {
	if opt.Iterations <= 0 || opt.MinDocs <= 0 || opt.L2 < 0 || opt.Name == "" || !(opt.Threshold > 0 && opt.Threshold < 1) {
		return nil, fmt.Errorf("voice: train: invalid options (want a name, iterations and min-docs > 0, l2 >= 0, threshold in (0,1)): %+v", opt)
	}
	exs := append([]Example(nil), examples...)
	sort.SliceStable(exs, func(a, b int) bool { return exs[a].ID < exs[b].ID })
	var pos, neg int
	for _, e := range exs {
		if e.Promo {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return nil, errors.New("voice: train: need promotional and other examples")
	}

	// The vocabulary: features in at least MinDocs passages, by name.
	df := map[string]int{}
	for _, e := range exs {
		for k, n := range e.Bag {
			if n > 0 {
				df[k]++
			}
		}
	}
	var vocab []string
	for k, n := range df {
		if _, prior := opt.Prior[k]; n >= opt.MinDocs || prior {
			vocab = append(vocab, k)
		}
	}
	sort.Strings(vocab)
	index := make(map[string]int, len(vocab))
	for i, k := range vocab {
		index[k] = i
	}

	// Sparse rows over the vocabulary, each of unit length as in scoring.
	type row struct {
		idx []int
		val []float64
		y   float64
		w   float64
	}
	rows := make([]row, len(exs))
	wPos, wNeg := 1.0, 1.0
	if opt.Balance {
		total := float64(len(exs))
		wPos, wNeg = total/(2*float64(pos)), total/(2*float64(neg))
	}
	for i, e := range exs {
		names, values := vector(e.Bag)
		r := row{y: 0, w: wNeg}
		if e.Promo {
			r.y, r.w = 1, wPos
		}
		for j, k := range names {
			if x, ok := index[k]; ok {
				r.idx = append(r.idx, x)
				r.val = append(r.val, values[j])
			}
		}
		rows[i] = r
	}

	// Full-batch Adam: no sampling, so no randomness; the sums run in a
	// fixed order.
	n := float64(len(rows))
	w := make([]float64, len(vocab)+1) // last: bias
	prior := make([]float64, len(vocab))
	for i, k := range vocab {
		prior[i] = opt.Prior[k]
		w[i] = prior[i]
	}
	m1 := make([]float64, len(w))
	m2 := make([]float64, len(w))
	g := make([]float64, len(w))
	const rate, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
	bias := len(w) - 1
	var loss float64
	for it := 1; it <= opt.Iterations; it++ {
		clear(g)
		loss = 0
		for _, r := range rows {
			z := w[bias]
			for j, x := range r.idx {
				z += w[x] * r.val[j]
			}
			p := sigmoid(z)
			loss -= r.w * (r.y*math.Log(max(p, 1e-12)) + (1-r.y)*math.Log(max(1-p, 1e-12))) / n
			d := r.w * (p - r.y) / n
			for j, x := range r.idx {
				g[x] += d * r.val[j]
			}
			g[bias] += d
		}
		for j := 0; j < bias; j++ {
			d := w[j] - prior[j]
			g[j] += opt.L2 * d
			loss += opt.L2 * d * d / 2
		}
		c1, c2 := 1-math.Pow(beta1, float64(it)), 1-math.Pow(beta2, float64(it))
		for j := range w {
			m1[j] = beta1*m1[j] + (1-beta1)*g[j]
			m2[j] = beta2*m2[j] + (1-beta2)*g[j]*g[j]
			w[j] -= rate * (m1[j] / c1) / (math.Sqrt(m2[j]/c2) + eps)
		}
	}

	m := &Model{Name: opt.Name, Version: opt.Version, Threshold: opt.Threshold, Bias: round6(w[len(w)-1]), Weights: map[string]float64{}}
	for i, k := range vocab {
		if wt := round6(w[i]); wt != 0 {
			m.Weights[k] = wt
		}
	}
	m.Training = map[string]any{
		"examples": len(exs), "promotional": pos, "other": neg, "features": len(m.Weights),
		"min_docs": opt.MinDocs, "l2": opt.L2, "iterations": opt.Iterations, "balance": opt.Balance,
		"final_loss": round6(loss),
	}
	return m, nil
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
