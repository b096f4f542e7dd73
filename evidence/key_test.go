package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"adscan"
)

// testKey is a fixed key, so that packages are comparable between runs.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, fi.Mode())
	}
	again, err := LoadOrCreateKey(dir)
	if err != nil || !key.Equal(again) {
		t.Errorf("second start: %v, same key %v", err, key.Equal(again))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data directory holds %d files, want the key alone", len(entries))
	}
}

// TestLoadOrCreateKeyRace starts several processes' worth of first starts
// at once: they all get the one key that was written.
func TestLoadOrCreateKeyRace(t *testing.T) {
	dir := t.TempDir()
	keys := make([]ed25519.PrivateKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(dir)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !k.Equal(keys[0]) {
			t.Fatal("concurrent first starts got different keys")
		}
	}
}

func TestResolveKey(t *testing.T) {
	fileKey, envKey := testKey(1), testKey(2)
	pemBytes, err := EncodePrivateKey(fileKey)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(file, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	envPEM, _ := EncodePrivateKey(envKey)
	// The variable may hold the PEM, or its base64 body on one line.
	envB64 := strings.Join(strings.Split(strings.TrimSpace(string(envPEM)), "\n")[1:2], "")
	dataDir := t.TempDir()

	for name, tc := range map[string]struct {
		src  KeySource
		want ed25519.PrivateKey
	}{
		"the file first":        {KeySource{File: file, Env: string(envPEM), DataDir: dataDir}, fileKey},
		"then the variable":     {KeySource{Env: string(envPEM), DataDir: dataDir}, envKey},
		"the variable's base64": {KeySource{Env: envB64}, envKey},
	} {
		got, err := ResolveKey(tc.src)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	got, err := ResolveKey(KeySource{DataDir: dataDir})
	if err != nil || len(got) != ed25519.PrivateKeySize {
		t.Errorf("data directory: %v", err)
	}

	for name, src := range map[string]KeySource{
		"nothing":          {},
		"a bad variable":   {Env: "not a key"},
		"a missing file":   {File: filepath.Join(dataDir, "nope.pem")},
		"an RSA-sized DER": {Env: base64.StdEncoding.EncodeToString([]byte("0123456789"))},
	} {
		if _, err := ResolveKey(src); err == nil || !strings.HasPrefix(err.Error(), "evidence: ") {
			t.Errorf("%s: %v, want an evidence error", name, err)
		}
	}
	if _, err := ResolveKey(KeySource{Env: "not a key"}); adscan.ErrorCode(err) != adscan.EINVALID || !strings.Contains(err.Error(), EnvSigningKey) {
		t.Errorf("a bad variable: %v, want EINVALID naming %s", err, EnvSigningKey)
	}
}

func TestPublicKeyForms(t *testing.T) {
	pub := testKey(1).Public().(ed25519.PublicKey)
	s := EncodePublicKey(pub)
	if len(s) != 60 || !strings.HasPrefix(s, "MCowBQYDK2VwAyEA") {
		t.Errorf("EncodePublicKey = %q", s)
	}
	for _, form := range []string{s, " " + s + "\n", "-----BEGIN PUBLIC KEY-----\n" + s + "\n-----END PUBLIC KEY-----\n"} {
		got, err := ParsePublicKey(form)
		if err != nil || !got.Equal(pub) {
			t.Errorf("ParsePublicKey(%q): %v", form, err)
		}
	}
	raw := base64.StdEncoding.EncodeToString(pub) // 32 bytes, no SubjectPublicKeyInfo
	for _, bad := range []string{"", "xyz", raw, "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"} {
		if _, err := ParsePublicKey(bad); adscan.ErrorCode(err) != adscan.EINVALID {
			t.Errorf("ParsePublicKey(%q): %v, want EINVALID", bad, err)
		}
	}
}
