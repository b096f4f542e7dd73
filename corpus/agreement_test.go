package corpus

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"adscan"
)

func TestKappa(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		a, b []bool
		want float64
	}{
		{[]bool{yes, no, yes, no}, []bool{yes, no, yes, no}, 1},
		// Independent answers: agreement is what chance gives.
		{[]bool{yes, yes, no, no}, []bool{yes, no, yes, no}, 0},
		{[]bool{yes, no}, []bool{no, yes}, -1},
		// 20 pages, 10/10 split, 2 disagreements: po 0.9, pe 0.5.
		{append(repeat(yes, 10), repeat(no, 10)...), append(append(repeat(yes, 9), no), append(repeat(no, 9), yes)...), 0.8},
	} {
		if got := Kappa(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Kappa(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func repeat(v bool, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestCheckAgainst(t *testing.T) {
	ad := Verdict{Voice: VoicePromo, Genre: "ad", Audience: "k12", Categories: []adscan.Category{adscan.CategoryTutoringAd}}
	other := Verdict{Voice: VoiceOther, Genre: "news", Audience: "k12"}
	label := func(id string, v Verdict) Label {
		return Label{ID: id, URL: "https://a.example/" + id, Voice: v.Voice, Genre: v.Genre, Audience: v.Audience, Categories: v.Categories}
	}
	labels := []Label{label("a", ad), label("b", other), label("c", ad)}
	for _, tc := range []struct {
		name string
		rows []AgreementRow
		want string // "" for no error
	}{
		{"agreeing rows keep the first label", []AgreementRow{{ID: "a", First: ad, Second: ad}}, ""},
		{"second kept", []AgreementRow{{ID: "b", First: ad, Second: other, Decided: "second"}}, ""},
		{"first kept", []AgreementRow{{ID: "c", First: ad, Second: other, Decided: "first"}}, ""},
		{"own decision", []AgreementRow{{ID: "c", First: other, Second: Verdict{Voice: VoicePromo}, Decided: "own"}}, ""},
		{"agreeing labels drifted", []AgreementRow{{ID: "c", First: other, Second: other}}, "is promo"},
		{"committed label drifted", []AgreementRow{{ID: "b", First: ad, Second: other, Decided: "first"}}, "study's decision is promo"},
		{"undecided", []AgreementRow{{ID: "b", First: ad, Second: other}}, "nothing was decided"},
		{"decided though agreeing", []AgreementRow{{ID: "a", First: ad, Second: ad, Decided: "second"}}, "agree, yet decided"},
		{"unknown decision", []AgreementRow{{ID: "a", First: ad, Second: other, Decided: "both"}}, "want first, second or own"},
		{"unknown page", []AgreementRow{{ID: "z", First: ad, Second: ad}}, "no such label"},
	} {
		err := CheckAgainst(tc.rows, labels)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// TestCommittedAgreement recomputes the labelling study's figures from the
// committed rows (no page texts needed) and checks that the committed labels
// are what the study decided.
func TestCommittedAgreement(t *testing.T) {
	labels, err := ReadJSONLFile[Label](filepath.Join("real", "labels.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ReadJSONLFile[AgreementRow](filepath.Join("real", "agreement.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckAgainst(rows, labels); err != nil {
		t.Fatal(err)
	}
	real := 0
	for _, l := range labels {
		if !l.Own {
			real++
		}
	}
	if len(rows) < real*9/10 {
		t.Errorf("the study covers %d of %d real pages", len(rows), real)
	}
	var buf bytes.Buffer
	for _, split := range []string{"", SplitTest} {
		a := Agreement(rows, labels, split)
		a.Print(&buf)
		if a.VoiceKappa < 0.5 || a.VoiceKappa > 1 {
			t.Errorf("voice kappa %.2f: the study's rows look broken", a.VoiceKappa)
		}
	}
	t.Log("\n" + buf.String())
}
