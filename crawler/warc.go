package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// responseRecord returns a WARC/1.1 response record (ISO 28500:2017) of one
// HTTP response: the status line, the header fields as received and the body
// bytes as received, with WARC-Record-ID, WARC-Date, WARC-Target-URI,
// WARC-Payload-Digest (sha256 of the body) and WARC-Block-Digest (sha256 of
// the whole HTTP message). A body cut at the crawl's size cap is marked
// WARC-Truncated: length.
//
// It is written here rather than with github.com/nlnwa/gowarc (which the
// tests use to parse and verify these records) because that library's record
// builder calls uuid.EnableRandPool on every use: a data race between
// concurrent crawls, and with every other uuid user in the process.
//
// Go's HTTP client does not keep the original header order or case, nor the
// Transfer-Encoding framing (the body is stored de-chunked, as WARC readers
// expect); fields are written in canonical case, sorted.
func responseRecord(targetURI string, date time.Time, proto string, status int, header http.Header, body []byte, truncated bool) ([]byte, error) {
	return concurrentResponseRecord(targetURI, "", date, proto, status, header, body, truncated)
}

// concurrentResponseRecord is responseRecord with a WARC-Concurrent-To
// field naming concurrentTo (a record ID; "" for none): the record of the
// page whose rendering received this response.
func concurrentResponseRecord(targetURI, concurrentTo string, date time.Time, proto string, status int, header http.Header, body []byte, truncated bool) ([]byte, error) {
	if strings.ContainsAny(targetURI, "\r\n") {
		return nil, fmt.Errorf("crawler: warc record: target URI %q has a line break", targetURI)
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("crawler: warc record for %s: %w", targetURI, err)
	}
	if proto == "" {
		proto = "HTTP/1.1"
	}
	var block bytes.Buffer
	fmt.Fprintf(&block, "%s %d %s\r\n", proto, status, http.StatusText(status))
	names := make([]string, 0, len(header))
	for name := range header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range header[name] {
			v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
			fmt.Fprintf(&block, "%s: %s\r\n", name, v)
		}
	}
	block.WriteString("\r\n")
	block.Write(body)

	blockSum := sha256.Sum256(block.Bytes())
	payloadSum := sha256.Sum256(body)
	var rec bytes.Buffer
	rec.Grow(block.Len() + 512)
	rec.WriteString("WARC/1.1\r\n")
	field := func(name, value string) { fmt.Fprintf(&rec, "%s: %s\r\n", name, value) }
	field("WARC-Type", "response")
	field("WARC-Record-ID", "<urn:uuid:"+id.String()+">")
	field("WARC-Date", date.UTC().Format("2006-01-02T15:04:05.000000Z"))
	field("WARC-Target-URI", targetURI)
	if concurrentTo != "" {
		field("WARC-Concurrent-To", concurrentTo)
	}
	field("Content-Type", "application/http;msgtype=response")
	field("WARC-Payload-Digest", "sha256:"+hex.EncodeToString(payloadSum[:]))
	field("WARC-Block-Digest", "sha256:"+hex.EncodeToString(blockSum[:]))
	if truncated {
		field("WARC-Truncated", "length")
	}
	field("Content-Length", strconv.Itoa(block.Len()))
	rec.WriteString("\r\n")
	rec.Write(block.Bytes())
	rec.WriteString("\r\n\r\n")
	return rec.Bytes(), nil
}

// renderedRecord returns a WARC/1.1 resource record of a page's rendered
// DOM (UTF-8 HTML, as the browser serialised it after scripts ran), at
// "urn:dom:" + targetURI so that replay tools keep serving the response
// record at targetURI itself; WARC-Concurrent-To names that response record
// (responseID, "" for none: WARC 1.1 allows no WARC-Refers-To on a resource
// record). A DOM cut at the size cap is marked WARC-Truncated: length.
func renderedRecord(targetURI, responseID string, date time.Time, html []byte, truncated bool) ([]byte, error) {
	if strings.ContainsAny(targetURI, "\r\n") {
		return nil, fmt.Errorf("crawler: warc record: target URI %q has a line break", targetURI)
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("crawler: warc record for %s: %w", targetURI, err)
	}
	sum := sha256.Sum256(html)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	var rec bytes.Buffer
	rec.Grow(len(html) + 512)
	rec.WriteString("WARC/1.1\r\n")
	field := func(name, value string) { fmt.Fprintf(&rec, "%s: %s\r\n", name, value) }
	field("WARC-Type", "resource")
	field("WARC-Record-ID", "<urn:uuid:"+id.String()+">")
	field("WARC-Date", date.UTC().Format("2006-01-02T15:04:05.000000Z"))
	field("WARC-Target-URI", "urn:dom:"+targetURI)
	if responseID != "" {
		field("WARC-Concurrent-To", responseID)
	}
	field("Content-Type", "text/html; charset=utf-8")
	field("WARC-Payload-Digest", digest)
	field("WARC-Block-Digest", digest)
	if truncated {
		field("WARC-Truncated", "length")
	}
	field("Content-Length", strconv.Itoa(len(html)))
	rec.WriteString("\r\n")
	rec.Write(html)
	rec.WriteString("\r\n\r\n")
	return rec.Bytes(), nil
}

// recordID returns the WARC-Record-ID of a record this package wrote.
func recordID(rec []byte) string {
	head, _, _ := bytes.Cut(rec, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if v, ok := strings.CutPrefix(line, "WARC-Record-ID: "); ok {
			return v
		}
	}
	return ""
}
