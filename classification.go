package adscan

// Document is one text handed to a Classifier.
type Document struct {
	// Source names the document: a file path or a URL.
	Source string
	// Site is the host the document came from ("" for local files); the
	// lexicon's site-scoped allow-list entries match against it.
	Site string
	// Text is the extracted, visible text. Evidence offsets index into it.
	Text string
}

// LexiconRef names the lexicon, and its version, that produced a result.
type LexiconRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Evidence is one span of a document's text that supports a flag.
// Start and End are byte offsets into Document.Text; Text == Document.Text[Start:End].
type Evidence struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Rule is the ID of the lexicon rule that matched.
	Rule string `json:"rule,omitempty"`
	// Snippet is the surrounding text, for a reviewer's eyes only.
	Snippet string `json:"snippet,omitempty"`
}

// Flag is one category a document was found to violate.
type Flag struct {
	Category Category `json:"category"`
	// Score is in [0,1]; a flag is only reported at or above the category's threshold.
	Score float64 `json:"score"`
	// Basis is the clause of the policy the category rests on.
	Basis    string     `json:"basis"`
	Evidence []Evidence `json:"evidence"`
	// Voice is the voice model's decision on the passage around the
	// evidence: a category flags only where a provider promotes its own
	// service. Nil when the classifier runs without a voice model.
	Voice *Voice `json:"voice,omitempty"`
}

// Voice is the decision that the passage Text[Start:End] of a document is
// (or is not) an education provider promoting its own service for
// children, as opposed to a report, a regulation, a discussion, advice,
// fiction, a school describing itself or adult training.
type Voice struct {
	// Model names the voice model and its version.
	Model       string  `json:"model"`
	Promotional bool    `json:"promotional"`
	Probability float64 `json:"probability"`
	// Start and End are byte offsets of the passage judged.
	Start int `json:"start"`
	End   int `json:"end"`
	// Features are the features that weighed most in the decision, each
	// with its contribution (positive: promotional), largest first.
	Features []VoiceFeature `json:"features,omitempty"`
}

// VoiceFeature is one feature's part in a voice decision: a word of the
// passage or a page feature (#phone, #price, #date …).
type VoiceFeature struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Result is what a Classifier says of one document.
type Result struct {
	Lexicon LexiconRef `json:"lexicon"`
	Flags   []Flag     `json:"flags"`
}

// Flagged reports whether the result has any flag.
func (r Result) Flagged() bool { return len(r.Flags) > 0 }

// Categories returns the flagged categories in the order of the flags.
func (r Result) Categories() []Category {
	out := make([]Category, 0, len(r.Flags))
	for _, f := range r.Flags {
		out = append(out, f.Category)
	}
	return out
}

// Classifier flags violations in a document. Implementations are safe for
// concurrent use and never panic on any input text.
type Classifier interface {
	Classify(doc Document) Result
}
