package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"adscan/devserver"
)

// startFailure is the real program run to its end: its exit status and
// the lines it wrote on stderr that are not INFO log lines.
type startFailure struct {
	code    int
	lines   []string
	elapsed time.Duration
}

// runToFailure runs `adscan args...` as a child process, for at most a
// minute, and returns how it ended.
func runToFailure(t *testing.T, args ...string) startFailure {
	t.Helper()
	cmd := programCommand(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("adscan %s still running after a minute; stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	f := startFailure{elapsed: time.Since(start)}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		f.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(stderr.String()) {
		if line = strings.TrimSpace(line); line != "" && !strings.Contains(line, "level=INFO") {
			f.lines = append(f.lines, line)
		}
	}
	return f
}

// wantOneLine checks that the program exited with status 1 and wrote one
// line (besides INFO logs) containing each of want and none of notWant.
func (f startFailure) wantOneLine(t *testing.T, want []string, notWant ...string) {
	t.Helper()
	if f.code != exitFailure || len(f.lines) != 1 {
		t.Fatalf("exit status %d and %d line(s), want status 1 and one line:\n%s", f.code, len(f.lines), strings.Join(f.lines, "\n"))
	}
	for _, w := range want {
		if !strings.Contains(f.lines[0], w) {
			t.Errorf("%q does not say %q", f.lines[0], w)
		}
	}
	for _, w := range notWant {
		if strings.Contains(f.lines[0], w) {
			t.Errorf("%q shows %q", f.lines[0], w)
		}
	}
	t.Logf("after %s: %s", f.elapsed.Round(time.Millisecond), f.lines[0])
}

// testSigningKey writes an Ed25519 key (PKCS #8 PEM) for a worker's
// --signing-key and returns its path.
func testSigningKey(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string { return freeAddr(t) }

func TestStartupWrongDSN(t *testing.T) {
	dsn := "postgres://adscan:s3cret-pw@" + closedAddr(t) + "/adscan?sslmode=disable"
	for _, args := range [][]string{
		{"worker", "--temporal-address", closedAddr(t), "--db", dsn, "--outbox", t.TempDir(), "--signing-key", testSigningKey(t)},
		{"serve", "--temporal-address", closedAddr(t), "--db", dsn, "--http", "127.0.0.1:0"},
		{"dev", "--no-worker", "--data", t.TempDir(), "--db", dsn, "--http", "127.0.0.1:0", "--temporal-address", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			f := runToFailure(t, args...)
			f.wantOneLine(t, []string{"database postgres://adscan:***@", "connection refused"}, "s3cret-pw")
		})
	}
	t.Run("worker, no SQLite file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "adscan.db")
		f := runToFailure(t, "worker", "--temporal-address", closedAddr(t), "--db", missing, "--outbox", t.TempDir(), "--signing-key", testSigningKey(t))
		f.wantOneLine(t, []string{"there is no database at " + missing})
		if _, err := os.Stat(missing); err == nil {
			t.Error("the worker made a new database")
		}
	})
	t.Run("password parameter", func(t *testing.T) {
		f := runToFailure(t, "serve", "--temporal-address", closedAddr(t), "--http", "127.0.0.1:0",
			"--db", "postgres://adscan@"+closedAddr(t)+"/adscan?password=s3cret-pw&sslmode=disable")
		f.wantOneLine(t, []string{"password=***"}, "s3cret-pw")
	})
	// Without sslmode (prefer) pgx tries twice and lists each try on a
	// line of its own.
	t.Run("default sslmode", func(t *testing.T) {
		f := runToFailure(t, "serve", "--temporal-address", closedAddr(t), "--http", "127.0.0.1:0",
			"--db", "postgres://adscan:s3cret-pw@"+closedAddr(t)+"/adscan")
		f.wantOneLine(t, []string{"database postgres://adscan:***@", "connection refused"}, "s3cret-pw")
	})
}

