package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"adscan"
	"adscan/corpus"
	"adscan/store"
)

// casePageSize is how many cases one ListCases call asks for (the store's maximum).
const casePageSize = 1000

// caseFilterOptions are the flags that select cases.
type caseFilterOptions struct {
	scan, state, category string
	db                    string
}

func (o *caseFilterOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.scan, "scan", "", "only cases the scan with this ID sighted")
	f.StringVar(&o.state, "state", "", "only cases in this state: "+adscan.JoinCaseStates())
	f.StringVar(&o.category, "category", "", "only cases with a finding of this category (e.g. tutoring_ad)")
	f.StringVar(&o.db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
}

// filter checks the flags and returns the store filter; a bad state or
// category is a usage error listing the known ones.
func (o caseFilterOptions) filter(command string) (adscan.CaseFilter, error) {
	f := adscan.CaseFilter{ScanID: o.scan, State: adscan.CaseState(o.state), Category: adscan.Category(o.category)}
	if o.state != "" && !f.State.Valid() {
		return f, usageError{fmt.Errorf("%s: --state %q: want one of %s", command, o.state, adscan.JoinCaseStates())}
	}
	if o.category != "" && !f.Category.Valid() {
		names := make([]string, len(adscan.Categories))
		for i, c := range adscan.Categories {
			names[i] = string(c)
		}
		return f, usageError{fmt.Errorf("%s: --category %q: want one of %s", command, o.category, strings.Join(names, ", "))}
	}
	return f, nil
}

// openReadStore is openCmdStore for a command that only reads: a SQLite
// database that is not there is an error naming it (a mistyped --db would
// otherwise list an empty new database and leave it behind).
func openReadStore(ctx context.Context, s streams, command, dsn string) (*store.Store, error) {
	return openCmdStore(ctx, s, command, dsn, store.Existing())
}

// openCmdStore opens the database named by the --db value, else by
// ADSCAN_DB; neither is a usage error. Store logs below warnings are dropped:
// the command's output is its report.
func openCmdStore(ctx context.Context, s streams, command, dsn string, opts ...store.Option) (*store.Store, error) {
	dsn, err := resolveDSN(s, command, dsn)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, dsn, quietLogger(s), opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return st, nil
}

// resolveDSN returns the --db value, else $ADSCAN_DB, else a usage error
// naming the command.
func resolveDSN(s streams, command, dsn string) (string, error) {
	if dsn == "" {
		dsn = s.getenv(envDB)
	}
	if dsn == "" {
		return "", usageError{fmt.Errorf("%s: no database: give --db DSN or set %s", command, envDB)}
	}
	return dsn, nil
}

// quietLogger logs warnings and errors on stderr, or whatever
// ADSCAN_LOG_LEVEL asks for.
func quietLogger(s streams) *slog.Logger {
	if s.getenv(envLogLevel) != "" {
		return newLogger(s)
	}
	return slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// cliError words an error for the command line: an *adscan.Error by its
// message (a not-found one as is, since it names the missing thing), usage
// errors unchanged, anything else wrapped with the command.
func cliError(command string, err error) error {
	var ae *adscan.Error
	switch {
	case err == nil:
		return nil
	case isUsageError(err):
		return err
	case errors.As(err, &ae) && ae.Code == adscan.ENOTFOUND:
		return errors.New(ae.Message)
	case errors.As(err, &ae):
		return fmt.Errorf("%s: %s", command, ae.Message)
	}
	return fmt.Errorf("%s: %w", command, err)
}

// pageCases returns the cases matching f, newest first: all of them when
// max is 0, else at most max. It pages through the store by cursor
// (CaseFilter.After), so more than the store's per-call maximum can be
// listed and cases created meanwhile shift nothing.
func pageCases(ctx context.Context, st adscan.Store, f adscan.CaseFilter, max int) ([]adscan.Case, error) {
	var out []adscan.Case
	for {
		f.Limit = casePageSize
		if max > 0 {
			f.Limit = min(casePageSize, max-len(out))
		}
		page, err := st.ListCases(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit || (max > 0 && len(out) >= max) {
			return out, nil
		}
		f.After = page[len(page)-1].Cursor()
	}
}

// newCasesCmd is `adscan cases`: list and export cases from the store.
func newCasesCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cases",
		Short: "List and export cases",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("cases: want a subcommand: list or export")}
			}
			return usageError{fmt.Errorf("cases: unknown subcommand %q (want list or export)", args[0])}
		},
	}
	cmd.AddCommand(newCasesListCmd(s), newCasesExportCmd(s))
	return cmd
}

