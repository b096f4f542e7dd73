package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"adscan/classifier"
	"adscan/classifier/voice"
	"adscan/corpus"
)

// newModelCmd is `adscan model train|eval|compare`.
func newModelCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "Train the voice model and score classifiers on the real-page corpus",
		Long: `The voice model decides whether a passage is an education provider
promoting its own service for children; a category flags only where it is.
'train' fits it (deterministically) on the committed corpus features;
'eval' scores a lexicon and model on a split of the labelled corpus;
'compare' scores the current and a candidate lexicon/model side by side,
so a regulator can check a retrained model or an edited lexicon on the test
split before switching to it.`,
	}
	cmd.AddCommand(newModelTrainCmd(s), newModelEvalCmd(s), newModelCompareCmd(s))
	return cmd
}

// loadVoice returns the model in path: "" is the embedded default, "none"
// no voice model (rules alone).
func loadVoice(command, path string) (*voice.Model, error) {
	switch path {
	case "":
		m, err := voice.Default()
		if err != nil {
			return nil, fmt.Errorf("%s: default voice model: %w", command, err)
		}
		return m, nil
	case "none":
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	m, err := voice.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", command, path, err)
	}
	return m, nil
}

// newEvalClassifier builds a classifier from a lexicon file and a voice
// model file (see loadLexicon and loadVoice).
func newEvalClassifier(s streams, command, lexPath, modelPath string) (*classifier.Classifier, string, error) {
	lex, err := loadLexicon(s, command, lexPath)
	if err != nil {
		return nil, "", err
	}
	m, err := loadVoice(command, modelPath)
	if err != nil {
		return nil, "", err
	}
	c, err := classifier.New(lex)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", command, err)
	}
	name := fmt.Sprintf("lexicon %s %s", lex.Name, lex.Version)
	if m != nil {
		name += fmt.Sprintf(", voice %s %s", m.Name, m.Version)
	} else {
		name += ", no voice model"
	}
	return c.WithVoice(m), name, nil
}

type modelTrainOptions struct {
	labels, features, out string
	splits                []string
	opt                   voice.TrainOptions
}

