package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"adscan"
)

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
names the columns, in any order: ` + strings.Join(adscan.TargetColumns, ", ") + `; only url
is required. A target with the URL of a registered one updates it in the
file's columns alone: a file of url,region changes regions and keeps each
target's name, licence and limits (an empty cell in a column the file has
clears that field).

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
			rows, problems, err := adscan.ReadTargetsCSV(r, name, allowPrivate)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			for _, p := range problems {
				fmt.Fprintf(s.err, "%s:%d: %s\n", name, p.Line, p.Msg)
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
			// One transaction: a failure half-way imports nothing.
			added, updated, err := st.UpsertTargets(ctx, rows, cliActor(s))
			if err != nil {
				return cliError(command, fmt.Errorf("%s: nothing imported: %w", name, err))
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
			st, err := openReadStore(ctx, s, command, db)
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
			fmt.Fprintln(tw, "URL\tNAME\tREGION\tMAX_PAGES\tMAX_DEPTH\tRENDER")
			for _, t := range targets {
				render := string(t.Render)
				if render == "" {
					render = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.URL, t.Name, t.Region, limitText(t.MaxPages), limitText(t.MaxDepth), render)
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
