package main

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"adscan/evidence"
)

// newEvidenceCmd is `adscan evidence`: the signed WACZ referral packages.
func newEvidenceCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Verify signed WACZ evidence packages and print the signing key",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("evidence: want a subcommand: verify FILE.wacz, key")}
			}
			return usageError{fmt.Errorf("evidence: unknown subcommand %q (want verify or key)", args[0])}
		},
	}
	cmd.AddCommand(newEvidenceVerifyCmd(s), newEvidenceKeyCmd(s))
	return cmd
}

// newEvidenceKeyCmd is `adscan evidence key`: it prints the deployment's
// public key, the form --key of verify takes.
func newEvidenceKeyCmd(s streams) *cobra.Command {
	var data, keyFile string
	cmd := &cobra.Command{
		Use:   "key [--data DIR | --signing-key FILE]",
		Short: "Print the public key that signs evidence packages (base64 DER SubjectPublicKeyInfo)",
		Long: `Prints the public half of the deployment's Ed25519 signing key as one line of
base64 (its DER SubjectPublicKeyInfo), the form datapackage-digest.json
carries and 'adscan evidence verify --key' takes.

The key is read from --signing-key FILE, else from $` + evidence.EnvSigningKey + `,
else from DIR/` + evidence.KeyFileName + ` under --data (default adscan-data), where
adscan makes it on its first start. This command never makes a key.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usageError{fmt.Errorf("evidence key: takes no arguments, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("data") && keyFile != "" {
				return usageError{errors.New("evidence key: give --data or --signing-key, not both")}
			}
			key, err := readSigningKey(s, keyFile, data)
			if err != nil {
				return err
			}
			fmt.Fprintln(s.out, evidence.EncodePublicKey(key.Public().(ed25519.PublicKey)))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&data, "data", "adscan-data", "data directory holding "+evidence.KeyFileName)
	f.StringVar(&keyFile, "signing-key", "", "the signing key file (PKCS #8 PEM); default $"+evidence.EnvSigningKey+", else the data directory's")
	return cmd
}

// readSigningKey reads the signing key as a running adscan would find it,
// but makes none: a data directory without a key is an error.
func readSigningKey(s streams, keyFile, data string) (ed25519.PrivateKey, error) {
	if keyFile == "" && s.getenv(evidence.EnvSigningKey) == "" {
		path := filepath.Join(data, evidence.KeyFileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("evidence key: no signing key at %s: adscan makes it on its first start with --data %s; or give --signing-key FILE or set $%s",
				path, data, evidence.EnvSigningKey)
		}
	}
	return evidence.ResolveKey(evidence.KeySource{File: keyFile, Env: s.getenv(evidence.EnvSigningKey), DataDir: data})
}

// newEvidenceVerifyCmd is `adscan evidence verify FILE.wacz`: it checks a
// package and prints what it checked, or each failure naming its part and
// exits 1.
func newEvidenceVerifyCmd(s streams) *cobra.Command {
	var keyArg, rootsFile string
	cmd := &cobra.Command{
		Use:   "verify FILE.wacz [--key PUBKEY] [--tsa-roots FILE]",
		Short: "Check a signed WACZ evidence package: every digest, the signature and the timestamp",
		Long: `Checks every file of the package against datapackage.json, datapackage.json
against datapackage-digest.json, the Ed25519 signature, every WARC record's
block and payload digests, the index and pages against the records, every
finding's evidence against its capture's text, and the RFC 3161 timestamp
token when there is one. Prints what was checked and exits 0, or prints each
failure with the part that failed (a file, a record, "signature",
"timestamp") and exits 1.

--key is the deployment's public key as 'adscan evidence key' prints it
(base64; a PEM PUBLIC KEY is accepted too), or a file holding it. Without
it the signature is checked with the key inside the package, which shows
the package is unchanged but not who signed it.
--tsa-roots FILE (PEM certificates) are the roots the TSA must chain to;
without it the token is checked with the certificate it carries.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("evidence verify: want exactly one FILE.wacz, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts evidence.VerifyOptions
			if keyArg != "" {
				key, err := parseKeyArg(keyArg)
				if err != nil {
					return usageError{err}
				}
				opts.Key = key
			}
			if rootsFile != "" {
				pemBytes, err := os.ReadFile(rootsFile)
				if err != nil {
					return usageError{fmt.Errorf("evidence verify: --tsa-roots: %w", err)}
				}
				opts.TSARoots = x509.NewCertPool()
				if !opts.TSARoots.AppendCertsFromPEM(pemBytes) {
					return usageError{fmt.Errorf("evidence verify: --tsa-roots %s: no PEM certificate in it", rootsFile)}
				}
			}
			path := args[0]
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("evidence verify: %w", err)
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return fmt.Errorf("evidence verify: %w", err)
			}
			rep, err := evidence.VerifyWith(f, fi.Size(), opts)
			if err != nil {
				fmt.Fprintf(s.out, "FAILED: %s\n", path)
				for _, fl := range rep.Failures {
					fmt.Fprintf(s.out, "  %s\n", fl)
				}
				fmt.Fprintf(s.out, "%d %s failed\n", len(rep.Failures), plural(len(rep.Failures), "check", "checks"))
				return exitError{exitFailure}
			}
			printReport(s, path, rep)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyArg, "key", "", "the deployment's public key (as 'adscan evidence key' prints it or GET /api/evidence/key answers), or a file holding it")
	f.StringVar(&rootsFile, "tsa-roots", "", "PEM file of the root certificates a timestamp's TSA must chain to")
	return cmd
}