func newModelTrainCmd(s streams) *cobra.Command {
	o := modelTrainOptions{opt: voice.DefaultTrainOptions()}
	cmd := &cobra.Command{
		Use:   "train [--labels FILE] [--features FILE] [--splits train] [--out FILE]",
		Short: "Train the voice model on the corpus features (deterministic)",
		Long: `Train the voice model by logistic regression on the pages of the given
splits (default: train) from the committed labels and features. The same
inputs and flags give the same model, byte for byte; the embedded model
(classifier/voice/model.json) is made with the defaults:
  go run ./cmd/adscan model train --out classifier/voice/model.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runModelTrain(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.labels, "labels", defaultLabelsFile, "labels file (adscan corpus build)")
	f.StringVar(&o.features, "features", defaultFeaturesFile, "features file (adscan corpus build)")
	f.StringSliceVar(&o.splits, "splits", []string{corpus.SplitTrain}, "splits to train on")
	f.StringVar(&o.out, "out", "-", "where to write the model (- for standard output)")
	f.StringVar(&o.opt.Version, "version", "", "version written into the model (default: the digest of the labels and features)")
	f.StringVar(&o.opt.Name, "name", o.opt.Name, "name written into the model")
	f.IntVar(&o.opt.MinDocs, "min-docs", o.opt.MinDocs, "keep features found in at least this many pages")
	f.Float64Var(&o.opt.L2, "l2", o.opt.L2, "L2 penalty")
	f.IntVar(&o.opt.Iterations, "iterations", o.opt.Iterations, "gradient descent iterations")
	f.Float64Var(&o.opt.Threshold, "threshold", o.opt.Threshold, "probability from which a passage is promotional")
	return cmd
}

func runModelTrain(s streams, o modelTrainOptions) error {
	for _, sp := range o.splits {
		if err := checkSplit("model train", "--splits", sp, false); err != nil {
			return err
		}
	}
	labels, err := corpus.ReadJSONLFile[corpus.Label](o.labels)
	if err != nil {
		return fmt.Errorf("model train: %w", err)
	}
	feats, err := corpus.ReadJSONLFile[corpus.Features](o.features)
	if err != nil {
		return fmt.Errorf("model train: %w", err)
	}
	m, err := corpus.TrainVoice(labels, feats, o.opt, o.splits...)
	if err != nil {
		return fmt.Errorf("model train: %s: %w", o.labels, err)
	}
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("model train: %w", err)
	}
	if o.out == "-" {
		_, err = s.out.Write(data)
		return err
	}
	if err := os.WriteFile(o.out, data, 0o644); err != nil {
		return fmt.Errorf("model train: %w", err)
	}
	fmt.Fprintf(s.err, "adscan: model train: %v pages (%v), %d features -> %s\n", m.Training["examples"], o.splits, len(m.Weights), o.out)
	for _, sp := range []string{corpus.SplitTrain, corpus.SplitDev} {
		if held := corpus.VoiceExamples(labels, feats, sp); len(held) > 0 {
			fmt.Fprintf(s.err, "adscan: model train: voice on the %s split: %s\n", sp, corpus.ScoreVoice(m, held))
		}
	}
	return nil
}

type modelEvalOptions struct {
	dir, split, lexicon, model string
	mistakes, check            bool
}

func newModelEvalCmd(s streams) *cobra.Command {
	var o modelEvalOptions
	cmd := &cobra.Command{
		Use:   "eval [--corpus DIR] [--split test] [--lexicon FILE] [--model FILE|none] [--mistakes] [--check]",
		Short: "Score a lexicon and voice model on a split of the labelled corpus",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runModelEval(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "corpus", "", "corpus directory (default $ADSCAN_CORPUS)")
	f.StringVar(&o.split, "split", corpus.SplitTest, "train, dev or test ('' for all)")
	f.StringVar(&o.lexicon, "lexicon", "", "lexicon file (default: the embedded lexicon)")
	f.StringVar(&o.model, "model", "", "voice model file (default: the embedded model; none: rules alone)")
	f.BoolVar(&o.mistakes, "mistakes", false, "list every mistake")
	f.BoolVar(&o.check, "check", false, "exit 1 if the figures miss the goals of the test split")
	return cmd
}

// checkSplit refuses a split name the corpus does not have; empty is all
// splits where allowAll.
func checkSplit(command, flag, split string, allowAll bool) error {
	switch split {
	case corpus.SplitTrain, corpus.SplitDev, corpus.SplitTest:
		return nil
	case "":
		if allowAll {
			return nil
		}
	}
	all := ""
	if allowAll {
		all = " ('' for all)"
	}
	return usageError{fmt.Errorf("%s: %s %q: want train, dev or test%s", command, flag, split, all)}
}

func loadSplit(s streams, command, dir, split string) ([]corpus.Page, error) {
	if err := checkSplit(command, "--split", split, true); err != nil {
		return nil, err
	}
	dir, err := corpusDir(s, dir)
	if err != nil {
		return nil, err
	}
	pages, err := corpus.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	pages = corpus.OfSplit(pages, split)
	if len(pages) == 0 {
		return nil, fmt.Errorf("%s: no pages of split %q in %s", command, split, dir)
	}
	return pages, nil
}

func runModelEval(s streams, o modelEvalOptions) error {
	pages, err := loadSplit(s, "model eval", o.dir, o.split)
	if err != nil {
		return err
	}
	c, name, err := newEvalClassifier(s, "model eval", o.lexicon, o.model)
	if err != nil {
		return err
	}
	r := corpus.Score(fmt.Sprintf("%s split, %s", splitName(o.split), name), corpus.Labels(pages), corpus.Predict(c, pages))
	r.Print(s.out, o.mistakes)
	if o.check {
		if f := r.Failures(corpus.IssueGoals); len(f) > 0 {
			for _, x := range f {
				fmt.Fprintf(s.err, "adscan: model eval: goal missed: %s\n", x)
			}
			return exitError{exitFailure}
		}
	}
	return nil
}

func splitName(s string) string {
	if s == "" {
		return "every"
	}
	return s
}

type modelCompareOptions struct {
	dir, split             string
	lexicon, model         string
	candLexicon, candModel string
	mistakes               bool
}

func newModelCompareCmd(s streams) *cobra.Command {
	var o modelCompareOptions
	cmd := &cobra.Command{
		Use:   "compare [--corpus DIR] [--split test] [--lexicon FILE] [--model FILE] (--candidate-lexicon FILE | --candidate-model FILE)",
		Short: "Score the current and a candidate lexicon/model side by side",
		Long: `Score the current lexicon and voice model (the embedded ones unless
--lexicon/--model say otherwise) and a candidate (--candidate-lexicon
and/or --candidate-model; what is not given is the current one) on the same
split, and print both tables and what changed per category.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runModelCompare(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "corpus", "", "corpus directory (default $ADSCAN_CORPUS)")
	f.StringVar(&o.split, "split", corpus.SplitTest, "train, dev or test ('' for all)")
	f.StringVar(&o.lexicon, "lexicon", "", "current lexicon file (default: embedded)")
	f.StringVar(&o.model, "model", "", "current voice model (default: embedded; none: rules alone)")
	f.StringVar(&o.candLexicon, "candidate-lexicon", "", "candidate lexicon file")
	f.StringVar(&o.candModel, "candidate-model", "", "candidate voice model file (none: rules alone)")
	f.BoolVar(&o.mistakes, "mistakes", false, "list every mistake of both")
	return cmd
}

func runModelCompare(s streams, o modelCompareOptions) error {
	if o.candLexicon == "" && o.candModel == "" {
		return usageError{errors.New("model compare: give --candidate-lexicon or --candidate-model")}
	}
	pages, err := loadSplit(s, "model compare", o.dir, o.split)
	if err != nil {
		return err
	}
	candLex, candModel := o.candLexicon, o.candModel
	if candLex == "" {
		candLex = o.lexicon
	}
	if candModel == "" {
		candModel = o.model
	}
	cur, curName, err := newEvalClassifier(s, "model compare", o.lexicon, o.model)
	if err != nil {
		return err
	}
	cand, candName, err := newEvalClassifier(s, "model compare", candLex, candModel)
	if err != nil {
		return err
	}
	labels := corpus.Labels(pages)
	a := corpus.Score("current: "+curName, labels, corpus.Predict(cur, pages))
	b := corpus.Score("candidate: "+candName, labels, corpus.Predict(cand, pages))
	fmt.Fprintf(s.out, "%s split, %d pages\n\n", splitName(o.split), len(pages))
	a.Print(s.out, o.mistakes)
	fmt.Fprintln(s.out)
	b.Print(s.out, o.mistakes)
	fmt.Fprintln(s.out)
	corpus.PrintChange(s.out, a, b)
	return nil
}
