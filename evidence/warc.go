package evidence

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The records of a package are written here, not with gowarc's record
// builder: gowarc.NewRecordBuilder calls uuid.EnableRandPool on every use,
// a write to a global of github.com/google/uuid that races with every
// uuid.New in the process — and a worker, where packages are made, runs
// Temporal's SDK and crawls that make UUIDs all the time (crawler/warc.go
// writes its response records by hand for the same reason). Reading, where
// the parser can be made once, uses gowarc: see warcread.go.

// recordIDSpace is the name space of the package's record IDs. IDs are
// name-based (UUID v5) from the case, the record's role and its content,
// so packaging the same evidence twice gives the same bytes.
var recordIDSpace = uuid.MustParse("f6659175-2d70-47f2-b7e4-b7366f40933c")

func recordID(parts ...string) string {
	return "<" + uuid.NewSHA1(recordIDSpace, []byte(strings.Join(parts, "\x00"))).URN() + ">"
}

// warcDate formats a time as WARC-Date does (UTC, microseconds), as the
// crawler writes it.
func warcDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// field is one WARC header field.
type field struct{ name, value string }

// record is one WARC record of a package and what its index line needs.
type record struct {
	id, typ   string
	uri       string // WARC-Target-URI ("" for warcinfo)
	date      string // WARC-Date as written
	mime      string // for the index: the HTTP Content-Type's media type, else the record's
	status    int    // HTTP status of a response, else 0
	payload   string // WARC-Payload-Digest ("" if none)
	raw       []byte // the uncompressed record
	offset    int64  // of its gzip member in the WARC file
	length    int64  // of its gzip member
	memberSum string // sha256: of its gzip member (the index's recordDigest)
}

// newRecord serialises a WARC/1.1 record: the fields in the order given,
// then WARC-Payload-Digest (when payload is not nil), WARC-Block-Digest and
// Content-Length. Values must not hold line breaks.
func newRecord(fields []field, block, payload []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(block) + 512)
	b.WriteString("WARC/1.1\r\n")
	for _, f := range fields {
		if strings.ContainsAny(f.value, "\r\n") {
			return nil, fmt.Errorf("evidence: warc record: %s %q has a line break", f.name, f.value)
		}
		fmt.Fprintf(&b, "%s: %s\r\n", f.name, f.value)
	}
	if payload != nil {
		fmt.Fprintf(&b, "WARC-Payload-Digest: %s\r\n", sha256Digest(payload))
	}
	fmt.Fprintf(&b, "WARC-Block-Digest: %s\r\n", sha256Digest(block))
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(block))
	b.Write(block)
	b.WriteString("\r\n\r\n")
	return b.Bytes(), nil
}

// warcinfoRecord describes the WARC file: the software and the case.
func warcinfoRecord(caseID, software, date string) (record, error) {
	block := []byte("software: " + software + "\r\n" +
		"format: WARC File Format 1.1\r\n" +
		"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n" +
		"description: evidence of adscan case " + caseID + "\r\n")
	r := record{id: recordID(caseID, "warcinfo"), typ: "warcinfo", date: date, mime: "application/warc-fields"}
	raw, err := newRecord([]field{
		{"WARC-Type", "warcinfo"}, {"WARC-Record-ID", r.id}, {"WARC-Date", date},
		{"WARC-Filename", warcName}, {"Content-Type", r.mime},
	}, block, nil)
	r.raw = raw
	return r, err
}

// requestRecord reconstructs the GET request of a response record from its
// URL: the request line and Host (the crawler does not keep the request it
// sent). It is concurrent to the response and has its target URI and date.
func requestRecord(caseID string, resp record) (record, error) {
	u, err := url.Parse(resp.uri)
	if err != nil || u.Host == "" {
		return record{}, fmt.Errorf("evidence: request record for %s: not an absolute URL", resp.uri)
	}
	block := []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n")
	r := record{id: recordID(caseID, "request", resp.id), typ: "request", uri: resp.uri, date: resp.date, mime: "-"}
	raw, err := newRecord([]field{
		{"WARC-Type", "request"}, {"WARC-Record-ID", r.id}, {"WARC-Date", r.date},
		{"WARC-Target-URI", r.uri}, {"WARC-Concurrent-To", resp.id},
		{"Content-Type", "application/http;msgtype=request"},
	}, block, []byte{})
	r.raw = raw
	return r, err
}

// resourceRecord holds a file as it is, e.g. a screenshot.
func resourceRecord(caseID, uri, mime string, date time.Time, data []byte) (record, error) {
	r := record{id: recordID(caseID, "resource", uri, sha256Digest(data)), typ: "resource", uri: uri,
		date: warcDate(date), mime: mime, payload: sha256Digest(data)}
	raw, err := newRecord([]field{
		{"WARC-Type", "resource"}, {"WARC-Record-ID", r.id}, {"WARC-Date", r.date},
		{"WARC-Target-URI", uri}, {"Content-Type", mime},
	}, data, data)
	r.raw = raw
	return r, err
}

// metadataRecord holds the findings (JSON) about the case; it refers to the
// records it describes through the IDs in its content.
func metadataRecord(caseID, uri string, date time.Time, data []byte) (record, error) {
	r := record{id: recordID(caseID, "metadata", sha256Digest(data)), typ: "metadata", uri: uri,
		date: warcDate(date), mime: "application/json"}
	raw, err := newRecord([]field{
		{"WARC-Type", "metadata"}, {"WARC-Record-ID", r.id}, {"WARC-Date", r.date},
		{"WARC-Target-URI", uri}, {"Content-Type", r.mime},
	}, data, nil)
	r.raw = raw
	return r, err
}

// gzipMember compresses one record as a gzip member of its own, so a
// reader can seek to any record (the index's offset and length). The gzip
// header carries no name or time: the same record compresses to the same
// bytes. Records are compressed at gzip.BestSpeed (on the benchmark's
// case: half the build time of the default level for 2 % more bytes); an
// already compressed image goes in deflate's stored blocks, as compressing
// a PNG again saves next to nothing.
func gzipMember(raw []byte, mime string) ([]byte, error) {
	level := gzip.BestSpeed
	if mime == "image/png" || mime == "image/jpeg" || mime == "image/webp" {
		level = gzip.NoCompression
	}
	var b bytes.Buffer
	b.Grow(len(raw)/2 + 64)
	zw, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// itoa is strconv.Itoa for int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
