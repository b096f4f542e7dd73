// Command adscan finds off-campus tutoring advertising that breaks the 双减
// rules, keeps evidence of it and moves each case through review to a
// referral. This package only wires the other packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/worker"

	"adscan"
	"adscan/crawler"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // something failed (an input, a URL, the server)
	exitUsage   = 2 // the command line was wrong
)

// streams are the standard streams a command uses, injectable for tests.
type streams struct {
	in       io.Reader
	out, err io.Writer
	getenv   func(string) string
	// logFormat is the root's --log-format (nil: not parsed, as in tests
	// that build one command).
	logFormat *string
}

// exitError makes a command exit with a status without printing anything
// more (the command has already reported the problem).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	// Every command that classifies keeps gse's dictionary (~130 MB) live,
	// and Go's default GOGC=100 lets the heap grow to twice the live heap
	// between collections (~335 MB resident for classification). Unless the
	// operator set GOGC, collect at 50 % growth: ~260 MB for ~10 % more CPU.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	worker.SetBinaryChecksum(buildID())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// buildID names this build to Temporal: adscan's version and, for a
// binary built in a git checkout, its commit (with "+dirty" when the tree
// had changes). main hands it to the SDK as the binary checksum that names
// a worker, which the SDK would otherwise compute as an MD5 digest of the
// whole executable at every start of dev or a worker (about 260 MB: 0.4 s
// of CPU). Temporal records it with each workflow task a worker completes
// and keys its reset points by it; it routes nothing, since adscan's
// workers do not use Worker Versioning (deploy/README.md).
func buildID() string {
	id := "adscan-" + crawler.Version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return id
	}
	var rev string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return id
	}
	id += "-" + rev[:min(len(rev), 12)]
	if dirty {
		id += "+dirty"
	}
	return id
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, s streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(s.err, "adscan: %s\n", errorLine(err))
		// cobra's own "unknown command" (from the root, whose arguments
		// it checks itself) has no type to tell it by.
		if isUsageError(err) || strings.HasPrefix(err.Error(), "unknown command ") {
			return exitUsage
		}
		return exitFailure
	}
}

// errorLine words err for the command line: an *adscan.Error wrapped in
// context ("targets import: …") reads by its message alone, without the
// "adscan: invalid:" its Error method adds for logs.
func errorLine(err error) string {
	msg := err.Error()
	var ae *adscan.Error
	if errors.As(err, &ae) {
		msg = strings.Replace(msg, ae.Error(), ae.Message, 1)
	}
	return msg
}

// usageError marks a bad command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func isUsageError(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "adscan",
		Short:         "Find off-campus tutoring advertising that breaks the 双减 rules",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	s.logFormat = new(string)
	root.PersistentFlags().StringVar(s.logFormat, "log-format", "", "log format on stderr: text or json (default $"+envLogFormat+", else text)")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if f := logFormat(s); f != "text" && f != "json" {
			from := "--log-format" // or the variable it defaults to
			if *s.logFormat == "" {
				from = "$" + envLogFormat
			}
			return usageError{fmt.Errorf("%s %q: want text or json", from, f)}
		}
		return nil
	}
	// Each subcommand lives in its own file as newXxxCmd(s).
	for _, newCmd := range []func(streams) *cobra.Command{
		// subcommands:
		newCasesCmd,
		newClassifyCmd,
		newCorpusCmd,
		newCrawlCmd,
		newDevCmd,
		newEvidenceCmd,
		newLexiconCmd,
		newModelCmd,
		newProfileCmd,
		newScheduleCmd,
		newServeCmd,
		newTargetsCmd,
		newUserCmd,
		newWorkerCmd,
	} {
		root.AddCommand(newCmd(s))
	}
	argsAreUsage(root)
	return root
}

// argsAreUsage makes the argument checks of cmd and its subcommands
// (cobra.ExactArgs and the like) report a bad command line, exit status 2,
// as bad flags do.
func argsAreUsage(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			err := check(c, args)
			if err == nil || isUsageError(err) {
				return err
			}
			return usageError{fmt.Errorf("%s: %w", strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "), err)}
		}
	}
	if cmd.HasParent() && cmd.HasSubCommands() && cmd.Run == nil && cmd.RunE == nil {
		cmd.RunE = wantSubcommand
	}
	for _, sub := range cmd.Commands() {
		argsAreUsage(sub)
	}
}

// wantSubcommand is the RunE of a command that only groups others (adscan
// model, adscan corpus): without a subcommand, or with one it does not
// know, cobra would print the help and exit 0.
func wantSubcommand(cmd *cobra.Command, args []string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	list := strings.Join(names, ", ")
	if len(args) == 0 {
		return usageError{fmt.Errorf("%s: want a subcommand: %s", cmd.Name(), list)}
	}
	return usageError{fmt.Errorf("%s: unknown subcommand %q (want %s)", cmd.Name(), args[0], list)}
}
