package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"adscan"
	"adscan/profile"
)

// newProfileCmd is `adscan profile`: platform scan profiles.
func newProfileCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Check, register, list and show platform scan profiles",
		Long: `A platform scan profile (YAML) says how to search one platform for tutoring
adverts: search URLs filled from keywords and cities, which links lead to
further listing pages and to detail pages, pagination and page limits, render
mode, crawl delay and how to find the advertiser a detail page names. A scan
or schedule runs a registered profile as a target: {"profile":"NAME"}.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("profile: want a subcommand: check FILE, add FILE, list or show NAME")}
			}
			return usageError{fmt.Errorf("profile: unknown subcommand %q (want check, add, list or show)", args[0])}
		},
	}
	cmd.AddCommand(newProfileCheckCmd(s), newProfileAddCmd(s), newProfileListCmd(s), newProfileShowCmd(s))
	return cmd
}

// oneFile checks that a subcommand got exactly one FILE.
func oneFile(command string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError{fmt.Errorf("%s: want exactly one FILE, got %d arguments", command, len(args))}
		}
		return nil
	}
}

// printProblems prints a profile's problems as FILE:LINE: MESSAGE and a
// count, and returns the exit error; any other error is returned as is.
func printProblems(s streams, path string, err error) error {
	var pe *profile.ProblemsError
	if !errors.As(err, &pe) {
		return err
	}
	for _, p := range pe.Problems {
		fmt.Fprintln(s.out, p.Format(path))
	}
	fmt.Fprintln(s.out, lexiconCount(len(pe.Problems), "problem"))
	return exitError{exitFailure}
}

// newProfileCheckCmd is `adscan profile check FILE`: every problem of the
// file as FILE:LINE: MESSAGE and a count (exit 1), or a summary of what a
// scan of the profile would do.
func newProfileCheckCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a profile file and print each problem with its line number",
		Args:  oneFile("profile check"),
		RunE: func(_ *cobra.Command, args []string) error {
			path := args[0]
			p, err := profile.Load(path)
			if err != nil {
				return printProblems(s, path, err)
			}
			render := "plain"
			if p.Render == adscan.RenderBrowser {
				render = "browser"
			}
			delay := "the worker's --crawl-delay"
			if p.CrawlDelay != nil {
				delay = p.CrawlDelay.String()
			}
			searches := "search URLs with every region in the register"
			if seeds, err := p.Seeds(nil); err == nil {
				searches = lexiconCount(len(seeds), "search URL")
			}
			fmt.Fprintf(s.out, "ok: %s (%s), %s, render %s, crawl delay %s, at most %d pages, %d listing pages per search\n",
				p.Name, p.Site, searches, render, delay, p.MaxPages, p.Listing.MaxPages)
			return nil
		},
	}
}

// newProfileAddCmd is `adscan profile add FILE`: register a profile, or
// replace the one with its name.
func newProfileAddCmd(s streams) *cobra.Command {
	var db string
	var allowPrivate bool
	cmd := &cobra.Command{
		Use:   "add FILE [--db DSN] [--allow-private-targets]",
		Short: "Register a profile (or replace the one with its name)",
		Long: `Register a platform scan profile in the adscan database, or replace the one
with the same name; scans and schedules then run it as {"profile":"NAME"}. The
file is checked first, as 'adscan profile check' does: nothing is registered
if it has a problem.`,
		Args: oneFile("profile add"),
		RunE: func(cmd *cobra.Command, args []string) error {
			const command = "profile add"
			path := args[0]
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			p, err := profile.ParseForStore(data, path, allowPrivate)
			if err != nil {
				return cliError(command, printProblems(s, path, err))
			}
			ctx := cmd.Context()
			st, err := openCmdStore(ctx, s, command, db)
			if err != nil {
				return err
			}
			defer st.Close()
			p.CreatedBy = cliActor(s)
			saved, created, err := st.PutProfile(ctx, p)
			if err != nil {
				return cliError(command, err)
			}
			verb := "replaced"
			if created {
				verb = "registered"
			}
			fmt.Fprintf(s.out, "adscan: %s profile %s (%s, sha256 %s); scan it with {\"targets\":[{\"profile\":%q}]}\n",
				verb, saved.Name, saved.Site, saved.Digest[:12], saved.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private-targets", false, "accept a site on a private, loopback or link-local address")
	return cmd
}

// newProfileListCmd is `adscan profile list`.
func newProfileListCmd(s streams) *cobra.Command {
	var db string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json] [--db DSN]",
		Short: "List the registered profiles by name",
		Args:  noPositionalArgs("profile list"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			const command = "profile list"
			ctx := cmd.Context()
			st, err := openReadStore(ctx, s, command, db)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.ListProfiles(ctx)
			if err != nil {
				return cliError(command, err)
			}
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetEscapeHTML(false)
				for _, p := range list {
					if err := enc.Encode(p); err != nil {
						return fmt.Errorf("%s: %w", command, err)
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSITE\tRENDER\tTITLE\tUPDATED\tBY")
			for _, p := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Site, p.Render.Name(), p.Title, p.UpdatedAt.Format("2006-01-02 15:04"), p.CreatedBy)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per profile and line")
	return cmd
}

// newProfileShowCmd is `adscan profile show NAME`: the registered YAML.
func newProfileShowCmd(s streams) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:   "show NAME [--db DSN]",
		Short: "Print a registered profile's YAML",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("profile show: want one profile NAME, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			const command = "profile show"
			ctx := cmd.Context()
			st, err := openReadStore(ctx, s, command, db)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := st.GetProfile(ctx, args[0])
			if err != nil {
				return cliError(command, err)
			}
			_, err = s.out.Write(p.YAML)
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	return cmd
}
