package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"
	"time"

	"adscan/evidence/evidencetest"
)

var testTime = evidencetest.Time

// testInput returns a case of n captures, each an HTML page of about
// bodySize bytes, and a screenshot of about pngSize bytes (none if 0).
func testInput(t testing.TB, n, bodySize, pngSize int) Input {
	t.Helper()
	c, captures := evidencetest.Case(n, bodySize)
	in := Input{Case: c, Captures: captures, Created: testTime}
	if pngSize > 0 {
		in.Screenshot = &Screenshot{PNG: evidencetest.PNG(pngSize), URL: c.URL, CaptureID: "cap-0", TakenAt: testTime.Add(-24 * time.Hour), Width: 1280}
	}
	return in
}

// build packages in with the key and fails the test on error.
func build(t testing.TB, in Input, s Signer) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Build(context.Background(), &b, in, s); err != nil {
		t.Fatalf("Build: %v", err)
	}
	return b.Bytes()
}

// unzip returns the files of a package in order.
func unzip(t testing.TB, pkg []byte) ([]string, map[string][]byte) {
	t.Helper()
	files, names, failures, err := readZip(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil || len(failures) > 0 {
		t.Fatalf("readZip: %v %v", err, failures)
	}
	return names, files
}

// rezip writes files (in the order of names) as a package again.
func rezip(t testing.TB, names []string, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func verify(pkg []byte, opts VerifyOptions) (Report, error) {
	return VerifyWith(bytes.NewReader(pkg), int64(len(pkg)), opts)
}

// failedParts returns the parts of a report's failures.
func failedParts(r Report) []string {
	var parts []string
	for _, f := range r.Failures {
		parts = append(parts, f.Part)
	}
	return parts
}
