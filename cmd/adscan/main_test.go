package main

import (
	"strings"
	"testing"
)

// A command line adscan cannot read exits 2 and says what is wrong, as a
// bad flag does; nothing is started.
func TestCommandLineMistakesExitUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus" for "adscan"`},
		{[]string{"dev", "now"}, `dev: unknown command "now"`},
		{[]string{"model", "eval", "test"}, `model eval: unknown command "test"`},
		{[]string{"worker", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"model"}, "model: want a subcommand: "},
		{[]string{"model", "evl"}, `model: unknown subcommand "evl" (want `},
		{[]string{"corpus", "bogus"}, `corpus: unknown subcommand "bogus" (want `},
		{[]string{"cases", "delete"}, `cases: unknown subcommand "delete"`},
	} {
		code, out, errOut := runClassifyCmd(t, "", tc.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("adscan %s: exit %d, stdout %q, stderr %q; want %d and one line saying %q",
				strings.Join(tc.args, " "), code, out, errOut, exitUsage, tc.want)
		}
	}
}
