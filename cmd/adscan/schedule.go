package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/service/worker/scheduler"

	"adscan"
	"adscan/store"
	"adscan/workflows"
)

// scheduleOptions are the flags every `adscan schedule` subcommand shares.
type scheduleOptions struct {
	temporal     temporalOptions
	allowPrivate bool
	db           string // optional: the store that records schedules for a list that does not lag
}

// orchestrator dials Temporal and returns the schedule client and a
// function that closes what it opened. Schedules live in Temporal; with
// --db (or ADSCAN_DB) the store also records their IDs as they are made,
// so 'schedule list' shows one made a moment ago (Temporal's own list
// lags a little) — the console does the same.
func (o *scheduleOptions) orchestrator(ctx context.Context, s streams, command string) (*workflows.Client, func(), error) {
	tc, err := dialTemporal(ctx, o.temporal, quietLogger(s))
	if err != nil {
		return nil, nil, cliError(command, err)
	}
	c := &workflows.Client{Temporal: tc, AllowPrivate: o.allowPrivate}
	dsn := o.db
	if dsn == "" {
		dsn = s.getenv(envDB)
	}
	if dsn == "" {
		return c, tc.Close, nil
	}
	st, err := store.Open(ctx, dsn, store.WithLogger(quietLogger(s)), store.Existing()) // read: the register and profiles
	if err != nil {
		tc.Close()
		return nil, nil, cliError(command, fmt.Errorf("open database %s: %w", redactDSN(dsn), err))
	}
	c.Store = st
	return c, func() { st.Close(); tc.Close() }, nil
}

