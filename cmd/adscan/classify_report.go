package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"adscan"
	"adscan/lexicon"
)

// reporter prints classification results as JSON lines or as a report.
type reporter struct {
	s    streams
	json bool
	lex  *lexicon.Lexicon
}

// classifyJSON is one line of `adscan classify --json`.
type classifyJSON struct {
	Source  string            `json:"source"`
	Lexicon adscan.LexiconRef `json:"lexicon"`
	Flags   []adscan.Flag     `json:"flags"`
}

func (r *reporter) print(source string, res adscan.Result) error {
	if r.json {
		flags := res.Flags
		if flags == nil {
			flags = []adscan.Flag{}
		}
		line, err := json.Marshal(classifyJSON{Source: source, Lexicon: res.Lexicon, Flags: flags})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(r.s.out, "%s\n", line)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", source)
	if len(res.Flags) == 0 {
		fmt.Fprintf(&b, "  no flags (lexicon %s %s)\n\n", res.Lexicon.Name, res.Lexicon.Version)
		_, err := fmt.Fprint(r.s.out, b.String())
		return err
	}
	for _, f := range res.Flags {
		title := ""
		if cat, ok := r.lex.Category(f.Category); ok {
			title = " " + cat.Title
		}
		fmt.Fprintf(&b, "  %s%s  score %.2f\n", f.Category, title, f.Score)
		fmt.Fprintf(&b, "    basis: %s\n", f.Basis)
		if v := f.Voice; v != nil {
			fmt.Fprintf(&b, "    voice: promotional, p=%.2f over [%d,%d) (%s)%s\n", v.Probability, v.Start, v.End, v.Model, voiceFeatureList(v.Features))
		}
		for _, ev := range f.Evidence {
			fmt.Fprintf(&b, "    [%d,%d) %s  rule %s\n", ev.Start, ev.End, ev.Text, ev.Rule)
			fmt.Fprintf(&b, "        …%s…\n", ev.Snippet)
		}
	}
	fmt.Fprintf(&b, "  (lexicon %s %s)\n\n", res.Lexicon.Name, res.Lexicon.Version)
	_, err := fmt.Fprint(r.s.out, b.String())
	return err
}

// voiceFeatureList writes the features that weighed most in a voice
// decision: "; features 报名 +0.41, 记者 -0.30".
func voiceFeatureList(fs []adscan.VoiceFeature) string {
	if len(fs) == 0 {
		return ""
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s %+.2f", f.Feature, f.Weight)
	}
	return "; features " + strings.Join(parts, ", ")
}
