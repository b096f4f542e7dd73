package evidence

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// TSA is an RFC 3161 time-stamping authority reached over HTTP.
type TSA struct {
	URL        string
	HTTPClient *http.Client // default: a client with a 30 s timeout
}

// maxTSAResponse bounds what a TSA may answer.
const maxTSAResponse = 1 << 20

// Stamp asks the TSA for a timestamp token over the SHA-256 of data, with
// the TSA's certificates in it. It returns the DER TimeStampResp and the
// PEM of the token's certificates, after checking that the token verifies
// and stamps data with the nonce sent.
func (t *TSA) Stamp(ctx context.Context, data []byte) (resp []byte, certsPEM string, err error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: %w", t.URL, err)
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{
		Hash: crypto.SHA256, Certificates: true, Nonce: nonce,
	})
	if err != nil {
		return nil, "", fmt.Errorf("evidence: timestamp request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(req))
	if err != nil {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: %w", t.URL, err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hc := t.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	hresp, err := hc.Do(hreq)
	if err != nil {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: %w", t.URL, err)
	}
	defer hresp.Body.Close()
	resp, err = io.ReadAll(io.LimitReader(hresp.Body, maxTSAResponse+1))
	if err != nil {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: %w", t.URL, err)
	}
	if hresp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: %s", t.URL, hresp.Status)
	}
	if len(resp) > maxTSAResponse {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: answer over %d bytes", t.URL, maxTSAResponse)
	}
	ts, err := checkToken(resp, data)
	if err != nil {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: %w", t.URL, err)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, "", fmt.Errorf("evidence: timestamp from %s: the token does not carry the nonce sent", t.URL)
	}
	var b bytes.Buffer
	for _, c := range ts.Certificates {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return resp, b.String(), nil
}

// checkToken parses a DER TimeStampResp and checks that its token is
// signed by the certificate it carries (which must be allowed to stamp
// time) over the SHA-256 of data.
func checkToken(resp, data []byte) (*timestamp.Timestamp, error) {
	ts, err := timestamp.ParseResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("token does not parse or verify: %w", err)
	}
	if !ts.AddTSACertificate {
		return nil, fmt.Errorf("the token carries no TSA certificate, so its signature cannot be checked")
	}
	sum := sha256.Sum256(data)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, sum[:]) {
		return nil, fmt.Errorf("the token stamps another message (%v %x), not the signature", ts.HashAlgorithm, ts.HashedMessage)
	}
	signer, err := tokenSigner(ts)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(signer.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		return nil, fmt.Errorf("the token's signer %q is not a time-stamping certificate", signer.Subject)
	}
	return ts, nil
}

func tokenSigner(ts *timestamp.Timestamp) (*x509.Certificate, error) {
	p7, err := pkcs7.Parse(ts.RawToken)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, fmt.Errorf("the token has not exactly one signer with its certificate")
	}
	return signer, nil
}

// TimestampInfo is what Verify found in a timestamp token.
type TimestampInfo struct {
	Time    time.Time
	TSA     string // the signer certificate's subject
	Trusted bool   // its chain was verified to the roots given to Verify
}

// verifyTimestamp checks a signed package's timestamp token: it verifies,
// stamps the package's signature, was made within TimestampSkew of the
// package's created time, matches TimestampCert, and — when roots is not
// nil — chains to one of roots at the token's time.
func verifyTimestamp(sd *SignedData, roots *x509.CertPool) (TimestampInfo, error) {
	resp, err := base64.StdEncoding.DecodeString(sd.TimeSignature)
	if err != nil {
		return TimestampInfo{}, fmt.Errorf("timeSignature is not base64: %w", err)
	}
	ts, err := checkToken(resp, []byte(sd.Signature))
	if err != nil {
		return TimestampInfo{}, err
	}
	signer, err := tokenSigner(ts)
	if err != nil {
		return TimestampInfo{}, err
	}
	info := TimestampInfo{Time: ts.Time, TSA: signer.Subject.String()}
	created, err := time.Parse(time.RFC3339Nano, sd.Created)
	if err != nil {
		return info, fmt.Errorf("created %q is not an RFC 3339 time", sd.Created)
	}
	if d := ts.Time.Sub(created); d > TimestampSkew || d < -TimestampSkew {
		return info, fmt.Errorf("token time %s is %s from the package's created time %s (at most %s allowed)",
			ts.Time.UTC().Format(time.RFC3339), d.Round(time.Second), sd.Created, TimestampSkew)
	}
	if sd.TimestampCert != "" && !pemHolds([]byte(sd.TimestampCert), signer) {
		return info, fmt.Errorf("timestampCert does not hold the token's signer certificate")
	}
	if roots != nil {
		p7, err := pkcs7.Parse(ts.RawToken)
		if err != nil {
			return info, fmt.Errorf("token: %w", err)
		}
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		err = p7.VerifyWithOpts(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
		if err != nil {
			return info, fmt.Errorf("the TSA %q is not trusted: %w", info.TSA, err)
		}
		info.Trusted = true
	}
	return info, nil
}

func pemHolds(data []byte, cert *x509.Certificate) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" && bytes.Equal(b.Bytes, cert.Raw) {
			return true
		}
	}
}