// parseKeyArg parses --key: the key itself, else a file holding it; either
// as 'adscan evidence key' prints it or as GET /api/evidence/key answers
// ({"algorithm":"Ed25519","public_key":"…"}).
func parseKeyArg(arg string) (ed25519.PublicKey, error) {
	key, err := evidence.ParsePublicKey(fromKeyJSON(arg))
	if err == nil {
		return key, nil
	}
	b, ferr := os.ReadFile(arg)
	if ferr != nil {
		if strings.HasPrefix(strings.TrimSpace(arg), "{") {
			return nil, fmt.Errorf("evidence verify: --key: %v", err)
		}
		return nil, fmt.Errorf("evidence verify: --key is neither a public key (%v) nor a readable file (%v)", err, ferr)
	}
	key, err = evidence.ParsePublicKey(fromKeyJSON(string(b)))
	if err != nil {
		return nil, fmt.Errorf("evidence verify: --key file %s: %w", arg, err)
	}
	return key, nil
}

// fromKeyJSON returns the public_key of the API's answer to GET
// /api/evidence/key, or v itself when it is not that.
func fromKeyJSON(v string) string {
	var answer struct {
		PublicKey string `json:"public_key"`
	}
	if t := strings.TrimSpace(v); strings.HasPrefix(t, "{") && json.Unmarshal([]byte(t), &answer) == nil && answer.PublicKey != "" {
		return answer.PublicKey
	}
	return v
}

// printReport prints what a successful verification checked.
func printReport(s streams, path string, rep evidence.Report) {
	w := s.out
	fmt.Fprintf(w, "ok: %s\n", path)
	fmt.Fprintf(w, "  files:      %d match their SHA-256 and size in datapackage.json (%s)\n", len(rep.Files), strings.Join(rep.Files, ", "))
	fmt.Fprintf(w, "  manifest:   datapackage.json matches the hash in datapackage-digest.json\n")
	if rep.KeyTrusted {
		fmt.Fprintf(w, "  signature:  Ed25519, by the deployment's key %s\n", rep.PublicKey)
	} else {
		fmt.Fprintf(w, "  signature:  Ed25519, valid for the key inside the package %s; NOT checked against the deployment's key (give --key)\n", rep.PublicKey)
	}
	fmt.Fprintf(w, "  created:    %s\n", rep.Created)
	counts := map[string]int{}
	var types []string // in the order they first come in the WARC
	for _, r := range rep.Records {
		if counts[r.Type] == 0 {
			types = append(types, r.Type)
		}
		counts[r.Type]++
	}
	kinds := make([]string, len(types))
	for i, t := range types {
		kinds[i] = fmt.Sprintf("%d %s", counts[t], t)
	}
	fmt.Fprintf(w, "  records:    %d WARC records, block and payload digests match (%s)\n", len(rep.Records), strings.Join(kinds, ", "))
	fmt.Fprintf(w, "  index:      %d %s point at records of that URL, time and digest\n", rep.IndexLines, plural(rep.IndexLines, "line", "lines"))
	fmt.Fprintf(w, "  pages:      %d %s in the index\n", rep.Pages, plural(rep.Pages, "page", "pages"))
	fmt.Fprintf(w, "  findings:   %d %s, each evidence span found in its capture's text\n", rep.Findings, plural(rep.Findings, "finding", "findings"))
	if m := rep.Metadata; m != nil {
		cats := make([]string, len(m.Case.Categories))
		for i, c := range m.Case.Categories {
			cats[i] = string(c)
		}
		fmt.Fprintf(w, "  case:       %s %s (%s)\n", m.Case.ID, m.Case.URL, strings.Join(cats, ", "))
		for _, l := range m.Lexicons {
			digest := "sha256 " + l.SHA256
			if l.SHA256 == "" {
				digest = "sha256 prefix " + l.SHA256Prefix
			}
			fmt.Fprintf(w, "  lexicon:    %s %s (%s)\n", l.Name, l.Version, digest)
		}
	}
	switch ts := rep.Timestamp; {
	case ts == nil:
		fmt.Fprintf(w, "  timestamp:  none\n")
	case ts.Trusted:
		fmt.Fprintf(w, "  timestamp:  %s by %s (RFC 3161, chain to --tsa-roots verified)\n", ts.Time.UTC().Format(time.RFC3339), ts.TSA)
	default:
		fmt.Fprintf(w, "  timestamp:  %s by %s (RFC 3161; the TSA's certificate not checked against trusted roots: give --tsa-roots)\n", ts.Time.UTC().Format(time.RFC3339), ts.TSA)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
