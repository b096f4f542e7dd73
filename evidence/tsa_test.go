package evidence

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
)

// testTSA is an RFC 3161 time-stamping authority on httptest: a CA and a
// TSA certificate it issued.
type testTSA struct {
	*httptest.Server
	roots *x509.CertPool
	skew  time.Duration // added to the time it stamps
}

func newTestTSA(t *testing.T, timeStamping bool) *testTSA {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "adscan test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	tsaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "adscan test TSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	if timeStamping {
		leaf.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &tsaKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(leafDER)

	tsa := &testTSA{roots: x509.NewCertPool()}
	tsa.roots.AddCert(ca)
	tsa.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ts := timestamp.Timestamp{
			HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Nonce: req.Nonce,
			Time: time.Now().Add(tsa.skew), Policy: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1},
			AddTSACertificate: req.Certificates, Certificates: []*x509.Certificate{ca},
		}
		resp, err := ts.CreateResponseWithOpts(leaf, tsaKey, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	t.Cleanup(tsa.Close)
	return tsa
}

func TestTimestamp(t *testing.T) {
	tsa := newTestTSA(t, true)
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	in := testInput(t, 1, 1000, 0)
	in.Created = time.Now()
	pkg := build(t, in, Signer{Key: key, TSA: &TSA{URL: tsa.URL}})

	rep, err := verify(pkg, VerifyOptions{Key: pub, TSARoots: tsa.roots})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	ts := rep.Timestamp
	if ts == nil || !ts.Trusted || !strings.Contains(ts.TSA, "adscan test TSA") || time.Since(ts.Time) > time.Minute {
		t.Fatalf("timestamp %+v", ts)
	}
	// Without roots the token's signature is checked with the certificate
	// it carries, and the report says the TSA was not trusted.
	if rep, err := verify(pkg, VerifyOptions{Key: pub}); err != nil || rep.Timestamp == nil || rep.Timestamp.Trusted {
		t.Errorf("Verify without TSA roots: %v %+v", err, rep.Timestamp)
	}
	// Roots the TSA does not chain to.
	other := newTestTSA(t, true)
	if rep, err := verify(pkg, VerifyOptions{Key: pub, TSARoots: other.roots}); err == nil || !slices.Contains(failedParts(rep), "timestamp") {
		t.Errorf("Verify with other TSA roots: %v", err)
	}

	names, files := unzip(t, pkg)
	// A token over another signature (from another package).
	in2 := in
	in2.Case.ID = "case-43"
	_, files2 := unzip(t, build(t, in2, Signer{Key: key, TSA: &TSA{URL: tsa.URL}}))
	var otherToken string
	editSignedData(t, files2[dataPackageSig], func(sd *SignedData) { otherToken = sd.TimeSignature })
	for name, edit := range map[string]func(*SignedData){
		"a flipped byte": func(sd *SignedData) {
			b, _ := base64.StdEncoding.DecodeString(sd.TimeSignature)
			b[len(b)-40] ^= 1
			sd.TimeSignature = base64.StdEncoding.EncodeToString(b)
		},
		"another package's token": func(sd *SignedData) { sd.TimeSignature = otherToken },
		"a created time an hour off": func(sd *SignedData) {
			sd.Created = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		},
	} {
		fs := map[string][]byte{}
		for n, d := range files {
			fs[n] = d
		}
		fs[dataPackageSig] = editSignedData(t, files[dataPackageSig], edit)
		rep, err := verify(rezip(t, names, fs), VerifyOptions{Key: pub, TSARoots: tsa.roots})
		if err == nil || !slices.Equal(failedParts(rep), []string{"timestamp"}) {
			t.Errorf("%s: failures %v, want the timestamp alone", name, rep.Failures)
		}
	}
}

func TestTimestampSkew(t *testing.T) {
	tsa := newTestTSA(t, true)
	tsa.skew = time.Hour
	in := testInput(t, 1, 1000, 0)
	in.Created = time.Now()
	key := testKey(1)
	pkg := build(t, in, Signer{Key: key, TSA: &TSA{URL: tsa.URL}})
	rep, err := verify(pkg, VerifyOptions{Key: key.Public().(ed25519.PublicKey), TSARoots: tsa.roots})
	if err == nil || !strings.Contains(err.Error(), "timestamp: token time") {
		t.Errorf("Verify of a token an hour after the package: %v %v", err, rep.Failures)
	}
}

func TestStampRefuses(t *testing.T) {
	notTSA := newTestTSA(t, false) // its certificate may not stamp time
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	for name, url := range map[string]string{"no time-stamping usage": notTSA.URL, "an HTTP error": down.URL} {
		err := Build(t.Context(), io.Discard, testInput(t, 1, 100, 0), Signer{Key: testKey(1), TSA: &TSA{URL: url}})
		if err == nil || !strings.Contains(err.Error(), "timestamp from "+url) {
			t.Errorf("%s: Build: %v", name, err)
		}
	}
}
