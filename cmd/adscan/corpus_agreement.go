package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"adscan/corpus"
)

// defaultAgreementFile is the committed labelling study.
const defaultAgreementFile = "corpus/real/agreement.jsonl"

type corpusAgreementOptions struct {
	agreement, labels, split string
}

// newCorpusAgreementCmd is `adscan corpus agreement`: how far a second,
// blind labelling of the corpus agrees with the first.
func newCorpusAgreementCmd(s streams) *cobra.Command {
	var o corpusAgreementOptions
	cmd := &cobra.Command{
		Use:   "agreement [--agreement FILE] [--labels FILE] [--split train|dev|test]",
		Short: "How far two independent labellings of the corpus agree",
		Long: `Every page of the corpus was labelled a second time, blind, by the same
guide, and each disagreement was decided by a third reader (the committed
label). This prints the second labeller scored against the first as a
classifier is scored against the labels — precision and recall per
category, with Cohen's kappa — which is what a careful reader reaches, and
checks that the committed labels are what the study decided. It needs only
the committed files, not the page texts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCorpusAgreement(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.agreement, "agreement", defaultAgreementFile, "the study's rows")
	f.StringVar(&o.labels, "labels", defaultLabelsFile, "the committed labels")
	f.StringVar(&o.split, "split", "", "only this split (default all)")
	return cmd
}

func runCorpusAgreement(s streams, o corpusAgreementOptions) error {
	if o.split != "" && !slices.Contains([]string{corpus.SplitTrain, corpus.SplitDev, corpus.SplitTest}, o.split) {
		return usageError{fmt.Errorf("corpus agreement: --split %q: want train, dev or test", o.split)}
	}
	labels, err := corpus.ReadJSONLFile[corpus.Label](o.labels)
	if err != nil {
		return fmt.Errorf("corpus agreement: %w", err)
	}
	rows, err := corpus.ReadJSONLFile[corpus.AgreementRow](o.agreement)
	if err != nil {
		return fmt.Errorf("corpus agreement: %w", err)
	}
	if err := corpus.CheckAgainst(rows, labels); err != nil {
		return fmt.Errorf("corpus agreement: %s and %s disagree: %w", o.agreement, o.labels, err)
	}
	corpus.Agreement(rows, labels, o.split).Print(s.out)
	return nil
}