// newCasesListCmd is `adscan cases list`: a table of cases, newest first.
func newCasesListCmd(s streams) *cobra.Command {
	var opts caseFilterOptions
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--scan ID] [--state S] [--category C] [--limit N] [--json] [--db DSN]",
		Short: "List cases, newest first",
		Long: `List cases, newest first, as a table of ID, state, categories and URL; with
--json one case object per line (without findings: 'cases export' has those).`,
		Args: noPositionalArgs("cases list"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			const command = "cases list"
			f, err := opts.filter(command)
			if err != nil {
				return err
			}
			if limit < 0 {
				return usageError{fmt.Errorf("%s: --limit %d: want 0 (all) or more", command, limit)}
			}
			ctx := cmd.Context()
			st, err := openReadStore(ctx, s, command, opts.db)
			if err != nil {
				return err
			}
			defer st.Close()
			cases, err := pageCases(ctx, st, f, limit)
			if err != nil {
				return cliError(command, err)
			}
			if asJSON {
				err = printCasesJSON(s, cases)
			} else {
				err = printCasesTable(s, cases)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			if limit > 0 && len(cases) == limit {
				fmt.Fprintf(s.err, "adscan: %s: showed the first %d cases; --limit 0 shows all\n", command, limit)
			}
			return nil
		},
	}
	opts.register(cmd)
	cmd.Flags().IntVar(&limit, "limit", 100, "show at most N cases (0: all)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per case and line")
	return cmd
}

// printCasesJSON writes one JSON object per case and line.
func printCasesJSON(s streams, cases []adscan.Case) error {
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return nil
}

// printCasesTable writes a table of ID, state, categories and URL.
func printCasesTable(s streams, cases []adscan.Case) error {
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCATEGORIES\tURL")
	for _, c := range cases {
		cats := make([]string, len(c.Categories))
		for i, k := range c.Categories {
			cats[i] = string(k)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.State, strings.Join(cats, ","), c.URL)
	}
	return tw.Flush()
}

// csvExportHeader is the header of `cases export --format csv`.
var csvExportHeader = []string{"case_id", "url", "target", "state", "category", "score", "basis", "evidence", "capture_id", "body_sha256"}

// newCasesExportCmd is `adscan cases export`: every matching case in full.
func newCasesExportCmd(s streams) *cobra.Command {
	var opts caseFilterOptions
	var format, outDir string
	cmd := &cobra.Command{
		Use:   "export [--scan ID] [--state S] [--category C] [--format jsonl|csv|corpus] [--out DIR] [--db DSN]",
		Short: "Export cases with their findings and evidence",
		Long: `Export every matching case, newest first, on standard output.

jsonl: one case per line with its findings (evidence spans with byte offsets
into the capture's text), sightings, decision and audit trail.
csv: one row per finding: ` + strings.Join(csvExportHeader, ", ") + `;
evidence is the text of the finding's evidence spans joined by " | ", and
body_sha256 the digest of the captured page the finding rests on.
corpus: the decided cases (confirmed, referred, dismissed) as labelled pages
of a real-page corpus in --out DIR (pages/ID.txt with the captured text,
labels/ID.json): a confirmed case is labelled with its categories and voice
promo, a dismissed one with no category (voice unknown). Retrain and compare
with 'adscan corpus build', 'adscan model train' and 'adscan model compare'.`,
		Args: noPositionalArgs("cases export"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			const command = "cases export"
			f, err := opts.filter(command)
			if err != nil {
				return err
			}
			if format != "jsonl" && format != "csv" && format != "corpus" {
				return usageError{fmt.Errorf("%s: --format %q: want jsonl, csv or corpus", command, format)}
			}
			switch {
			case format == "corpus" && outDir == "":
				return usageError{fmt.Errorf("%s: --format corpus needs --out DIR (the corpus directory it writes pages/ and labels/ into)", command)}
			case format != "corpus" && outDir != "":
				return usageError{fmt.Errorf("%s: --out DIR goes with --format corpus only (the other formats go to standard output)", command)}
			}
			ctx := cmd.Context()
			st, err := openReadStore(ctx, s, command, opts.db)
			if err != nil {
				return err
			}
			defer st.Close()
			cases, err := pageCases(ctx, st, f, 0)
			if err != nil {
				return cliError(command, err)
			}
			count := len(cases)
			switch format {
			case "csv":
				err = exportCSV(ctx, s, st, cases)
			case "corpus":
				var ex corpus.Excluded
				if ex, err = excludedList(s, ""); err == nil {
					count, err = exportCorpus(ctx, st, cases, outDir, ex)
				}
			default:
				err = exportJSONL(ctx, s, st, cases)
			}
			if err != nil {
				return cliError(command, err)
			}
			fmt.Fprintf(s.err, "adscan: %s: %d cases\n", command, count)
			return nil
		},
	}
	opts.register(cmd)
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl, csv or corpus")
	cmd.Flags().StringVar(&outDir, "out", "", "with --format corpus: the corpus directory to write")
	return cmd
}

// exportJSONL writes each case in full, one per line.
func exportJSONL(ctx context.Context, s streams, st adscan.Store, cases []adscan.Case) error {
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		full, err := st.GetCase(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := enc.Encode(full); err != nil {
			return err
		}
	}
	return nil
}