// newScheduleCmd is `adscan schedule`: regulators' recurring scans, kept as
// Temporal Schedules.
func newScheduleCmd(s streams) *cobra.Command {
	var opts scheduleOptions
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Create, list, pause, trigger and delete recurring scans",
		Long: `Recurring scans are Temporal Schedules; these commands talk to Temporal at
--temporal-address (default: the address 'adscan dev' listens on).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("schedule: want a subcommand: create, list, show, pause, unpause, trigger or delete")}
			}
			return usageError{fmt.Errorf("schedule: unknown subcommand %q (want create, list, show, pause, unpause, trigger or delete)", args[0])}
		},
	}
	pf := cmd.PersistentFlags()
	opts.temporal.register(pf, s, "127.0.0.1:7233")
	pf.StringVar(&opts.db, "db", "", "the adscan database (default $"+envDB+"): recording schedules there makes 'list' show one made a moment ago")
	pf.BoolVar(&opts.allowPrivate, "allow-private-targets", false, "allow targets on private, loopback and link-local addresses")
	cmd.AddCommand(
		newScheduleCreateCmd(s, &opts),
		newScheduleListCmd(s, &opts),
		newScheduleShowCmd(s, &opts),
		newScheduleActionCmd(s, &opts, "pause", "Pause a schedule (with a note saying why)", true,
			func(ctx context.Context, c *workflows.Client, id, note string) error {
				return c.PauseSchedule(ctx, id, note)
			}),
		newScheduleActionCmd(s, &opts, "unpause", "Resume a paused schedule", true,
			func(ctx context.Context, c *workflows.Client, id, note string) error {
				return c.UnpauseSchedule(ctx, id, note)
			}),
		newScheduleActionCmd(s, &opts, "trigger", "Start a run of a schedule now", false,
			func(ctx context.Context, c *workflows.Client, id, _ string) error { return c.TriggerSchedule(ctx, id) }),
		newScheduleActionCmd(s, &opts, "delete", "Delete a schedule (runs already started go on)", false,
			func(ctx context.Context, c *workflows.Client, id, _ string) error { return c.DeleteSchedule(ctx, id) }),
	)
	return cmd
}

// oneID checks that a subcommand got exactly one schedule ID.
func oneID(command string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError{fmt.Errorf("%s: want one schedule ID, got %d arguments", command, len(args))}
		}
		return nil
	}
}

// newScheduleCreateCmd is `adscan schedule create ID`.
func newScheduleCreateCmd(s streams, opts *scheduleOptions) *cobra.Command {
	var (
		cron, tz, note, targetsFile string
		every                       time.Duration
		maxPages                    int
		urls, profiles              []string
		paused                      bool
	)
	cmd := &cobra.Command{
		Use:   "create ID (--cron EXPR | --interval DURATION) (--target URL... | --profile NAME... | --targets-file FILE.csv) [--time-zone ZONE] [--note TEXT] [--max-pages N]",
		Short: "Create a recurring scan",
		Long: `Create a recurring scan of some targets: a Temporal Schedule whose runs are
scans. --cron takes a 5-field expression (minute hour day month weekday) read
in --time-zone (default ` + workflows.DefaultTimeZone + `); --interval an interval of at least ` + workflows.MinScheduleInterval.String() + `.
Targets are --target URLs (repeatable) and/or the rows of --targets-file, a
CSV as for 'adscan targets import' (its name and region columns are ignored).
--profile NAME (repeatable) scans a registered platform profile (see 'adscan
profile'); looking it up needs the database (--db or $` + envDB + `).
--max-pages is the page limit of targets that do not give their own. A run
due while the previous one is still going is skipped.`,
		Args: oneID("schedule create"),
		RunE: func(cmd *cobra.Command, args []string) error {
			const command = "schedule create"
			for _, rename := range [][2]string{{"every", "interval"}, {"tz", "time-zone"}} {
				old, now := rename[0], rename[1]
				if !cmd.Flags().Changed(old) {
					continue
				}
				if cmd.Flags().Changed(now) { // one would silently win
					return usageError{fmt.Errorf("%s: --%s and --%s are one flag; give --%s", command, old, now, now)}
				}
				// On stderr: stdout may be --json (pflag's deprecation
				// notice would go to stdout).
				fmt.Fprintf(s.err, "adscan: %s: --%s is now --%s, as in the API; --%s still works\n", command, old, now, old)
			}
			if (cron == "") == (every == 0) {
				return usageError{fmt.Errorf("%s: give --cron EXPR or --interval DURATION (one of them)", command)}
			}
			if every < 0 {
				return usageError{fmt.Errorf("%s: --interval %s: want a positive interval", command, every)}
			}
			if maxPages < 0 {
				return usageError{fmt.Errorf("%s: --max-pages %d: want 0 (the worker's default) or more", command, maxPages)}
			}
			if tz != "" {
				if _, err := time.LoadLocation(tz); err != nil {
					return usageError{fmt.Errorf("%s: --time-zone %q: not an IANA time zone (e.g. %s)", command, tz, workflows.DefaultTimeZone)}
				}
			}
			targets := make([]adscan.ScanTarget, 0, len(urls))
			for _, u := range urls {
				targets = append(targets, adscan.ScanTarget{URL: u})
			}
			for _, name := range profiles {
				targets = append(targets, adscan.ScanTarget{Profile: name})
			}
			if targetsFile != "" {
				fromFile, err := scheduleTargetsFile(s, targetsFile, opts.allowPrivate)
				if err != nil {
					return fmt.Errorf("%s: %w", command, err)
				}
				targets = append(targets, fromFile...)
			}
			if len(targets) == 0 {
				return usageError{fmt.Errorf("%s: no targets: give --target URL, --profile NAME or --targets-file FILE.csv", command)}
			}
			for i := range targets {
				if targets[i].MaxPages == 0 && targets[i].Profile == "" { // a profile gives its own
					targets[i].MaxPages = maxPages
				}
			}
			sched := adscan.Schedule{
				ID: args[0], Cron: cron, Interval: every, TimeZone: tz, Note: note,
				Targets: targets, Paused: paused, CreatedBy: cliUser(s),
			}
			// What the command line says is checked before anything is
			// asked of Temporal: a mistake in it exits 2.
			if err := workflows.CheckSchedule(sched, opts.allowPrivate); err != nil {
				return usageError{cliError(command, err)}
			}
			if err := checkCron(cron); err != nil {
				return usageError{fmt.Errorf("%s: --cron %q: %v", command, cron, err)}
			}
			if len(profiles) > 0 && opts.db == "" && s.getenv(envDB) == "" {
				return usageError{fmt.Errorf("%s: --profile %s: looking profiles up needs the adscan database (--db DSN or $%s)", command, profiles[0], envDB)}
			}
			ctx := cmd.Context()
			c, closeClient, err := opts.orchestrator(ctx, s, command)
			if err != nil {
				return err
			}
			defer closeClient()
			created, err := c.CreateSchedule(ctx, sched)
			if err != nil {
				return cliError(command, err)
			}
			fmt.Fprintf(s.out, "adscan: created schedule %s\n", created.ID)
			return printSchedule(s, created)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cron, "cron", "", `cron expression, e.g. "0 3 * * *" (03:00 every day)`)
	// The API's and the console's names (interval, time_zone); the
	// first names, --every and --tz, still work, with a warning.
	f.DurationVar(&every, "interval", 0, "interval between runs, e.g. 24h")
	f.StringVar(&tz, "time-zone", "", "IANA time zone of the cron expression (default "+workflows.DefaultTimeZone+")")
	f.DurationVar(&every, "every", 0, "interval between runs")
	f.StringVar(&tz, "tz", "", "IANA time zone of the cron expression")
	_ = f.MarkHidden("every")
	_ = f.MarkHidden("tz")
	f.StringVar(&note, "note", "", "a note kept with the schedule")
	f.IntVar(&maxPages, "max-pages", 0, "pages per target for targets that give no limit (0: the worker's default)")
	f.StringArrayVar(&urls, "target", nil, "a target URL (repeatable)")
	f.StringVar(&targetsFile, "targets-file", "", "a CSV of targets (header: url[,max_pages,max_depth,…])")
	f.StringArrayVar(&profiles, "profile", nil, "a registered platform profile to scan (repeatable; needs --db or $"+envDB+" to look it up)")
	f.BoolVar(&paused, "paused", false, "create the schedule paused")
	return cmd
}

// scheduleTargetsFile reads the targets of a schedule from a targets CSV;
// any bad row is reported on stderr and fails the command.
func scheduleTargetsFile(s streams, name string, allowPrivate bool) ([]adscan.ScanTarget, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, problems, err := adscan.ReadTargetsCSV(f, name, allowPrivate)
	if err != nil {
		return nil, err
	}
	for _, p := range problems {
		fmt.Fprintf(s.err, "%s:%d: %s\n", name, p.Line, p.Msg)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s has %d bad row(s)", name, len(problems))
	}
	out := make([]adscan.ScanTarget, len(rows))
	for i, r := range rows {
		out[i] = adscan.ScanTarget{URL: r.Target.URL, MaxPages: r.Target.MaxPages, MaxDepth: r.Target.MaxDepth, Render: r.Target.Render}
	}
	return out, nil
}

// cliUser names who runs the command, for the schedule's created_by.
func cliUser(s streams) string {
	if u := s.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// newScheduleListCmd is `adscan schedule list`.
func newScheduleListCmd(s streams, opts *scheduleOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the schedules",
		Args:  noPositionalArgs("schedule list"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			const command = "schedule list"
			ctx := cmd.Context()
			c, closeClient, err := opts.orchestrator(ctx, s, command)
			if err != nil {
				return err
			}
			defer closeClient()
			list, err := c.ListSchedules(ctx)
			if err != nil {
				return cliError(command, err)
			}
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetEscapeHTML(false)
				for _, sc := range list {
					if err := enc.Encode(sc); err != nil {
						return fmt.Errorf("%s: %w", command, err)
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tWHEN\tTARGETS\tNEXT RUN\tNOTE")
			for _, sc := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", sc.ID, scheduleState(sc), scheduleWhen(sc), len(sc.Targets), nextRun(sc), sc.Note)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per schedule and line")
	return cmd
}

// newScheduleShowCmd is `adscan schedule show ID`.
func newScheduleShowCmd(s streams, opts *scheduleOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "Show a schedule with its targets and next runs",
		Args:  oneID("schedule show"),
		RunE: func(cmd *cobra.Command, args []string) error {
			const command = "schedule show"
			ctx := cmd.Context()
			c, closeClient, err := opts.orchestrator(ctx, s, command)
			if err != nil {
				return err
			}
			defer closeClient()
			sc, err := c.GetSchedule(ctx, args[0])
			if err != nil {
				return cliError(command, err)
			}
			if asJSON {
				enc := json.NewEncoder(s.out)
				enc.SetEscapeHTML(false)
				return enc.Encode(sc)
			}
			return printSchedule(s, sc)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the schedule as one JSON object")
	return cmd
}

// newScheduleActionCmd is a subcommand that does one thing to one schedule
// (pause, unpause, trigger, delete), with --note if withNote.
func newScheduleActionCmd(s streams, opts *scheduleOptions, name, short string, withNote bool,
	do func(ctx context.Context, c *workflows.Client, id, note string) error) *cobra.Command {
	var note string
	use := name + " ID"
	if withNote {
		use += " [--note TEXT]"
	}
	command := "schedule " + name
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  oneID(command),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, closeClient, err := opts.orchestrator(ctx, s, command)
			if err != nil {
				return err
			}
			defer closeClient()
			if err := do(ctx, c, args[0], note); err != nil {
				return cliError(command, err)
			}
			past := map[string]string{"pause": "paused", "unpause": "unpaused", "trigger": "triggered", "delete": "deleted"}[name]
			fmt.Fprintf(s.out, "adscan: %s schedule %s\n", past, args[0])
			return nil
		},
	}
	if withNote {
		cmd.Flags().StringVar(&note, "note", "", "why (replaces the schedule's note; without it the note stays)")
	}
	return cmd
}

// shownNextRuns is how many next runs `schedule show` prints (--json has all).
const shownNextRuns = 5

// printSchedule writes a schedule as a readable block.
func printSchedule(s streams, sc adscan.Schedule) error {
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "schedule\t%s\n", sc.ID)
	fmt.Fprintf(tw, "state\t%s\n", scheduleState(sc))
	fmt.Fprintf(tw, "when\t%s\n", scheduleWhen(sc))
	if sc.Note != "" {
		fmt.Fprintf(tw, "note\t%s\n", sc.Note)
	}
	if sc.CreatedBy != "" {
		fmt.Fprintf(tw, "created by\t%s\n", sc.CreatedBy)
	}
	for i, t := range sc.Targets {
		label := ""
		if i == 0 {
			label = "targets"
		}
		// A profile's site is looked up when each run starts.
		what := t.URL
		if t.Profile != "" {
			what = "profile " + t.Profile
		}
		var limits []string
		if t.MaxPages > 0 {
			limits = append(limits, fmt.Sprintf("max %d pages", t.MaxPages))
		}
		if t.MaxDepth > 0 {
			limits = append(limits, fmt.Sprintf("depth %d", t.MaxDepth))
		}
		extra := ""
		if len(limits) > 0 {
			extra = " (" + strings.Join(limits, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", label, what, extra)
	}
	loc := scheduleLocation(sc)
	for i, at := range sc.NextRuns[:min(len(sc.NextRuns), shownNextRuns)] {
		label := ""
		if i == 0 {
			label = "next runs"
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, at.In(loc).Format(time.RFC3339))
	}
	return tw.Flush()
}

func scheduleState(sc adscan.Schedule) string {
	if sc.Paused {
		return "paused"
	}
	return "active"
}

// checkCron parses a schedule's cron expression ("" is none) with Temporal's
// own schedule parser, linked in with the embedded server, so that a value
// out of range is refused before the schedule is sent (the server would
// refuse it the same way).
func checkCron(expr string) error {
	if expr == "" {
		return nil
	}
	limit := func(n int) dynamicconfig.IntPropertyFn { return func() int { return n } }
	_, err := scheduler.NewSpecBuilder(limit(1000), limit(100000)).NewCompiledSpec(&schedulepb.ScheduleSpec{CronString: []string{expr}})
	var bad *serviceerror.InvalidArgument
	if errors.As(err, &bad) {
		return errors.New(bad.Message)
	}
	return err
}

// scheduleWhen says when a schedule runs: "cron 0 3 * * * (Asia/Shanghai)" or "every 24h0m0s".
func scheduleWhen(sc adscan.Schedule) string {
	if sc.Cron != "" {
		return fmt.Sprintf("cron %s (%s)", sc.Cron, scheduleLocation(sc))
	}
	return "every " + sc.Interval.String()
}

// scheduleLocation is the schedule's time zone, UTC if it cannot be loaded here.
func scheduleLocation(sc adscan.Schedule) *time.Location {
	tz := sc.TimeZone
	if tz == "" {
		tz = workflows.DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

func nextRun(sc adscan.Schedule) string {
	if len(sc.NextRuns) == 0 {
		return "-"
	}
	return sc.NextRuns[0].In(scheduleLocation(sc)).Format(time.RFC3339)
}
