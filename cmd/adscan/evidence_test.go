package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"adscan/evidence"
	"adscan/evidence/evidencetest"
)

// runEvidence runs adscan with args and an environment and returns the exit
// status and output.
func runEvidence(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errb,
		getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// evidencePackage writes a signed package of a 2-capture case with a
// screenshot, signed with the key of a data directory (made here), and
// returns its path, the data directory and the public key as printed.
func evidencePackage(t *testing.T, tsa *evidence.TSA) (path, data, pub string) {
	t.Helper()
	data = t.TempDir()
	key, err := evidence.LoadOrCreateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	c, captures := evidencetest.Case(2, 2000)
	in := evidence.Input{Case: c, Captures: captures, Created: time.Now(),
		Screenshot: &evidence.Screenshot{PNG: evidencetest.PNG(500), URL: c.URL, TakenAt: time.Now()}}
	path = filepath.Join(t.TempDir(), c.ID+".wacz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := evidence.Build(t.Context(), f, in, evidence.Signer{Key: key, TSA: tsa}); err != nil {
		t.Fatal(err)
	}
	return path, data, evidence.EncodePublicKey(key.Public().(ed25519.PublicKey))
}

func TestEvidenceKey(t *testing.T) {
	_, data, pub := evidencePackage(t, nil)
	code, out, errOut := runEvidence(t, nil, "evidence", "key", "--data", data)
	if code != exitOK || out != pub+"\n" {
		t.Fatalf("evidence key --data: exit %d, %q %q; want %q", code, out, errOut, pub)
	}
	keyFile := filepath.Join(data, evidence.KeyFileName)
	if code, out, _ := runEvidence(t, nil, "evidence", "key", "--signing-key", keyFile); code != exitOK || out != pub+"\n" {
		t.Errorf("evidence key --signing-key: exit %d, %q", code, out)
	}
	pemKey, _ := os.ReadFile(keyFile)
	env := map[string]string{evidence.EnvSigningKey: string(pemKey)}
	if code, out, _ := runEvidence(t, env, "evidence", "key", "--data", t.TempDir()); code != exitOK || out != pub+"\n" {
		t.Errorf("evidence key with $%s: exit %d, %q", evidence.EnvSigningKey, code, out)
	}

	empty := t.TempDir()
	code, _, errOut = runEvidence(t, nil, "evidence", "key", "--data", empty)
	if code != exitFailure || !strings.Contains(errOut, "no signing key at "+filepath.Join(empty, evidence.KeyFileName)) {
		t.Errorf("evidence key on an empty data directory: exit %d, %q", code, errOut)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Error("evidence key made a key")
	}
	if code, _, _ := runEvidence(t, nil, "evidence", "key", "--data", data, "--signing-key", keyFile); code != exitUsage {
		t.Errorf("--data with --signing-key: exit %d, want %d", code, exitUsage)
	}
}

func TestEvidenceVerify(t *testing.T) {
	path, _, pub := evidencePackage(t, nil)
	code, out, errOut := runEvidence(t, nil, "evidence", "verify", path, "--key", pub)
	if code != exitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"ok: " + path,
		"files:      3 match",
		"signature:  Ed25519, by the deployment's key " + pub,
		"records:    7 WARC records, block and payload digests match (1 warcinfo, 2 response, 2 request, 1 resource, 1 metadata)",
		"index:      4 lines",
		"pages:      2 pages",
		"findings:   2 findings",
		"timestamp:  none",
		"case:       case-42 https://www.xinghuo.example/summer?b=2&a=1 (advance_teaching)",
		"lexicon:    shuangjian 2026.11.1+sha256.3f2a9c01b7de (sha256 prefix 3f2a9c01b7de)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	// --key may name a file holding the key, as `evidence key >FILE` writes it.
	keyFile := filepath.Join(t.TempDir(), "adscan.pub")
	os.WriteFile(keyFile, []byte(pub+"\n"), 0o644)
	if code, _, errOut := runEvidence(t, nil, "evidence", "verify", path, "--key", keyFile); code != exitOK {
		t.Errorf("verify --key FILE: exit %d %s", code, errOut)
	}
	// Or GET /api/evidence/key's answer, given as it is or saved to a file
	// (curl … >key.json).
	answer := `{"algorithm":"Ed25519","public_key":"` + pub + `"}`
	jsonFile := filepath.Join(t.TempDir(), "key.json")
	os.WriteFile(jsonFile, []byte(answer+"\n"), 0o644)
	for _, k := range []string{answer, jsonFile} {
		if code, _, errOut := runEvidence(t, nil, "evidence", "verify", path, "--key", k); code != exitOK {
			t.Errorf("verify --key %.40s: exit %d %s", k, code, errOut)
		}
	}
	// Without --key: valid, but the output says the key was not checked.
	if code, out, _ := runEvidence(t, nil, "evidence", "verify", path); code != exitOK || !strings.Contains(out, "NOT checked against the deployment's key") {
		t.Errorf("verify without --key: exit %d\n%s", code, out)
	}
	// Another deployment's key.
	_, _, otherPub := evidencePackage(t, nil)
	code, out, _ = runEvidence(t, nil, "evidence", "verify", path, "--key", otherPub)
	if code != exitFailure || !strings.Contains(out, "FAILED: "+path) || !strings.Contains(out, "  signature: made with key") {
		t.Errorf("verify with another key: exit %d\n%s", code, out)
	}
}

func TestEvidenceVerifyNamesTheFailingPart(t *testing.T) {
	path, _, pub := evidencePackage(t, nil)
	bad := filepath.Join(t.TempDir(), "bad.wacz")
	editPackage(t, path, bad, "pages/pages.jsonl", func(b []byte) []byte {
		return bytes.Replace(b, []byte("course/1"), []byte("course/7"), 1)
	})
	code, out, _ := runEvidence(t, nil, "evidence", "verify", bad, "--key", pub)
	if code != exitFailure || !strings.Contains(out, "  pages/pages.jsonl: SHA-256 is") || !strings.Contains(out, "failed\n") {
		t.Errorf("verify of an edited pages.jsonl: exit %d\n%s", code, out)
	}
}

func TestEvidenceVerifyTimestamp(t *testing.T) {
	tsa := evidencetest.NewTSA(t, true)
	path, _, pub := evidencePackage(t, &evidence.TSA{URL: tsa.URL})
	roots := filepath.Join(t.TempDir(), "roots.pem")
	os.WriteFile(roots, tsa.RootPEM, 0o644)
	code, out, _ := runEvidence(t, nil, "evidence", "verify", path, "--key", pub, "--tsa-roots", roots)
	if code != exitOK || !strings.Contains(out, "CN=adscan test TSA (RFC 3161, chain to --tsa-roots verified)") {
		t.Errorf("verify --tsa-roots: exit %d\n%s", code, out)
	}
	code, out, _ = runEvidence(t, nil, "evidence", "verify", path, "--key", pub)
	if code != exitOK || !strings.Contains(out, "not checked against trusted roots") {
		t.Errorf("verify without --tsa-roots: exit %d\n%s", code, out)
	}
	other := evidencetest.NewTSA(t, true)
	os.WriteFile(roots, other.RootPEM, 0o644)
	code, out, _ = runEvidence(t, nil, "evidence", "verify", path, "--key", pub, "--tsa-roots", roots)
	if code != exitFailure || !strings.Contains(out, "  timestamp: the TSA") {
		t.Errorf("verify with other TSA roots: exit %d\n%s", code, out)
	}
}

func TestEvidenceVerifyUsage(t *testing.T) {
	path, _, _ := evidencePackage(t, nil)
	for name, tc := range map[string]struct {
		args []string
		code int
		msg  string
	}{
		"no file":       {[]string{"evidence", "verify"}, exitUsage, "want exactly one FILE.wacz"},
		"a bad key":     {[]string{"evidence", "verify", path, "--key", "not-a-key"}, exitUsage, "--key is neither a public key"},
		"a bad roots":   {[]string{"evidence", "verify", path, "--tsa-roots", path}, exitUsage, "no PEM certificate"},
		"missing file":  {[]string{"evidence", "verify", path + ".nope"}, exitFailure, "no such file"},
		"no subcommand": {[]string{"evidence"}, exitUsage, "want a subcommand"},
	} {
		code, _, errOut := runEvidence(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%s: exit %d, %q; want %d and %q", name, code, errOut, tc.code, tc.msg)
		}
	}
}

// editPackage copies a package to dst with one file's content changed
// (the ZIP itself stays valid, so only the digests can tell).
func editPackage(t *testing.T, src, dst, name string, edit func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			data = edit(data)
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
