package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"adscan"
)

// targetColumns are the columns a targets CSV may have; url is required.
var targetColumns = []string{"url", "name", "region", "max_pages", "max_depth"}

// targetRow is one good data row of a targets CSV.
type targetRow struct {
	line   int
	target adscan.Target
}

// rowProblem is what is wrong with one line of a targets CSV.
type rowProblem struct {
	line int
	msg  string
}

// readTargetsCSV reads a targets CSV: a header naming some of targetColumns
// (any order, any case; url required) and one target per row. It returns the
// good rows and a problem per bad row: a URL that is not http(s) with a host
// (or is private, loopback or link-local unless allowPrivate), a limit that
// is not a whole number ≥ 0, too many fields, text that is not UTF-8, a URL
// repeated from an earlier row. URLs are normalised (lower-case host, no fragment, "/" for an empty
// path). The error is for a file that cannot be read as CSV at all: no
// header, a bad header, broken quoting; it names the file and line.
func readTargetsCSV(r io.Reader, name string, allowPrivate bool) ([]targetRow, []rowProblem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%s: empty file; want a header line: %s", name, strings.Join(targetColumns, ","))
	} else if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	col, err := targetHeader(header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:1: %w", name, err)
	}
	var rows []targetRow
	var problems []rowProblem
	firstLine := map[string]int{} // normalised URL → line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, problems, nil
		} else if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		t, msg := parseTargetRecord(rec, header, col, allowPrivate)
		if msg == "" {
			if first, dup := firstLine[t.URL]; dup {
				msg = fmt.Sprintf("url %s repeats line %d", t.URL, first)
			} else {
				firstLine[t.URL] = line
			}
		}
		if msg != "" {
			problems = append(problems, rowProblem{line: line, msg: msg})
			continue
		}
		rows = append(rows, targetRow{line: line, target: t})
	}
}

// targetHeader maps each known column to its index in the header.
func targetHeader(header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) // spreadsheets write a BOM
		known := false
		for _, k := range targetColumns {
			known = known || h == k
		}
		if !known {
			return nil, fmt.Errorf("unknown column %q; the columns are %s", header[i], strings.Join(targetColumns, ", "))
		}
		if hasKey(col, h) {
			return nil, fmt.Errorf("column %q appears twice", h)
		}
		col[h] = i
	}
	if !hasKey(col, "url") {
		return nil, fmt.Errorf("no url column in the header %q; the first line names the columns: %s", strings.Join(header, ","), strings.Join(targetColumns, ","))
	}
	return col, nil
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// parseTargetRecord turns one record into a target, or says what is wrong.
func parseTargetRecord(rec, header []string, col map[string]int, allowPrivate bool) (adscan.Target, string) {
	if len(rec) > len(header) {
		return adscan.Target{}, fmt.Sprintf("%d fields, but the header has %d columns", len(rec), len(header))
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return adscan.Target{}, "not UTF-8 text (a spreadsheet's GBK export? save it as \"CSV UTF-8\")"
		}
	}
	field := func(name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	raw := field("url")
	if raw == "" {
		return adscan.Target{}, "no url"
	}
	t := adscan.Target{URL: raw, Name: field("name"), Region: field("region")}
	for _, n := range []struct {
		column string
		dst    *int
	}{{"max_pages", &t.MaxPages}, {"max_depth", &t.MaxDepth}} {
		v := field(n.column)
		if v == "" {
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return adscan.Target{}, fmt.Sprintf("%s %q: want a whole number ≥ 0", n.column, v)
		}
		*n.dst = x
	}
	t, err := adscan.ParseTarget(t, allowPrivate)
	if err != nil {
		return adscan.Target{}, adscan.ErrorMessage(err)
	}
	return t, ""
}

