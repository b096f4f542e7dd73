package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"adscan"
	"adscan/classifier"
	"adscan/classifier/htmltext"
)

// defaultMaxInputBytes bounds one input of `adscan classify`: a larger file
// is reported as an error instead of being read into memory.
const defaultMaxInputBytes = 64 << 20

// classifyMemoryLimit is the soft memory limit of `adscan classify` unless
// GOMEMLIMIT is set. The process is mostly gse's dictionary (~130 MB live)
// and the binary itself; without a limit the collector lets the heap grow
// half as much again between collections (GOGC=50) and a 20 MB batch of
// pages peaks at ~360 MB resident in 2.1 s; with it, set before the
// dictionary loads, at 275–290 MB in 3.3–3.6 s (README).
// It is soft: a larger document still classifies, with more collecting.
const classifyMemoryLimit = 190 << 20

// classifyOptions are the flags of `adscan classify`.
type classifyOptions struct {
	json     bool
	lexicon  string
	model    string
	maxBytes int64
}

// newClassifyCmd is `adscan classify [--json] [--lexicon FILE] [PATH...]`.
func newClassifyCmd(s streams) *cobra.Command {
	var opts classifyOptions
	cmd := &cobra.Command{
		Use:   "classify [--json] [--lexicon FILE] [--model FILE|none] [PATH...]",
		Short: "Classify text or HTML files, directories or standard input",
		Long: `Classify each PATH: a file (text or HTML, told apart by its extension or
content; GBK, GB18030 and Big5 are decoded, invalid UTF-8 is replaced by
U+FFFD), a directory (every .txt, .html and .htm file below it, in sorted
order), or - (or no PATH at all) for standard input.

With --json, one JSON object per document and line, in input order:
{"source":PATH,"lexicon":{"name","version"},"flags":[{"category","score",
"basis","evidence":[{"text","start","end","rule","snippet"}],"voice":{...}}]}
where start and end are byte offsets into the document's extracted text and
voice is the voice model's decision on the passage around the evidence (a
category flags only where a provider promotes its own service; --model none
classifies with the lexicon's rules alone).
Without --json, a readable report.

An input that cannot be classified (unreadable, binary, larger than
--max-bytes) is reported on standard error and the others are still
classified; the exit status is then 1.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runClassify(s, opts, args)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print one JSON object per document and line")
	cmd.Flags().StringVar(&opts.lexicon, "lexicon", "", "classify with this lexicon file instead of the embedded default")
	cmd.Flags().StringVar(&opts.model, "model", "", "voice model file instead of the embedded one (none: rules alone)")
	cmd.Flags().Int64Var(&opts.maxBytes, "max-bytes", defaultMaxInputBytes, "largest input to read, in bytes")
	return cmd
}

// classifyInput is one document to classify: a file, or standard input.
type classifyInput struct {
	source      string // as printed
	path        string // "" for standard input
	contentType string // from the extension; "" to sniff
}

// classifyOutput is what classifying one input produced.
type classifyOutput struct {
	source string
	result adscan.Result
	err    error
}

func runClassify(s streams, opts classifyOptions, args []string) error {
	if opts.maxBytes <= 0 {
		return usageError{fmt.Errorf("classify: --max-bytes %d: want 1 or more", opts.maxBytes)}
	}
	if s.getenv("GOMEMLIMIT") == "" {
		// Before the dictionary loads: its loading leaves as much garbage
		// again as it keeps, and that is where the peak would be. Restored
		// after, for callers that run commands in-process (tests).
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(classifyMemoryLimit))
	}
	inputs, listErrs := expandInputs(args)
	failed := false
	for _, err := range listErrs {
		fmt.Fprintf(s.err, "adscan: classify: %v\n", err)
		failed = true
	}
	if len(inputs) == 0 { // nothing to classify: do not load the dictionary
		return exitError{exitFailure}
	}
	lex, err := loadLexicon(s, "classify", opts.lexicon)
	if err != nil {
		return err
	}
	m, err := loadVoice("classify", opts.model)
	if err != nil {
		return err
	}
	c, err := classifier.New(lex)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	c = c.WithVoice(m)
	rep := &reporter{s: s, json: opts.json, lex: lex}
	for out := range classifyAll(c, s.in, inputs, opts.maxBytes) {
		if out.err != nil {
			fmt.Fprintf(s.err, "adscan: classify %s: %v\n", out.source, out.err)
			failed = true
			continue
		}
		if err := rep.print(out.source, out.result); err != nil {
			return fmt.Errorf("classify: write output: %w", err)
		}
	}
	if failed {
		return exitError{exitFailure}
	}
	return nil
}

// expandInputs turns the command line into the documents to classify, in
// order, each once: directories become their .txt/.html/.htm files in sorted order;
// no argument or "-" is standard input. Paths that cannot be listed are
// returned as errors.
func expandInputs(args []string) ([]classifyInput, []error) {
	if len(args) == 0 {
		args = []string{"-"}
	}
	var (
		inputs []classifyInput
		errs   []error
	)
	for _, arg := range args {
		if arg == "-" {
			inputs = append(inputs, classifyInput{source: "-"})
			continue
		}
		info, err := os.Stat(arg)
		if err != nil || !info.IsDir() {
			inputs = append(inputs, fileInput(arg)) // reading it reports the error
			continue
		}
		found, listFailed := 0, false
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, fmt.Errorf("list %s: %w", path, err))
				listFailed = true
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && classifiableExt(path) {
				inputs = append(inputs, fileInput(path))
				found++
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s: %w", arg, err))
			listFailed = true
		}
		if found == 0 && !listFailed {
			// Silence here would read as "nothing flagged".
			errs = append(errs, fmt.Errorf("%s: no .txt, .html or .htm file in this directory", arg))
		}
	}
	return dedupInputs(inputs), errs
}

// dedupInputs keeps the first of inputs that name one file (page.html and
// the directory holding it, say): each document is classified once.
func dedupInputs(inputs []classifyInput) []classifyInput {
	seen := map[string]bool{}
	out := inputs[:0]
	for _, in := range inputs {
		key := in.source
		if in.path != "" {
			if abs, err := filepath.Abs(in.path); err == nil {
				key = abs
			}
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, in)
		}
	}
	return out
}

func classifiableExt(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".html", ".htm":
		return true
	}
	return false
}

func fileInput(path string) classifyInput {
	in := classifyInput{source: path, path: path}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm", ".xhtml":
		in.contentType = "text/html"
	case ".txt":
		in.contentType = "text/plain"
	}
	return in
}

// classifyAll classifies the inputs on a few goroutines and delivers the
// outputs in input order, with at most a few inputs in flight ahead of the
// one being delivered.
func classifyAll(c *classifier.Classifier, stdin io.Reader, inputs []classifyInput, maxBytes int64) <-chan classifyOutput {
	slots := make([]chan classifyOutput, len(inputs))
	for i := range slots {
		slots[i] = make(chan classifyOutput, 1)
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	ahead := make(chan struct{}, 2*workers)
	next := make(chan int)
	go func() {
		for i := range inputs {
			ahead <- struct{}{}
			next <- i
		}
		close(next)
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for i := range next {
				slots[i] <- classifyOne(c, stdin, inputs[i], maxBytes)
			}
		}()
	}
	ordered := make(chan classifyOutput)
	go func() {
		for _, slot := range slots {
			ordered <- <-slot
			<-ahead
		}
		close(ordered)
	}()
	return ordered
}

// classifyOne reads, extracts and classifies one input.
func classifyOne(c *classifier.Classifier, stdin io.Reader, in classifyInput, maxBytes int64) classifyOutput {
	out := classifyOutput{source: in.source}
	text, err := extractInput(stdin, in, maxBytes)
	if err != nil {
		out.err = err
		return out
	}
	out.result = c.Classify(adscan.Document{Source: in.source, Text: text})
	return out
}

// extractInput reads an input and returns its visible text (see readInput
// and htmltext.Extract).
func extractInput(stdin io.Reader, in classifyInput, maxBytes int64) (string, error) {
	body, err := readInput(stdin, in, maxBytes)
	if err != nil {
		return "", err
	}
	page, err := htmltext.Extract(body, in.contentType)
	if err != nil {
		return "", err
	}
	return page.Text, nil
}

// readInput reads a file or standard input, refusing more than maxBytes.
func readInput(stdin io.Reader, in classifyInput, maxBytes int64) ([]byte, error) {
	r := stdin
	if in.path != "" {
		f, err := os.Open(in.path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil && info.IsDir() {
			return nil, errors.New("is a directory")
		}
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("larger than %d bytes (see --max-bytes)", maxBytes)
	}
	return body, nil
}
