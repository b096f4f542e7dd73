// Package evidencetest makes the inputs of an evidence package for tests:
// a confirmed case whose findings quote its captures' text, the captures
// with WARC response records as the crawler stores them, and PNG
// screenshots. It uses only the root package's types, so the evidence
// package's own tests can use it too.
package evidencetest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"adscan"
)

// Time is the time the fixtures are set at: the case is confirmed then,
// capture i was fetched 24+i hours before.
var Time = time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)

// Page is the extracted text of every capture: a holiday maths class that
// teaches ahead of the syllabus.
const Page = "星火教育 暑假班 数学提前学 报名从速 清北学霸授课"

// Quote is the evidence each finding quotes from Page.
const Quote = "数学提前学"

// Lexicon is the lexicon the findings name.
var Lexicon = adscan.LexiconRef{Name: "shuangjian", Version: "2026.11.1+sha256.3f2a9c01b7de"}

// ResponseRecordID returns the record ID of capture i's response record.
func ResponseRecordID(i int) string {
	return fmt.Sprintf("<urn:uuid:00000000-0000-4000-8000-%012d>", i)
}

// Case returns a confirmed case of n captures (n >= 1) of HTML pages of
// about bodySize bytes, each with a finding that quotes Quote from it.
// Capture 0 is the case's page; capture i > 0 is /course/i.
func Case(n, bodySize int) (adscan.Case, []adscan.Capture) {
	c := adscan.Case{
		ID: "case-42", Target: "https://www.xinghuo.example/", URL: "https://www.xinghuo.example/summer?b=2&a=1",
		State: adscan.CaseConfirmed, Categories: []adscan.Category{"advance_teaching"},
		Decision:  &adscan.CaseDecision{Decision: "confirm", By: "reviewer", DecidedAt: Time},
		CreatedAt: Time.Add(-48 * time.Hour),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var captures []adscan.Capture
	for i := range n {
		url := c.URL
		if i > 0 {
			url = fmt.Sprintf("https://www.xinghuo.example/course/%d", i)
		}
		body := []byte("<html><head><meta charset=utf-8><title>暑假班</title></head><body><p>" + Page + "</p>\n")
		for len(body) < bodySize {
			body = fmt.Appendf(body, "<p>第%d课 %08x</p>\n", len(body), rng.Uint32())
		}
		body = append(body, "</body></html>"...)
		header := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		fetched := Time.Add(-time.Duration(24+i) * time.Hour)
		id := fmt.Sprintf("cap-%d", i)
		captures = append(captures, adscan.Capture{
			ID: id, ScanID: "scan-1", Target: c.Target, RequestedURL: url, FinalURL: url, Status: 200,
			Header: header, FetchedAt: fetched, BodySHA256: hexSum(body), BodySize: int64(len(body)),
			Text: Page, TextSHA256: hexSum([]byte(Page)), Lexicon: Lexicon,
			WARC: ResponseRecord(ResponseRecordID(i), url, fetched, header, body),
		})
		start := strings.Index(Page, Quote)
		c.Findings = append(c.Findings, adscan.Finding{
			Category: "advance_teaching", Score: 0.9, Basis: "（十七）", CaptureID: id, Lexicon: Lexicon,
			Evidence: []adscan.Evidence{{Text: Quote, Start: start, End: start + len(Quote), Rule: "advance"}},
		})
	}
	return c, captures
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ResponseRecord returns a WARC/1.1 response record of a 200 answer as
// crawler/warc.go stores one: its fields in that order, digests as
// "sha256:" and hex.
func ResponseRecord(id, uri string, date time.Time, header http.Header, body []byte) []byte {
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
	fmt.Fprintf(&rec, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\nWARC-Target-URI: %s\r\n"+
		"Content-Type: application/http;msgtype=response\r\nWARC-Payload-Digest: sha256:%s\r\nWARC-Block-Digest: sha256:%s\r\nContent-Length: %d\r\n\r\n",
		id, date.UTC().Format("2006-01-02T15:04:05.000000Z"), uri, hexSum(body), hexSum(block.Bytes()), block.Len())
	rec.Write(block.Bytes())
	rec.WriteString("\r\n\r\n")
	return rec.Bytes()
}

// PNG returns a square PNG of noise of about size bytes (noise does not
// compress, so the file is close to the size asked).
func PNG(size int) []byte {
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
		panic(err) // an in-memory encode of a valid image does not fail
	}
	return b.Bytes()
}

// PackageFile returns the file name of the WACZ package pkg (a zip
// archive), failing the test when it is not there.
func PackageFile(t testing.TB, pkg []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s in the WACZ: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
