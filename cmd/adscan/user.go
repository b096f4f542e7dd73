package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"adscan"
	"adscan/accounts"
	"adscan/store"
)

// Environment variables of `adscan user add`.
const (
	envDB           = "ADSCAN_DB"            // the database DSN when --db is not given
	envUserPassword = "ADSCAN_USER_PASSWORD" // the new user's password when neither --password-stdin nor a terminal
)

// newUserCmd is `adscan user`: manage the users of the console and API.
func newUserCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the users of the review console and API",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("user: want a subcommand: add NAME --role ROLE, or passwd NAME")}
			}
			return usageError{fmt.Errorf("user: unknown subcommand %q (want add or passwd)", args[0])}
		},
	}
	cmd.AddCommand(newUserAddCmd(s), newUserPasswdCmd(s))
	return cmd
}

// newUserPasswdCmd is `adscan user passwd NAME [--db DSN] [--password-stdin]`:
// an operator's way back in when an admin's password is lost (the console's
// /admin/users needs a signed-in admin).
func newUserPasswdCmd(s streams) *cobra.Command {
	var opts userAddOptions
	cmd := &cobra.Command{
		Use:   "passwd NAME [--db DSN] [--password-stdin]",
		Short: "Set a user's password (and end the user's sessions)",
		Long: `Set the password of an existing user, admin included: the way back in when
the password adscan dev printed on its first start is lost. The user's
sessions end, on every serve process. The password is read as 'user add'
reads it: --password-stdin, else ` + envUserPassword + `, else asked for twice on a
terminal. The database is --db, or ` + envDB + `.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("user passwd: want exactly one NAME, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			const command = "user passwd"
			dsn, err := resolveDSN(s, command, opts.db)
			if err != nil {
				return err
			}
			password, err := readNewPassword(s, command, opts.passwordStdin)
			if err != nil {
				return err
			}
			hash, err := accounts.HashPassword(password)
			if err != nil {
				return usageError{fmt.Errorf("%s: %s", command, adscan.ErrorMessage(err))}
			}
			st, err := openCmdStore(cmd.Context(), s, command, dsn, store.Existing())
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.UpdateUser(cmd.Context(), args[0], adscan.UserChange{PasswordHash: &hash}, cliActor(s))
			if err != nil {
				return cliError(command, err)
			}
			fmt.Fprintf(s.out, "adscan: set the password of %s; the user's sessions have ended\n", u.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	cmd.Flags().BoolVar(&opts.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

// userAddOptions are the flags of `adscan user add`.
type userAddOptions struct {
	role          string
	db            string
	passwordStdin bool
}

// newUserAddCmd is `adscan user add NAME --role admin|regulator|reviewer|viewer
// [--db DSN] [--password-stdin]`.
func newUserAddCmd(s streams) *cobra.Command {
	var opts userAddOptions
	cmd := &cobra.Command{
		Use:   "add NAME --role admin|regulator|reviewer|viewer [--db DSN] [--password-stdin]",
		Short: "Add a user who can sign in to the console and the API",
		Long: `Add a user with a role: viewer reads, reviewer decides cases, regulator
starts scans and manages targets and schedules, admin manages users.

The password is read from the first line of standard input with
--password-stdin; else from ` + envUserPassword + `; else it is asked for
(twice) when standard input is a terminal. It must be 8 to 72 bytes.

The database is --db (a PostgreSQL URL or a SQLite file path), or ` + envDB + `.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("user add: want exactly one NAME, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUserAdd(cmd, s, opts, args[0])
		},
	}
	cmd.Flags().StringVar(&opts.role, "role", "", "the user's role: admin, regulator, reviewer or viewer (required)")
	cmd.Flags().StringVar(&opts.db, "db", "", "database: postgres://… or a SQLite file path (default $"+envDB+")")
	cmd.Flags().BoolVar(&opts.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func runUserAdd(cmd *cobra.Command, s streams, opts userAddOptions, name string) error {
	role := adscan.Role(opts.role)
	if !role.Valid() {
		return usageError{fmt.Errorf("user add: --role %q: want admin, regulator, reviewer or viewer", opts.role)}
	}
	dsn, err := resolveDSN(s, "user add", opts.db)
	if err != nil {
		return err
	}
	password, err := readNewPassword(s, "user add", opts.passwordStdin)
	if err != nil {
		return err
	}
	u, err := accounts.NewUser(name, role, password, time.Now())
	if err != nil {
		return fmt.Errorf("user add: %s", adscan.ErrorMessage(err))
	}
	st, err := store.Open(cmd.Context(), dsn)
	if err != nil {
		return fmt.Errorf("user add: open database: %w", err)
	}
	defer st.Close()
	if err := st.CreateUser(cmd.Context(), u, cliActor(s)); err != nil {
		if code := adscan.ErrorCode(err); code != adscan.EINTERNAL {
			return fmt.Errorf("user add: %s", adscan.ErrorMessage(err))
		}
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(s.out, "adscan: added user %s with role %s\n", u.Name, u.Role)
	return nil
}

// readNewPassword gets the new user's password: the first line of stdin
// with fromStdin, else $ADSCAN_USER_PASSWORD, else a prompt (entered twice)
// when stdin is a terminal. Without any of these it is a usage error.
func readNewPassword(s streams, command string, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(s.in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%s: read password from standard input: %w", command, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", fmt.Errorf("%s: standard input has no password", command)
		}
		return line, nil
	}
	if p := s.getenv(envUserPassword); p != "" {
		return p, nil
	}
	f, ok := s.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{fmt.Errorf("%s: no password: use --password-stdin, set %s, or run in a terminal", command, envUserPassword)}
	}
	fmt.Fprint(s.err, "Password: ")
	p1, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(s.err)
	if err != nil {
		return "", fmt.Errorf("%s: read password: %w", command, err)
	}
	fmt.Fprint(s.err, "Password again: ")
	p2, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(s.err)
	if err != nil {
		return "", fmt.Errorf("%s: read password: %w", command, err)
	}
	if string(p1) != string(p2) {
		return "", fmt.Errorf("%s: the passwords differ", command)
	}
	return string(p1), nil
}

// cliActor names who ran a command in the audit trail: "cli:" and the
// operating-system user ($USER), or "cli" when it is not set.
func cliActor(s streams) string {
	if u := strings.TrimSpace(s.getenv("USER")); u != "" {
		return "cli:" + u
	}
	return "cli"
}
