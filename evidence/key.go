package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"adscan"
)

// KeyFileName is the name of the signing key that LoadOrCreateKey keeps
// under a data directory.
const KeyFileName = "signing-key.pem"

// EnvSigningKey names the environment variable that holds a cluster's
// signing key (the PEM text of the key file, or its base64 DER without
// the PEM armour).
const EnvSigningKey = "ADSCAN_SIGNING_KEY"

// KeySource says where a deployment's signing key comes from, in the order
// ResolveKey tries them.
type KeySource struct {
	File    string // a key file (--signing-key FILE)
	Env     string // the value of $ADSCAN_SIGNING_KEY
	DataDir string // a data directory: DataDir/signing-key.pem, made on first use
}

// ResolveKey returns the signing key from the first source set: the file,
// else the environment value, else the data directory (where the key is
// generated on first use). Every source holds an Ed25519 private key in
// PKCS #8 form (PEM "PRIVATE KEY", as `openssl genpkey -algorithm ed25519`
// writes it). EINVALID if no source is set or the key is not such a key.
func ResolveKey(src KeySource) (ed25519.PrivateKey, error) {
	switch {
	case src.File != "":
		return ReadKeyFile(src.File)
	case src.Env != "":
		key, err := ParsePrivateKey([]byte(src.Env))
		if err != nil {
			return nil, fmt.Errorf("evidence: signing key from $%s: %w", EnvSigningKey, err)
		}
		return key, nil
	case src.DataDir != "":
		return LoadOrCreateKey(src.DataDir)
	}
	return nil, fmt.Errorf("evidence: signing key: %w", adscan.Errorf(adscan.EINVALID,
		"no signing key: give a key file, set $%s or a data directory", EnvSigningKey))
}

// ReadKeyFile reads an Ed25519 private key from a PKCS #8 file (PEM, or
// base64 DER).
func ReadKeyFile(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("evidence: read signing key %s: %w", path, err)
	}
	key, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("evidence: signing key %s: %w", path, err)
	}
	return key, nil
}

// LoadOrCreateKey returns the key in dir/signing-key.pem, generating it
// (file mode 0600, directory 0700 if it has to be made) when the file does
// not exist yet. Two processes starting together on one data directory get
// the same key: the file is created exclusively, and the loser reads the
// winner's.
func LoadOrCreateKey(dir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dir, KeyFileName)
	key, err := ReadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("evidence: create signing key in %s: %w", dir, err)
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("evidence: generate signing key: %w", err)
	}
	data, err := EncodePrivateKey(key)
	if err != nil {
		return nil, err
	}
	// Write a temporary file completely, then link it into place: the key
	// file never exists half-written, and Link fails if another process
	// made it first.
	tmp, err := os.CreateTemp(dir, ".tmp-"+KeyFileName+"-*")
	if err != nil {
		return nil, fmt.Errorf("evidence: create signing key in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600) // CreateTemp makes 0600 already; say it
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			// A file system without hard links: create the file
			// exclusively instead (a crash may leave it half-written, and
			// the next start then says so).
			err = writeExclusive(path, data)
		}
		if errors.Is(err, fs.ErrExist) {
			return ReadKeyFile(path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: write signing key %s: %w", path, err)
	}
	return key, nil
}

func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// EncodePrivateKey returns the key as a PEM "PRIVATE KEY" block (PKCS #8).
func EncodePrivateKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("evidence: encode signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey parses an Ed25519 private key in PKCS #8 form: a PEM
// "PRIVATE KEY" block, or the DER in base64. EINVALID otherwise.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	der, err := pemOrBase64(data, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, adscan.Errorf(adscan.EINVALID, "not a PKCS #8 private key: %v", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, adscan.Errorf(adscan.EINVALID, "a %T, not an Ed25519 key", k)
	}
	return key, nil
}

// EncodePublicKey returns the public key in the form adscan prints and
// accepts, and that a package's datapackage-digest.json holds: the base64
// (standard, padded) of its DER SubjectPublicKeyInfo, as the WACZ signing
// spec's anonymous signature carries its publicKey. For Ed25519 that is
// 60 base64 characters starting "MCowBQYDK2VwAyEA".
func EncodePublicKey(pub ed25519.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub) // fails for no ed25519.PublicKey
	return base64.StdEncoding.EncodeToString(der)
}

// ParsePublicKey parses a public key as EncodePublicKey writes it; a PEM
// "PUBLIC KEY" block of the same DER is accepted too. EINVALID otherwise.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	der, err := pemOrBase64([]byte(s), "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, adscan.Errorf(adscan.EINVALID, "not a public key (base64 DER SubjectPublicKeyInfo): %v", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, adscan.Errorf(adscan.EINVALID, "a %T, not an Ed25519 public key", k)
	}
	return pub, nil
}

func pemOrBase64(data []byte, pemType string) ([]byte, error) {
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "-----BEGIN") {
		b, _ := pem.Decode([]byte(s))
		if b == nil || b.Type != pemType {
			return nil, adscan.Errorf(adscan.EINVALID, "want a PEM %q block", pemType)
		}
		return b.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil || len(der) == 0 {
		return nil, adscan.Errorf(adscan.EINVALID, "want a PEM %q block or base64 DER", pemType)
	}
	return der, nil
}
