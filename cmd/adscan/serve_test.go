package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := parseTrustedProxies([]string{"10.0.0.5", "10.1.2.3/16", "::ffff:192.0.2.1", "fd00::/8"})
	if err != nil || len(got) != 4 || got[0].String() != "10.0.0.5/32" || got[1].String() != "10.1.0.0/16" || got[2].String() != "192.0.2.1/32" {
		t.Errorf("parseTrustedProxies = %v, %v", got, err)
	}
	if _, err := parseTrustedProxies([]string{"proxy.internal"}); err == nil {
		t.Error("a host name was accepted")
	}
}

func TestLogFormat(t *testing.T) {
	code, _, errOut := runCrawlCmd(t, "--log-format", "xml", "lexicon", "default")
	if code != exitUsage || !strings.Contains(errOut, `--log-format "xml": want text or json`) {
		t.Errorf("bad --log-format: exit %d, %q", code, errOut)
	}
	// From the variable, the variable is named.
	code, _, errOut = runAdmin(t, map[string]string{envLogFormat: "xml"}, "", "lexicon", "default")
	if code != exitUsage || !strings.Contains(errOut, `$ADSCAN_LOG_FORMAT "xml": want text or json`) {
		t.Errorf("bad $%s: exit %d, %q", envLogFormat, code, errOut)
	}
	var b strings.Builder
	s := streams{err: &b, getenv: func(k string) string {
		if k == envLogFormat {
			return "json"
		}
		return ""
	}}
	newLogger(s).Info("hello", "k", "v")
	if !strings.HasPrefix(b.String(), `{"time":`) || !strings.Contains(b.String(), `"msg":"hello"`) {
		t.Errorf("ADSCAN_LOG_FORMAT=json logs %q", b.String())
	}
	text := "text"
	b.Reset()
	s.logFormat = &text
	newLogger(s).Info("hello")
	if !strings.Contains(b.String(), "msg=hello") {
		t.Errorf("--log-format text over the environment logs %q", b.String())
	}
}

func TestDevTemporalLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:7233": true, "[::1]:0": true, "localhost:7233": true, "": true,
		"0.0.0.0:7233": false, ":7233": false, "10.0.0.5:7233": false, "temporal.example:7233": false} {
		err := loopbackOnly("--temporal-address", addr)
		if (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "loopback only")) {
			t.Errorf("loopbackOnly(%q) = %v", addr, err)
		}
	}
	code, _, errOut := runCrawlCmd(t, "dev", "--temporal-address", "0.0.0.0:7233", "--data", t.TempDir())
	if code != exitUsage || !strings.Contains(errOut, "no authentication") {
		t.Errorf("dev on 0.0.0.0: exit %d, %q", code, errOut)
	}
}

func TestWorkerCapacityFlags(t *testing.T) {
	for _, args := range [][]string{{"--queues", "everything"}, {"--max-crawls", "0"}, {"--max-activities", "-1"}, {"--max-browsers", "-1"},
		{"--referral-endpoint", "notaurl"}, {"--referral-endpoint", "ftp://x.example/"}} {
		code, _, errOut := runCrawlCmd(t, append([]string{"worker", "--temporal-address", "127.0.0.1:1", "--db", filepath.Join(t.TempDir(), "x.db"),
			"--outbox", t.TempDir()}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, strings.TrimPrefix(args[0], "--")) {
			t.Errorf("worker %v: exit %d, %q", args, code, errOut)
		}
	}
}

// TestWorkerSigningKey: a worker writing to an outbox signs its packages,
// so it needs a key, and says how to make one; a key that is not one is
// named.
func TestWorkerSigningKey(t *testing.T) {
	base := []string{"worker", "--temporal-address", "127.0.0.1:1", "--db", filepath.Join(t.TempDir(), "x.db"), "--outbox", t.TempDir()}
	code, _, errOut := runCrawlCmd(t, base...)
	if code != exitUsage || !strings.Contains(errOut, "--signing-key") || !strings.Contains(errOut, "openssl genpkey -algorithm ed25519") {
		t.Errorf("worker without a key: exit %d, %q", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCrawlCmd(t, append(base, "--signing-key", bad)...)
	if code == 0 || !strings.Contains(errOut, bad) {
		t.Errorf("worker with a bad key file: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCrawlCmd(t, append(base, "--signing-key", bad, "--tsa-url", "ftp://tsa")...)
	if code == 0 {
		t.Errorf("worker with a bad key and TSA URL: exit %d, %q", code, errOut)
	}
}

// The worker command dev --no-worker prints runs from any directory: the
// files it names are absolute however they were given; and $ADSCAN_METRICS
// (the workers' setting) does not stop dev --no-worker.
func TestDevWorkerHintPathsAbsolute(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	t.Chdir(dir)
	_, lex, _ := runAdmin(t, nil, "", "lexicon", "default")
	if err := os.WriteFile("lex.yaml", []byte(lex), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, log bytes.Buffer
	p := &devProgram{
		opts: devOptions{data: "d", http: "127.0.0.1:0", temporalAddress: "127.0.0.1:0", db: "rel.db", noWorker: true,
			worker: workerOptions{lexicon: "lex.yaml", chromium: "./bin/chromium", metrics: "127.0.0.1:0", queues: "all", maxCrawls: 4}},
		s: streams{in: strings.NewReader(""), out: &out, err: &log, getenv: func(string) string { return "" }},
	}
	if err := p.Start(context.Background()); err != nil {
		p.Close()
		t.Fatalf("dev --no-worker with $ADSCAN_METRICS set: %v\n%s", err, log.String())
	}
	defer p.Close()
	m := workerHint.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no worker hint in:\n%s", out.String())
	}
	for _, want := range []string{"--db " + filepath.Join(dir, "rel.db"), "--lexicon " + filepath.Join(dir, "lex.yaml"),
		"--chromium " + filepath.Join(dir, "bin/chromium"), "--outbox " + filepath.Join(dir, "d/outbox")} {
		if !strings.Contains(m[1], want) {
			t.Errorf("hint %q lacks %q", m[1], want)
		}
	}
}