// exportCSV writes one row per finding of each case.
func exportCSV(ctx context.Context, s streams, st adscan.Store, cases []adscan.Case) error {
	w := csv.NewWriter(s.out)
	if err := w.Write(csvExportHeader); err != nil {
		return err
	}
	for _, c := range cases {
		full, err := st.GetCase(ctx, c.ID)
		if err != nil {
			return err
		}
		digests := map[string]string{} // capture ID → body SHA-256
		for _, g := range full.Sightings {
			digests[g.CaptureID] = g.BodySHA256
		}
		for _, fd := range full.Findings {
			digest, ok := digests[fd.CaptureID]
			if !ok {
				capture, err := st.GetCapture(ctx, fd.CaptureID)
				if err != nil {
					return fmt.Errorf("case %s: capture %s: %w", c.ID, fd.CaptureID, err)
				}
				digest = capture.BodySHA256
				digests[fd.CaptureID] = digest
			}
			spans := make([]string, len(fd.Evidence))
			for i, e := range fd.Evidence {
				spans[i] = e.Text
			}
			if err := w.Write([]string{
				full.ID, full.URL, full.Target, string(full.State), string(fd.Category),
				strconv.FormatFloat(fd.Score, 'f', -1, 64), fd.Basis, strings.Join(spans, " | "),
				fd.CaptureID, digest,
			}); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// noPositionalArgs rejects positional arguments as a usage error.
func noPositionalArgs(command string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("%s: unexpected argument %q", command, args[0])}
		}
		return nil
	}
}

// exportCorpus writes the decided cases as labelled corpus pages in dir and
// returns how many it wrote. A page's text is the capture the reviewer
// decided on: the latest sighting at or before the decision (later scans
// may have seen a changed page); a confirmed case is labelled with the
// categories of that capture's findings. Cases are written in the order they
// were decided, so where two cases are one page (http and https, "www.")
// the later decision wins. A page already in dir is replaced only if an
// earlier export wrote it (genre "case"), never a hand-labelled one, and a
// page of the excluded list is skipped.
func exportCorpus(ctx context.Context, st adscan.Store, cases []adscan.Case, dir string, ex corpus.Excluded) (int, error) {
	var decided []adscan.Case
	for _, c := range cases {
		if c.State != adscan.CaseConfirmed && c.State != adscan.CaseReferred && c.State != adscan.CaseDismissed {
			continue
		}
		full, err := st.GetCase(ctx, c.ID)
		if err != nil {
			return 0, err
		}
		if full.Decision == nil || len(full.Sightings) == 0 {
			return 0, fmt.Errorf("case %s is %s but has no decision or sighting", c.ID, c.State)
		}
		decided = append(decided, full)
	}
	sort.SliceStable(decided, func(a, b int) bool { return decided[a].Decision.DecidedAt.Before(decided[b].Decision.DecidedAt) })
	n := 0
	for _, c := range decided {
		if ex.Has(c.URL) {
			continue
		}
		seen := decidedSighting(c)
		capture, err := st.GetCapture(ctx, seen.CaptureID)
		if err != nil {
			return n, fmt.Errorf("case %s: capture %s: %w", c.ID, seen.CaptureID, err)
		}
		l := corpus.Label{ID: corpus.PageID(c.URL), URL: c.URL, Site: corpus.Site(c.URL), Genre: "case",
			Categories: []adscan.Category{}, Note: "dismissed by a reviewer", By: c.Decision.By}
		if c.State != adscan.CaseDismissed {
			l.Voice, l.Note = corpus.VoicePromo, "confirmed by a reviewer"
			for _, f := range c.Findings {
				if f.CaptureID == seen.CaptureID && !slices.Contains(l.Categories, f.Category) {
					l.Categories = append(l.Categories, f.Category)
				}
			}
			if len(l.Categories) == 0 {
				l.Categories = c.Categories
			}
		}
		if c.Decision.Note != "" {
			l.Note += ": " + c.Decision.Note
		}
		if old, err := os.ReadFile(filepath.Join(dir, "labels", l.ID+".json")); err == nil {
			var prev corpus.Label
			if json.Unmarshal(old, &prev) != nil || prev.Genre != "case" {
				continue // labelled by hand: keep it
			}
		}
		if err := corpus.WritePage(dir, corpus.Page{Label: l, Text: capture.Text}, true); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// decidedSighting returns the latest sighting at or before the case's
// decision, or the earliest one if every sighting came later.
func decidedSighting(c adscan.Case) adscan.Sighting {
	var best *adscan.Sighting
	for i := range c.Sightings {
		g := &c.Sightings[i]
		if g.SeenAt.After(c.Decision.DecidedAt) {
			continue
		}
		if best == nil || g.SeenAt.After(best.SeenAt) {
			best = g
		}
	}
	if best != nil {
		return *best
	}
	first := c.Sightings[0]
	for _, g := range c.Sightings {
		if g.SeenAt.Before(first.SeenAt) {
			first = g
		}
	}
	return first
}