// newTargetsCmd is `adscan targets`: the register of target websites.
func newTargetsCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "targets",
		Short: "Import and list the register of target websites",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("targets: want a subcommand: import FILE.csv or list")}
			}
			return usageError{fmt.Errorf("targets: unknown subcommand %q (want import or list)", args[0])}
		},
	}
	cmd.AddCommand(newTargetsImportCmd(s), newTargetsListCmd(s))
	return cmd
}

// newTargetsImportCmd is `adscan targets import FILE.csv`.
func newTargetsImportCmd(s streams) *cobra.Command {
	var db string
	var skipInvalid, allowPrivate bool
	cmd := &cobra.Command{
		Use:   "import FILE.csv [--db DSN] [--skip-invalid] [--allow-private-targets]",
		Short: "Add or update targets from a CSV file",
		Long: `Add or update targets from a CSV file (- for standard input). The first line
names the columns, in any order: ` + strings.Join(targetColumns, ", ") + `; only url
is required. A target with the URL of a registered one updates it.

Every row is checked first and each bad one reported with its line number; if
any is bad nothing is imported, unless --skip-invalid imports the good rows.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("targets import: want one FILE.csv, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			const command = "targets import"
			name := args[0]
			var r io.Reader = s.in
			if name != "-" {
				f, err := os.Open(name)
				if err != nil {
					return fmt.Errorf("%s: %w", command, err)
				}
				defer f.Close()
				r = f
			}
			rows, problems, err := readTargetsCSV(r, name, allowPrivate)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			for _, p := range problems {
				fmt.Fprintf(s.err, "%s:%d: %s\n", name, p.line, p.msg)
			}
			if len(problems) > 0 && !skipInvalid {
				return fmt.Errorf("%s: %s has %d bad row(s); nothing imported (fix them, or --skip-invalid imports the other rows)", command, name, len(problems))
			}
			if len(rows) == 0 {
				return fmt.Errorf("%s: %s has no target to import", command, name)
			}
			ctx := cmd.Context()
			st, err := openCmdStore(ctx, s, command, db)
			if err != nil {
				return err
			}
			defer st.Close()
			before, err := st.ListTargets(ctx)
			if err != nil {
				return cliError(command, err)
			}
			known := map[string]bool{}
			for _, t := range before {
				known[t.URL] = true
			}
			var added, updated int
			for _, row := range rows {
				if _, err := st.UpsertTarget(ctx, row.target); err != nil {
					return cliError(command, fmt.Errorf("%s:%d (%d added, %d updated before it): %w", name, row.line, added, updated, err))
				}
				if known[row.target.URL] {
					updated++
				} else {
					added++
				}
			}
			fmt.Fprintf(s.out, "adscan: imported %d targets from %s: %d added, %d updated", len(rows), name, added, updated)
			if len(problems) > 0 {
				fmt.Fprintf(s.out, ", %d bad rows skipped", len(problems))
			}
			fmt.Fprintln(s.out)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	cmd.Flags().BoolVar(&skipInvalid, "skip-invalid", false, "import the good rows even if some are bad")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private-targets", false, "accept private, loopback and link-local addresses")
	return cmd
}

// newTargetsListCmd is `adscan targets list`.
func newTargetsListCmd(s streams) *cobra.Command {
	var db string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json] [--db DSN]",
		Short: "List the targets, oldest first",
		Args:  noPositionalArgs("targets list"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			const command = "targets list"
			ctx := cmd.Context()
			st, err := openCmdStore(ctx, s, command, db)
			if err != nil {
				return err
			}
			defer st.Close()
			targets, err := st.ListTargets(ctx)
			if err != nil {
				return cliError(command, err)
			}
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetEscapeHTML(false)
				for _, t := range targets {
					if err := enc.Encode(t); err != nil {
						return fmt.Errorf("%s: %w", command, err)
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "URL\tNAME\tREGION\tMAX_PAGES\tMAX_DEPTH")
			for _, t := range targets {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.URL, t.Name, t.Region, limitText(t.MaxPages), limitText(t.MaxDepth))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per target and line")
	return cmd
}

// limitText shows a limit, "-" for none (the default).
func limitText(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}
