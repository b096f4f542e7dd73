package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"testing"
)

// The benchmarks package and verify a case of 3 captures of 200 KB of HTML
// and a 1 MB screenshot (noise: PNG does not compress it further).
//
//	go test -run '^$' -bench . -benchmem ./evidence

func benchInput(b *testing.B) Input {
	in := testInput(b, 3, 200_000, 1_000_000)
	if n := len(in.Screenshot.PNG); n < 1_000_000 || n > 1_100_000 {
		b.Fatalf("screenshot of %d bytes, want about 1 MB", n)
	}
	return in
}

func BenchmarkBuild(b *testing.B) {
	in, s := benchInput(b), Signer{Key: testKey(1)}
	var size int
	for b.Loop() {
		var w bytes.Buffer
		if err := Build(context.Background(), &w, in, s); err != nil {
			b.Fatal(err)
		}
		size = w.Len()
	}
	b.ReportMetric(float64(size), "package-bytes")
}

func BenchmarkVerify(b *testing.B) {
	key := testKey(1)
	pkg := build(b, benchInput(b), Signer{Key: key})
	pub := key.Public().(ed25519.PublicKey)
	for b.Loop() {
		if _, err := Verify(bytes.NewReader(pkg), int64(len(pkg)), pub); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(pkg)))
}

// BenchmarkBuildDiscard is Build writing to io.Discard, to show what the
// package's own buffers cost.
func BenchmarkBuildDiscard(b *testing.B) {
	in, s := benchInput(b), Signer{Key: testKey(1)}
	for b.Loop() {
		if err := Build(context.Background(), io.Discard, in, s); err != nil {
			b.Fatal(err)
		}
	}
}
