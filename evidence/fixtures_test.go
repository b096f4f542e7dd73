package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"adscan"
)

var testTime = time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)

// responseRecord is a WARC/1.1 response record as crawler/warc.go stores
// one (fields in that order, digests as "sha256:" hex).
func responseRecord(id, uri string, date time.Time, header http.Header, body []byte) []byte {
	var block bytes.Buffer
	block.WriteString("HTTP/1.1 200 OK\r\n")
	names := make([]string, 0, len(header))
	for n := range header {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, v := range header[n] {
			fmt.Fprintf(&block, "%s: %s\r\n", n, v)
		}
	}
	block.WriteString("\r\n")
	block.Write(body)
	var rec bytes.Buffer
	fmt.Fprintf(&rec, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%s>\r\nWARC-Date: %s\r\nWARC-Target-URI: %s\r\n"+
		"Content-Type: application/http;msgtype=response\r\nWARC-Payload-Digest: %s\r\nWARC-Block-Digest: %s\r\nContent-Length: %d\r\n\r\n",
		id, warcDate(date), uri, sha256Digest(body), sha256Digest(block.Bytes()), block.Len())
	rec.Write(block.Bytes())
	rec.WriteString("\r\n\r\n")
	return rec.Bytes()
}

// testPage is the text of a page advertising a holiday maths class.
const testPage = "星火教育 暑假班 数学提前学 报名从速 清北学霸授课"

// testInput returns a case of n captures, each an HTML page of about
// bodySize bytes, and a screenshot of about pngSize bytes (none if 0).
func testInput(t testing.TB, n, bodySize, pngSize int) Input {
	t.Helper()
	c := adscan.Case{
		ID: "case-42", Target: "https://www.xinghuo.example/", URL: "https://www.xinghuo.example/summer?b=2&a=1",
		State: adscan.CaseConfirmed, Categories: []adscan.Category{"advance_teaching"},
		Decision:  &adscan.CaseDecision{Decision: "confirm", By: "reviewer", DecidedAt: testTime},
		CreatedAt: testTime.Add(-48 * time.Hour),
	}
	lex := adscan.LexiconRef{Name: "shuangjian", Version: "2026.11.1+sha256.3f2a9c01b7de"}
	in := Input{Case: c, Created: testTime}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		url := c.URL
		if i > 0 {
			url = fmt.Sprintf("https://www.xinghuo.example/course/%d", i)
		}
		body := []byte("<html><head><meta charset=utf-8><title>暑假班</title></head><body><p>" + testPage + "</p>")
		for len(body) < bodySize {
			body = fmt.Appendf(body, "<p>第%d课 %08x</p>\n", len(body), rng.Uint32())
		}
		body = append(body, "</body></html>"...)
		sum := sha256.Sum256(body)
		text := testPage
		tsum := sha256.Sum256([]byte(text))
		fetched := testTime.Add(-time.Duration(24+i) * time.Hour)
		id := fmt.Sprintf("cap-%d", i)
		in.Captures = append(in.Captures, adscan.Capture{
			ID: id, ScanID: "scan-1", Target: c.Target, RequestedURL: url, FinalURL: url, Status: 200,
			Header:    http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			FetchedAt: fetched, BodySHA256: hex.EncodeToString(sum[:]), BodySize: int64(len(body)),
			Text: text, TextSHA256: hex.EncodeToString(tsum[:]), Lexicon: lex,
			WARC: responseRecord(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), url, fetched,
				http.Header{"Content-Type": {"text/html; charset=utf-8"}}, body),
		})
		start := strings.Index(text, "数学提前学")
		in.Case.Findings = append(in.Case.Findings, adscan.Finding{
			Category: "advance_teaching", Score: 0.9, Basis: "（十七）", CaptureID: id, Lexicon: lex,
			Evidence: []adscan.Evidence{{Text: "数学提前学", Start: start, End: start + len("数学提前学"), Rule: "advance"}},
		})
	}
	if pngSize > 0 {
		in.Screenshot = &Screenshot{PNG: testPNG(t, pngSize), URL: c.URL, CaptureID: "cap-0", TakenAt: testTime.Add(-24 * time.Hour), Width: 1280}
	}
	return in
}

// testPNG returns a PNG of noise of about size bytes (noise does not
// compress, so the size is close).
func testPNG(t testing.TB, size int) []byte {
	t.Helper()
	side := 1
	for side*side*3 < size {
		side++
	}
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(3, 4))
	for y := range side {
		for x := range side {
			v := rng.Uint32()
			img.Set(x, y, color.NRGBA{uint8(v), uint8(v >> 8), uint8(v >> 16), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
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
