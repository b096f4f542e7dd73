package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"adscan/classifier"
	"adscan/lexicon"
)

// newLexiconCmd is `adscan lexicon`: tools for lexicon files.
func newLexiconCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lexicon",
		Short: "Check lexicon files and print the default lexicon",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("lexicon: want a subcommand: check FILE, default")}
			}
			return usageError{fmt.Errorf("lexicon: unknown subcommand %q (want check or default)", args[0])}
		},
	}
	cmd.AddCommand(newLexiconCheckCmd(s), newLexiconDefaultCmd(s))
	return cmd
}

// newLexiconCheckCmd is `adscan lexicon check FILE`: it prints every problem
// of the file as FILE:LINE: MESSAGE, then a summary, and exits 1 if there
// was any problem or the file could not be read.
func newLexiconCheckCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a lexicon file and print each problem with its line number",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("lexicon check: want exactly one FILE, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			lex, err := lexicon.Load(path)
			var pe *lexicon.ProblemsError
			switch {
			case errors.As(err, &pe):
				for _, p := range pe.Problems {
					fmt.Fprintln(s.out, p.Format(path))
				}
				fmt.Fprintln(s.out, lexiconCount(len(pe.Problems), "problem"))
				return exitError{exitFailure}
			case err != nil:
				return fmt.Errorf("lexicon check: %w", err) // unreadable: the error names the file
			}
			// The format is valid; compiling it is the classifier's last word
			// (terms that normalise to nothing, pattern literals).
			if _, err := classifier.New(lex); err != nil {
				fmt.Fprintf(s.out, "%s: %v\n1 problem\n", path, err)
				return exitError{exitFailure}
			}
			fmt.Fprintf(s.out, "ok: %s %s, %s, %s, %s\n", lex.Name, lex.Version,
				lexiconCount(len(lex.Categories), "category"), lexiconCount(len(lex.Groups), "group"), lexiconCount(len(lex.Rules), "rule"))
			return nil
		},
	}
}

// newLexiconDefaultCmd is `adscan lexicon default`: it prints the embedded
// default lexicon, a starting point for a regulator's own file.
func newLexiconDefaultCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "default",
		Short: "Print the embedded default 双减 lexicon (YAML)",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usageError{fmt.Errorf("lexicon default: takes no arguments, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := s.out.Write(lexicon.DefaultYAML())
			return err
		},
	}
}

// lexiconCount renders "1 rule", "2 rules", "3 categories".
func lexiconCount(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	switch {
	case len(noun) > 1 && noun[len(noun)-1] == 'y':
		noun = noun[:len(noun)-1] + "ies"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}
