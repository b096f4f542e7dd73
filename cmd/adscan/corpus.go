package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"adscan"
	"adscan/classifier"
	"adscan/corpus"
)

// The committed corpus facts, relative to the repository root.
const (
	defaultLabelsFile   = "corpus/real/labels.jsonl"
	defaultFeaturesFile = "corpus/real/features.jsonl"
)

// newCorpusCmd is `adscan corpus add|build|restore|agreement`.
func newCorpusCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "corpus",
		Short: "Gather and prepare the labelled real-page corpus",
		Long: `The real-page corpus is a directory (named by --corpus or ADSCAN_CORPUS)
of pages/ID.txt and labels/ID.json, labelled by corpus/real/GUIDE.md. Its
texts are other people's writing and stay outside the repository; what is
committed is made from it by 'adscan corpus build': the labels with URLs,
sites and splits, and each page's voice features as unordered counts.`,
	}
	cmd.AddCommand(newCorpusAddCmd(s), newCorpusBuildCmd(s), newCorpusRestoreCmd(s), newCorpusAgreementCmd(s))
	return cmd
}

// corpusDir returns --corpus, else $ADSCAN_CORPUS.
func corpusDir(s streams, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := s.getenv("ADSCAN_CORPUS"); d != "" {
		return d, nil
	}
	return "", usageError{errors.New("no corpus directory: give --corpus DIR or set ADSCAN_CORPUS")}
}

// excludedList reads --excluded, else $ADSCAN_EXCLUDED; nil if neither.
func excludedList(s streams, flag string) (corpus.Excluded, error) {
	path := flag
	if path == "" {
		path = s.getenv("ADSCAN_EXCLUDED")
	}
	if path == "" {
		return nil, nil
	}
	return corpus.ReadExcluded(path)
}

// maxCorpusPageBytes is the largest page text `corpus add` takes.
const maxCorpusPageBytes = 1 << 20

type corpusAddOptions struct {
	dir, excluded, url, voice, genre, audience, cats, note, query, by string
}

