package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"adscan/classifier"
	"adscan/corpus"
)

// defaultRestoreMatch is the least BagMatch between a restored text's
// features and the committed ones that `corpus restore` accepts: the same
// page gathered again, give or take a line the store now cuts elsewhere.
const defaultRestoreMatch = 0.9

type corpusRestoreOptions struct {
	dir, labels, features, url string
	minMatch                   float64
	list                       bool
}

func newCorpusRestoreCmd(s streams) *cobra.Command {
	var o corpusRestoreOptions
	cmd := &cobra.Command{
		Use:   "restore (--url URL < TEXT | --list) [--corpus DIR]",
		Short: "Put back a committed page's text in a new corpus directory",
		Long: `The page texts stay outside the repository, so a new machine starts with
the committed labels and features but no corpus directory. 'restore --list'
prints, one JSON object a line, every committed page whose text the corpus
directory lacks, grouped by the search that found it (run that search again
to get the text back). 'restore --url URL < TEXT' puts one page back: its
label comes from the committed labels, and the text is accepted only if its
features match the committed ones (--min-match, the weighted Jaccard index
of the two bags), so a different page or a garbled copy is refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCorpusRestore(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "corpus", "", "corpus directory (default $ADSCAN_CORPUS)")
	f.StringVar(&o.labels, "labels", defaultLabelsFile, "committed labels")
	f.StringVar(&o.features, "features", defaultFeaturesFile, "committed features")
	f.StringVar(&o.url, "url", "", "the page's URL, as in the committed labels")
	f.Float64Var(&o.minMatch, "min-match", defaultRestoreMatch, "least match of the text's features with the committed ones (0-1)")
	f.BoolVar(&o.list, "list", false, "list the committed pages the corpus directory lacks, by search")
	return cmd
}

// missingQuery is one line of `corpus restore --list`.
type missingQuery struct {
	Query string   `json:"query"`
	URLs  []string `json:"urls"`
}

func runCorpusRestore(s streams, o corpusRestoreOptions) error {
	dir, err := corpusDir(s, o.dir)
	if err != nil {
		return err
	}
	if o.list == (o.url != "") {
		return usageError{errors.New("corpus restore: give exactly one of --url or --list")}
	}
	if o.minMatch < 0 || o.minMatch > 1 {
		return usageError{fmt.Errorf("corpus restore: --min-match %v is not between 0 and 1", o.minMatch)}
	}
	labels, err := corpus.ReadJSONLFile[corpus.Label](o.labels)
	if err != nil {
		return fmt.Errorf("corpus restore: %w", err)
	}
	if o.list {
		return listMissing(s.out, s.err, dir, labels)
	}
	key := corpus.URLKey(o.url)
	i := slices.IndexFunc(labels, func(l corpus.Label) bool { return !l.Own && corpus.URLKey(l.URL) == key })
	if i < 0 {
		return fmt.Errorf("corpus restore: %s is not in %s; add a new page with 'adscan corpus add'", o.url, o.labels)
	}
	l := labels[i]
	feats, err := corpus.ReadJSONLFile[corpus.Features](o.features)
	if err != nil {
		return fmt.Errorf("corpus restore: %w", err)
	}
	j := slices.IndexFunc(feats, func(f corpus.Features) bool { return f.ID == l.ID })
	if j < 0 {
		return fmt.Errorf("corpus restore: %s has a label but no features in %s", l.ID, o.features)
	}
	text, err := io.ReadAll(io.LimitReader(s.in, maxCorpusPageBytes+1))
	if err != nil {
		return fmt.Errorf("corpus restore: read text: %w", err)
	}
	if len(text) > maxCorpusPageBytes {
		return fmt.Errorf("corpus restore: the text of %s is over %d bytes", o.url, maxCorpusPageBytes)
	}
	bag, err := classifier.VoiceBag(string(text))
	if err != nil {
		return fmt.Errorf("corpus restore: %w", err)
	}
	m := corpus.BagMatch(bag, feats[j].Bag)
	if m < o.minMatch {
		return fmt.Errorf("corpus restore: the text given for %s matches its committed features %.3f, under --min-match %.2f: not the page that was labelled, or not all of it", l.ID, m, o.minMatch)
	}
	l.Split = "" // Load derives it from the site
	if err := corpus.WritePage(dir, corpus.Page{Label: l, Text: string(text)}, true); err != nil {
		return fmt.Errorf("corpus restore: %w", err)
	}
	fmt.Fprintf(s.out, "%s restored (match %.3f)\n", l.ID, m)
	return nil
}

// listMissing prints the committed real pages that dir has no text for,
// grouped by the search that found them, in the labels' order.
func listMissing(w, errw io.Writer, dir string, labels []corpus.Label) error {
	var order []string
	byQuery := map[string][]string{}
	n := 0
	for _, l := range labels {
		if l.Own {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "pages", l.ID+".txt")); err == nil {
			continue
		}
		q := strings.TrimSpace(l.Query)
		if _, ok := byQuery[q]; !ok {
			order = append(order, q)
		}
		byQuery[q] = append(byQuery[q], l.URL)
		n++
	}
	rows := make([]missingQuery, 0, len(order))
	for _, q := range order {
		rows = append(rows, missingQuery{Query: q, URLs: byQuery[q]})
	}
	if err := corpus.WriteJSONL(w, rows); err != nil {
		return err
	}
	fmt.Fprintf(errw, "%d pages missing, %d searches\n", n, len(rows))
	return nil
}
