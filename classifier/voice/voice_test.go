package voice

import (
	"bytes"
	"fmt"
	"testing"
)

func toyExamples() []Example {
	var exs []Example
	for i := range 20 {
		exs = append(exs,
			Example{ID: fmt.Sprintf("p%02d", i), Promo: true, Bag: Bag{"报名": 1 + i%3, "试听": 1, "#phone": 1, "数学": 2}},
			Example{ID: fmt.Sprintf("n%02d", i), Promo: false, Bag: Bag{"记者": 1 + i%2, "严禁": 1, "数学": 1, "#date": 1}},
		)
	}
	return exs
}

func TestTrainSeparatesAndExplains(t *testing.T) {
	m, err := Train(toyExamples(), DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	ad := m.Decide(Bag{"报名": 1, "试听": 1, "#phone": 1})
	news := m.Decide(Bag{"记者": 2, "严禁": 1})
	if !ad.Promotional || news.Promotional {
		t.Fatalf("ad %+v, news %+v", ad, news)
	}
	if ad.Probability < 0.8 || news.Probability > 0.2 {
		t.Errorf("probabilities ad %.3f news %.3f, want confident", ad.Probability, news.Probability)
	}
	if len(ad.Features) == 0 || ad.Features[0].Weight <= 0 {
		t.Errorf("the ad's explanation should lead with a promotional feature: %+v", ad.Features)
	}
	// A feature of both classes (数学) weighs less than the ones of one class.
	if abs(m.Weights["数学"]) >= abs(m.Weights["报名"]) {
		t.Errorf("weights 数学 %v 报名 %v", m.Weights["数学"], m.Weights["报名"])
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestTrainDeterministic(t *testing.T) {
	exs := toyExamples()
	a, err := Train(exs, DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	rev := make([]Example, len(exs))
	for i := range exs {
		rev[len(exs)-1-i] = exs[i]
	}
	b, err := Train(rev, DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := a.Marshal()
	jb, _ := b.Marshal()
	if !bytes.Equal(ja, jb) {
		t.Fatal("training on the same examples in another order gave another model")
	}
	back, err := Parse(ja)
	if err != nil {
		t.Fatal(err)
	}
	if back.Probability(Bag{"报名": 1}) != a.Probability(Bag{"报名": 1}) {
		t.Error("a parsed model scores differently")
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train([]Example{{ID: "a", Promo: true, Bag: Bag{"x": 1}}}, DefaultTrainOptions()); err == nil {
		t.Error("one class only: want an error")
	}
	if _, err := Train(toyExamples(), TrainOptions{}); err == nil {
		t.Error("zero options: want an error")
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		`{`,
		`{"threshold":0.5,"weights":{"a":1}}`,
		`{"name":"m","threshold":1.5,"weights":{"a":1}}`,
		`{"name":"m","threshold":0.5}`,
		`{"name":"m","threshold":0.5,"weights":{"a":1},"extra":1}`,
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%s): want an error", in)
		}
	}
}

func TestDefaultModelParses(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m.Probability(Bag{}) < 0 || m.Probability(Bag{}) > 1 {
		t.Fatal("probability outside [0,1]")
	}
}
