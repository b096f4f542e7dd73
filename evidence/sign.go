package evidence

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"time"
)

// DigestFile is datapackage-digest.json: the hash of datapackage.json and,
// in a signed package, its signature.
type DigestFile struct {
	Path       string      `json:"path"` // always "datapackage.json"
	Hash       string      `json:"hash"` // "sha256:" + hex
	SignedData *SignedData `json:"signedData,omitempty"`
}

// SignedData follows the "anonymous signature" of the WACZ Signing and
// Verification spec (wacz-auth 0.1.0), with an Ed25519 key where the spec's
// tools use ECDSA:
//
//   - Signature is the base64 Ed25519 signature of the UTF-8 bytes of Hash
//     (the "sha256:…" string, as the spec's tools sign it; Ed25519 hashes
//     its message itself, with SHA-512).
//   - PublicKey is the base64 DER SubjectPublicKeyInfo of the key; its
//     algorithm OID (1.3.101.112) says Ed25519. The key in the file only
//     shows the package was not changed since it was signed; that the
//     deployment signed it takes its public key from elsewhere (adscan
//     evidence key, the API), which Verify compares when given.
//   - TimeSignature and TimestampCert are the spec's RFC 3161 fields of its
//     domain-identity form: the base64 DER TimeStampResp of a TSA over the
//     SHA-256 of the ASCII Signature string (what the spec's authsign
//     stamps), and the PEM certificates that came in the token. Created must
//     be within TimestampSkew of the token's time.
type SignedData struct {
	Hash          string `json:"hash"`
	Created       string `json:"created"` // RFC 3339
	Software      string `json:"software"`
	Signature     string `json:"signature"`
	PublicKey     string `json:"publicKey"`
	TimeSignature string `json:"timeSignature,omitempty"`
	TimestampCert string `json:"timestampCert,omitempty"`
}

// TimestampSkew is how far a package's created time may be from its
// timestamp token's time (the WACZ signing spec's 10 minutes).
const TimestampSkew = 10 * time.Minute

// Signer signs packages with a deployment's Ed25519 key, and asks TSA for a
// timestamp token when TSA is set.
type Signer struct {
	Key ed25519.PrivateKey
	TSA *TSA
}

// PublicKey returns the signer's public key as EncodePublicKey writes it,
// "" for a signer without a key.
func (s Signer) PublicKey() string {
	if len(s.Key) != ed25519.PrivateKeySize {
		return ""
	}
	return EncodePublicKey(s.Key.Public().(ed25519.PublicKey))
}

// sign returns the signed data of a datapackage.json hash.
func (s Signer) sign(ctx context.Context, hash string, created time.Time, software string) (*SignedData, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("evidence: sign: no Ed25519 signing key")
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(s.Key, []byte(hash)))
	sd := &SignedData{
		Hash: hash, Created: created.UTC().Format(time.RFC3339Nano), Software: software,
		Signature: sig, PublicKey: s.PublicKey(),
	}
	if s.TSA != nil {
		resp, certs, err := s.TSA.Stamp(ctx, []byte(sig))
		if err != nil {
			return nil, err
		}
		sd.TimeSignature = base64.StdEncoding.EncodeToString(resp)
		sd.TimestampCert = certs
	}
	return sd, nil
}