func TestStartupTemporalUnreachable(t *testing.T) {
	addr := closedAddr(t)
	db := newDatabase(t) // a worker opens only an existing one
	for _, args := range [][]string{
		{"worker", "--temporal-address", addr, "--db", db, "--outbox", t.TempDir(), "--signing-key", testSigningKey(t)},
		{"serve", "--temporal-address", addr, "--db", db, "--http", "127.0.0.1:0"},
		{"schedule", "list", "--temporal-address", addr},
	} {
		t.Run(args[0], func(t *testing.T) {
			f := runToFailure(t, args...)
			f.wantOneLine(t, []string{"Temporal at " + addr + " is not reachable", "connection refused"})
		})
	}
	t.Run("unknown host", func(t *testing.T) {
		f := runToFailure(t, "serve", "--temporal-address", "no-such-host.invalid:7233", "--db", db, "--http", "127.0.0.1:0")
		f.wantOneLine(t, []string{"Temporal at no-such-host.invalid:7233 is not reachable", "cannot resolve host no-such-host.invalid"})
	})
	t.Run("silent server", func(t *testing.T) {
		// A port that accepts connections and never answers: the program
		// gives up within its dial timeout instead of waiting forever.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		f := runToFailure(t, "serve", "--temporal-address", ln.Addr().String(), "--db", db, "--http", "127.0.0.1:0")
		f.wantOneLine(t, []string{"Temporal at " + ln.Addr().String() + " is not reachable"})
		if f.elapsed > temporalDialTimeout+10*time.Second {
			t.Errorf("gave up after %s, want about %s", f.elapsed, temporalDialTimeout)
		}
	})
}

// startTemporal runs the embedded Temporal server in the test process.
func startTemporal(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := devserver.Start(ctx, devserver.Config{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0"})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		srv.Stop()
	})
	return srv.FrontendHostPort()
}

func TestStartupNamespaceAndMetrics(t *testing.T) {
	skipShort(t)
	temporal := startTemporal(t)
	db := newDatabase(t) // a worker opens only an existing one
	key := testSigningKey(t)

	t.Run("namespace", func(t *testing.T) {
		for _, args := range [][]string{
			{"worker", "--temporal-address", temporal, "--db", db, "--outbox", t.TempDir(), "--signing-key", key, "--namespace", "no-such-ns"},
			{"serve", "--temporal-address", temporal, "--db", db, "--http", "127.0.0.1:0", "--namespace", "no-such-ns"},
			{"schedule", "list", "--temporal-address", temporal, "--namespace", "no-such-ns"},
		} {
			t.Run(args[0], func(t *testing.T) {
				f := runToFailure(t, args...)
				f.wantOneLine(t, []string{"Temporal at " + temporal + ` has no namespace "no-such-ns"`})
			})
		}
	})

	t.Run("metrics address in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		busy := ln.Addr().String()
		for _, args := range [][]string{
			{"worker", "--temporal-address", temporal, "--db", db, "--outbox", t.TempDir(), "--signing-key", key, "--metrics", busy},
			{"serve", "--temporal-address", temporal, "--db", db, "--http", "127.0.0.1:0", "--metrics", busy},
		} {
			t.Run(args[0], func(t *testing.T) {
				f := runToFailure(t, args...)
				f.wantOneLine(t, []string{"--metrics " + busy + ": address already in use"})
			})
		}
	})
}

// A busy --http or --metrics address is found before anything is made: no
// database, no first admin (whose password would be printed and lost), no
// Temporal files.
func TestStartupAddressInUseMakesNothing(t *testing.T) {
	skipShort(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	for _, tc := range []struct {
		name, flag string
		args       func(data string) []string
	}{
		{"dev --http", "--http", func(data string) []string {
			return []string{"dev", "--data", data, "--http", busy, "--temporal-address", "127.0.0.1:0"}
		}},
		{"dev --metrics", "--metrics", func(data string) []string {
			return []string{"dev", "--data", data, "--http", "127.0.0.1:0", "--temporal-address", "127.0.0.1:0", "--metrics", busy}
		}},
		{"serve --http", "--http", func(data string) []string {
			return []string{"serve", "--temporal-address", closedAddr(t), "--db", filepath.Join(data, "adscan.db"), "--http", busy}
		}},
		{"serve --metrics", "--metrics", func(data string) []string {
			return []string{"serve", "--temporal-address", closedAddr(t), "--db", filepath.Join(data, "adscan.db"), "--http", "127.0.0.1:0", "--metrics", busy}
		}},
		{"worker --metrics", "--metrics", func(data string) []string {
			return []string{"worker", "--temporal-address", closedAddr(t), "--db", filepath.Join(data, "adscan.db"), "--outbox", filepath.Join(data, "outbox"),
				"--signing-key", testSigningKey(t), "--metrics", busy}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			f := runToFailure(t, tc.args(data)...)
			f.wantOneLine(t, []string{tc.flag + " " + busy + ": address already in use"})
			if entries, err := os.ReadDir(data); err == nil {
				t.Errorf("the data directory was made, holding %d entries", len(entries))
			}
		})
	}
}