func newCorpusAddCmd(s streams) *cobra.Command {
	var o corpusAddOptions
	cmd := &cobra.Command{
		Use:   "add --url URL --voice promo|other --genre G --audience A [--cats C,...] --note TEXT [--corpus DIR] < TEXT",
		Short: "Add one page (its text on standard input) with its label",
		Long: `Add one gathered page to the corpus: its text comes on standard input,
exactly as gathered; its label from the flags (see corpus/real/GUIDE.md).
Refused: a URL already in the corpus, a text under 80 characters, unknown
labels, and a URL of the excluded list (--excluded FILE or ADSCAN_EXCLUDED:
SHA-256 digests of pages kept for an outside evaluation).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCorpusAdd(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "corpus", "", "corpus directory (default $ADSCAN_CORPUS)")
	f.StringVar(&o.excluded, "excluded", "", "digests of excluded URLs (default $ADSCAN_EXCLUDED)")
	f.StringVar(&o.url, "url", "", "the page's URL")
	f.StringVar(&o.voice, "voice", "", "promo or other")
	f.StringVar(&o.genre, "genre", "", "the page's genre: "+strings.Join(corpus.Genres, ", "))
	f.StringVar(&o.audience, "audience", "", "k12, preschool, adult, mixed or none")
	f.StringVar(&o.cats, "cats", "", "violated categories, comma-separated")
	f.StringVar(&o.note, "note", "", "why these labels, in one sentence")
	f.StringVar(&o.query, "query", "", "the search that found the page")
	f.StringVar(&o.by, "by", "", "who labelled it")
	return cmd
}

// check names each label flag that is missing or has a value the guide
// does not have, before the text is read.
func (o corpusAddOptions) check() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"--url", o.url}, {"--voice", o.voice}, {"--genre", o.genre}, {"--note", o.note}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return usageError{fmt.Errorf("corpus add: give %s", strings.Join(missing, ", "))}
	}
	oneOf := func(flag, v string, allowed []string) error {
		if slices.Contains(allowed, v) {
			return nil
		}
		return usageError{fmt.Errorf("corpus add: %s %q: want one of %s", flag, v, strings.Join(allowed, ", "))}
	}
	if err := oneOf("--voice", o.voice, []string{corpus.VoicePromo, corpus.VoiceOther}); err != nil {
		return err
	}
	if err := oneOf("--genre", o.genre, corpus.Genres); err != nil {
		return err
	}
	if err := oneOf("--audience", o.audience, corpus.Audiences); err != nil {
		return err
	}
	for _, c := range strings.Split(o.cats, ",") {
		if c = strings.TrimSpace(c); c != "" && !adscan.Category(c).Valid() {
			names := make([]string, len(adscan.Categories))
			for i, k := range adscan.Categories {
				names[i] = string(k)
			}
			return usageError{fmt.Errorf("corpus add: --cats: unknown category %q (want %s)", c, strings.Join(names, ", "))}
		}
	}
	return nil
}

func runCorpusAdd(s streams, o corpusAddOptions) error {
	dir, err := corpusDir(s, o.dir)
	if err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	ex, err := excludedList(s, o.excluded)
	if err != nil {
		return fmt.Errorf("corpus add: %w", err)
	}
	if ex.Has(o.url) {
		return fmt.Errorf("corpus add: %s belongs to the outside evaluation; it may not be used", o.url)
	}
	text, err := io.ReadAll(io.LimitReader(s.in, maxCorpusPageBytes+1))
	if err != nil {
		return fmt.Errorf("corpus add: read text: %w", err)
	}
	if len(text) > maxCorpusPageBytes {
		return fmt.Errorf("corpus add: the text of %s is over %d bytes; a corpus page is a page's text, stored whole", o.url, maxCorpusPageBytes)
	}
	if len([]rune(strings.TrimSpace(string(text)))) < 80 {
		return fmt.Errorf("corpus add: the text of %s is under 80 characters", o.url)
	}
	l := corpus.Label{ID: corpus.PageID(o.url), URL: o.url, Site: corpus.Site(o.url), Voice: o.voice, Genre: o.genre,
		Audience: o.audience, Note: o.note, Query: o.query, By: o.by}
	for _, c := range strings.Split(o.cats, ",") {
		if c = strings.TrimSpace(c); c != "" {
			l.Categories = append(l.Categories, adscan.Category(c))
		}
	}
	if err := corpus.WritePage(dir, corpus.Page{Label: l, Text: string(text)}, false); err != nil {
		return fmt.Errorf("corpus add: %w", err)
	}
	fmt.Fprintln(s.out, l.ID)
	return nil
}

type corpusBuildOptions struct {
	dir, excluded, labels, features string
	own                             []string
	dropMissing                     bool
}

func newCorpusBuildCmd(s streams) *cobra.Command {
	var o corpusBuildOptions
	cmd := &cobra.Command{
		Use:   "build [--corpus DIR] [--labels FILE] [--features FILE]",
		Short: "Write the committed corpus facts: labels with splits, and voice features",
		Long: `Read every page of the corpus, assign it a split by its site (no site in
two splits), and write the labels (one JSON object a line, sorted by ID) and
each page's voice features as unordered counts of words and page features —
never its sentences — from which 'adscan model train' trains the voice model.
Pages on the excluded list are refused. A page already in the labels file
whose text the directory lacks (a corpus only partly restored, see 'adscan
corpus restore --list') keeps its committed label and features unless
--drop-missing is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCorpusBuild(s, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "corpus", "", "corpus directory (default $ADSCAN_CORPUS)")
	f.StringVar(&o.excluded, "excluded", "", "digests of excluded URLs (default $ADSCAN_EXCLUDED)")
	f.StringVar(&o.labels, "labels", defaultLabelsFile, "labels file to write")
	f.StringVar(&o.features, "features", defaultFeaturesFile, "features file to write")
	f.StringSliceVar(&o.own, "own", []string{"classifier/testdata/corpus"}, "directories of our own labelled texts (labels.yaml) added to the train split")
	f.BoolVar(&o.dropMissing, "drop-missing", false, "leave out committed pages whose text the corpus directory lacks")
	return cmd
}

func runCorpusBuild(s streams, o corpusBuildOptions) error {
	dir, err := corpusDir(s, o.dir)
	if err != nil {
		return err
	}
	ex, err := excludedList(s, o.excluded)
	if err != nil {
		return fmt.Errorf("corpus build: %w", err)
	}
	pages, err := corpus.Load(dir)
	if err != nil {
		return fmt.Errorf("corpus build: %w", err)
	}
	labels := make([]corpus.Label, 0, len(pages))
	feats := make([]corpus.Features, 0, len(pages))
	for _, p := range pages {
		if ex.Has(p.URL) {
			return fmt.Errorf("corpus build: %s (%s) belongs to the outside evaluation; remove it from %s", p.ID, p.URL, dir)
		}
		bag, err := classifier.VoiceBag(p.Text)
		if err != nil {
			return fmt.Errorf("corpus build: %w", err)
		}
		labels = append(labels, p.Label)
		feats = append(feats, corpus.Features{ID: p.ID, Bag: bag})
	}
	kept := 0
	if !o.dropMissing {
		ls, fs, err := committedWithoutText(o.labels, o.features, pages)
		if err != nil {
			return fmt.Errorf("corpus build: %w", err)
		}
		labels, feats, kept = append(labels, ls...), append(feats, fs...), len(ls)
	}
	for _, dir := range o.own {
		if dir == "" {
			continue
		}
		ls, fs, err := ownExamples(dir)
		if err != nil {
			return fmt.Errorf("corpus build: %w", err)
		}
		labels, feats = append(labels, ls...), append(feats, fs...)
	}
	if err := writeJSONLFile(o.labels, labels); err != nil {
		return fmt.Errorf("corpus build: %w", err)
	}
	if err := writeJSONLFile(o.features, feats); err != nil {
		return fmt.Errorf("corpus build: %w", err)
	}
	printCorpusStats(s.out, labels)
	if kept > 0 {
		fmt.Fprintf(s.out, "kept the committed label and features of %d pages whose text is not in %s (adscan corpus restore --list names them; --drop-missing leaves them out)\n", kept, dir)
	}
	fmt.Fprintf(s.out, "wrote %s and %s\n", o.labels, o.features)
	return nil
}

// committedWithoutText returns the labels and features already in the
// committed files of real pages (not our own texts) that are not among
// pages, so a build from a partly restored corpus keeps them. Missing files
// are no error (a first build).
func committedWithoutText(labelsFile, featuresFile string, pages []corpus.Page) ([]corpus.Label, []corpus.Features, error) {
	labels, err := corpus.ReadJSONLFile[corpus.Label](labelsFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	feats, err := corpus.ReadJSONLFile[corpus.Features](featuresFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	bags := make(map[string]corpus.Features, len(feats))
	for _, f := range feats {
		bags[f.ID] = f
	}
	have := make(map[string]bool, len(pages))
	for _, p := range pages {
		have[p.ID] = true
	}
	var ls []corpus.Label
	var fs []corpus.Features
	for _, l := range labels {
		if l.Own || have[l.ID] {
			continue
		}
		f, ok := bags[l.ID]
		if !ok {
			return nil, nil, fmt.Errorf("%s has no text in the corpus directory and no features in %s", l.ID, featuresFile)
		}
		ls, fs = append(ls, l), append(fs, f)
	}
	return ls, fs, nil
}

func writeJSONLFile[T any](path string, rows []T) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := corpus.WriteJSONL(f, rows); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// printCorpusStats prints pages, sites, promotional pages and category
// positives per split.
func printCorpusStats(w io.Writer, labels []corpus.Label) {
	type stat struct {
		pages, promo int
		sites        map[string]bool
		cats         map[adscan.Category]int
	}
	splits := []string{corpus.SplitTrain, corpus.SplitDev, corpus.SplitTest}
	st := map[string]*stat{}
	for _, sp := range splits {
		st[sp] = &stat{sites: map[string]bool{}, cats: map[adscan.Category]int{}}
	}
	for _, l := range labels {
		x := st[l.Split]
		if x == nil {
			continue
		}
		x.pages++
		x.sites[l.Site] = true
		if l.Voice == corpus.VoicePromo {
			x.promo++
		}
		for _, c := range l.Categories {
			x.cats[c]++
		}
	}
	for _, sp := range splits {
		x := st[sp]
		var cs []string
		for _, c := range adscan.Categories {
			if x.cats[c] > 0 {
				cs = append(cs, fmt.Sprintf("%s %d", c, x.cats[c]))
			}
		}
		sort.Strings(cs)
		fmt.Fprintf(w, "%-5s %4d pages, %4d sites, %4d promotional; %s\n", sp, x.pages, len(x.sites), x.promo, strings.Join(cs, ", "))
	}
}

// ownPromoKinds are the kinds of our own labelled texts (see
// classifier/testdata/corpus/labels.yaml) in which a provider speaks.
var ownPromoKinds = []string{"brochure", "course_page", "good_news", "event_page", "wechat_article", "flyer",
	"recruitment", "non_subject", "compliant_institution", "teacher_page", "sales_script", "xiaohongshu_post"}

// ownExamples reads a directory of our own labelled texts (labels.yaml:
// file, categories, kind) as train-split labels and voice features. The
// texts are ours, written for the lexicon's tests; they give the voice
// model the hard adverts (prices, hotlines, enrolment calls) that the real
// corpus lacks, and are never scored as real pages.
func ownExamples(dir string) ([]corpus.Label, []corpus.Features, error) {
	data, err := os.ReadFile(filepath.Join(dir, "labels.yaml"))
	if err != nil {
		return nil, nil, err
	}
	var entries []struct {
		File       string            `yaml:"file"`
		Categories []adscan.Category `yaml:"categories"`
		Kind       string            `yaml:"kind"`
	}
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return nil, nil, fmt.Errorf("%s/labels.yaml: %w", dir, err)
	}
	var labels []corpus.Label
	var feats []corpus.Features
	for _, e := range entries {
		path := filepath.Join(dir, e.File)
		text, err := extractInput(nil, fileInput(path), defaultMaxInputBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		bag, err := classifier.VoiceBag(text)
		if err != nil {
			return nil, nil, err
		}
		l := corpus.Label{ID: "own-" + corpus.PageID(filepath.ToSlash(path)), URL: "file:" + filepath.ToSlash(path), Site: "adscan.own",
			Split: corpus.SplitTrain, Voice: corpus.VoiceOther, Genre: "own", Audience: "", Categories: []adscan.Category{},
			Note: "our own text, kind " + e.Kind, Own: true}
		if slices.Contains(ownPromoKinds, e.Kind) {
			l.Voice, l.Categories = corpus.VoicePromo, e.Categories
		}
		labels = append(labels, l)
		feats = append(feats, corpus.Features{ID: l.ID, Bag: bag})
	}
	return labels, feats, nil
}
