package evidence

import (
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"adscan/evidence/evidencetest"
)

func TestTimestamp(t *testing.T) {
	tsa := evidencetest.NewTSA(t, true)
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	in := testInput(t, 1, 1000, 0)
	in.Created = time.Now()
	pkg := build(t, in, Signer{Key: key, TSA: &TSA{URL: tsa.URL}})

	rep, err := verify(pkg, VerifyOptions{Key: pub, TSARoots: tsa.Roots})
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
	other := evidencetest.NewTSA(t, true)
	if rep, err := verify(pkg, VerifyOptions{Key: pub, TSARoots: other.Roots}); err == nil || !slices.Contains(failedParts(rep), "timestamp") {
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
		rep, err := verify(rezip(t, names, fs), VerifyOptions{Key: pub, TSARoots: tsa.Roots})
		if err == nil || !slices.Equal(failedParts(rep), []string{"timestamp"}) {
			t.Errorf("%s: failures %v, want the timestamp alone", name, rep.Failures)
		}
	}
}

func TestTimestampSkew(t *testing.T) {
	tsa := evidencetest.NewTSA(t, true)
	tsa.Skew = time.Hour
	in := testInput(t, 1, 1000, 0)
	in.Created = time.Now()
	key := testKey(1)
	pkg := build(t, in, Signer{Key: key, TSA: &TSA{URL: tsa.URL}})
	rep, err := verify(pkg, VerifyOptions{Key: key.Public().(ed25519.PublicKey), TSARoots: tsa.Roots})
	if err == nil || !strings.Contains(err.Error(), "timestamp: token time") {
		t.Errorf("Verify of a token an hour after the package: %v %v", err, rep.Failures)
	}
}

func TestStampRefuses(t *testing.T) {
	notTSA := evidencetest.NewTSA(t, false) // its certificate may not stamp time
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
