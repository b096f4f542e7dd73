package evidence

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"sync"

	"github.com/nlnwa/gowarc/v3"
)

// warcParser parses WARC records with gowarc, which checks their syntax and
// their block and payload digests. gowarc.NewUnmarshaler calls
// uuid.EnableRandPool, a write to a global of github.com/google/uuid that
// races with every uuid.New elsewhere in the process (Temporal's SDK and the
// crawler make UUIDs all the time in a worker). So the package makes its one
// unmarshaler while the program initialises, before goroutines run, and uses
// it under a mutex (an unmarshaler keeps state between records).
var warcParser = struct {
	sync.Mutex
	u gowarc.Unmarshaler
}{u: gowarc.NewUnmarshaler()} // syntax, spec and digest problems are warnings: all are reported

// parsedRecord is what a package needs of a record gowarc parsed.
type parsedRecord struct {
	id, typ, uri, date string
	mime               string // HTTP Content-Type media type for HTTP records, else the record's
	status             int
	payload            string // WARC-Payload-Digest as written
	problems           []string
}

// parseRecord parses one uncompressed WARC record with gowarc. Problems
// (a digest that does not match, a syntax error) are in the result; err is
// for a record that cannot be parsed at all or bytes after the record.
func parseRecord(raw []byte) (parsedRecord, error) {
	warcParser.Lock()
	defer warcParser.Unlock()
	br := bufio.NewReader(bytes.NewReader(raw))
	rec, skipped, validation, err := warcParser.u.Unmarshal(br)
	if err != nil {
		return parsedRecord{}, err
	}
	defer rec.Close()
	h := rec.WarcHeader()
	p := parsedRecord{
		id: h.Get(gowarc.WarcRecordID), typ: h.Get(gowarc.WarcType), uri: h.Get(gowarc.WarcTargetURI),
		date: h.Get(gowarc.WarcDate), mime: mediaType(h.Get(gowarc.ContentType)),
		payload: h.Get(gowarc.WarcPayloadDigest),
	}
	if skipped > 0 {
		p.problems = append(p.problems, fmt.Sprintf("%d bytes before the record", skipped))
	}
	for _, v := range validation {
		p.problems = append(p.problems, v.Error())
	}
	switch b := rec.Block().(type) {
	case gowarc.HttpResponseBlock:
		p.status = b.HttpStatusCode()
		if hh := b.HttpHeader(); hh != nil {
			p.mime = mediaType(hh.Get("Content-Type"))
		}
	case gowarc.HttpRequestBlock:
		p.mime = "-"
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		return p, fmt.Errorf("%d bytes after the record", len(rest))
	}
	return p, nil
}

func mediaType(contentType string) string {
	if contentType == "" {
		return "-"
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType
	}
	return mt
}

// member is one gzip member of a WARC file: one record.
type member struct {
	offset, length int64
	raw            []byte // decompressed (what could be, when err is set)
	err            error  // the member could not be decompressed
}

// splitMembers splits a WARC file of gzip members. A member that does not
// decompress is kept with its error, and the split goes on at the next
// offset where a member decompresses, so that one broken record does not
// hide the others.
func splitMembers(data []byte) []member {
	var out []member
	for off := 0; off < len(data); {
		m := readMember(data, off)
		if m.err != nil {
			next := nextMember(data, off+1)
			m.length = int64(next - off)
			out = append(out, m)
			off = next
			continue
		}
		out = append(out, m)
		off += int(m.length)
	}
	return out
}

// readMember decompresses the gzip member at off.
func readMember(data []byte, off int) member {
	m := member{offset: int64(off)}
	// bytes.Reader is an io.ByteReader, so the gzip reader takes no byte
	// past the member's end: what it consumed is the member's length.
	r := bytes.NewReader(data[off:])
	zr, err := gzip.NewReader(r)
	if err == nil {
		zr.Multistream(false)
		m.raw, err = io.ReadAll(zr)
	}
	m.length = int64(len(data) - off - r.Len())
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = fmt.Errorf("gzip member cut short: %w", err)
	}
	m.err = err
	return m
}

// nextMember returns the first offset from off on where a gzip member that
// holds a WARC record starts, or len(data).
func nextMember(data []byte, off int) int {
	magic := []byte{0x1f, 0x8b, 0x08}
	for off < len(data) {
		i := bytes.Index(data[off:], magic)
		if i < 0 {
			break
		}
		off += i
		if m := readMember(data, off); m.err == nil && bytes.HasPrefix(m.raw, []byte("WARC/")) {
			return off
		}
		off++
	}
	return len(data)
}

var (
	headerID   = regexp.MustCompile(`(?m)^WARC-Record-ID:\s*(\S+)\r?$`)
	headerType = regexp.MustCompile(`(?m)^WARC-Type:\s*(\S+)\r?$`)
	headerURI  = regexp.MustCompile(`(?m)^WARC-Target-URI:\s*(\S+)\r?$`)
)

// sniffRecord returns the record ID, type and target URI of a record that
// gowarc could not parse, from what of its header is readable, for a
// message that names it.
func sniffRecord(raw []byte) (id, typ, uri string) {
	head := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		head = raw[:i+2]
	}
	if m := headerID.FindSubmatch(head); m != nil {
		id = string(m[1])
	}
	if m := headerType.FindSubmatch(head); m != nil {
		typ = string(m[1])
	}
	if m := headerURI.FindSubmatch(head); m != nil {
		uri = string(m[1])
	}
	return id, typ, uri
}

// splitStored splits a capture's stored WARC bytes into its records: the
// response record, and for a page rendered in a browser the resource
// record of its rendered DOM after it. Each record is "WARC/1.x", header
// lines, a blank line, Content-Length bytes of block and "\r\n\r\n". An
// error names what is wrong: a record that does not start as one, has no
// Content-Length or runs past the end.
func splitStored(raw []byte) ([][]byte, error) {
	var out [][]byte
	for off := 0; off < len(raw); {
		rest := raw[off:]
		if !bytes.HasPrefix(rest, []byte("WARC/1.")) {
			return nil, fmt.Errorf("no WARC record at byte %d", off)
		}
		end := bytes.Index(rest, []byte("\r\n\r\n"))
		if end < 0 {
			return nil, fmt.Errorf("the record at byte %d has no end of header", off)
		}
		length := -1
		for _, line := range bytes.Split(rest[:end], []byte("\r\n")) {
			name, value, ok := bytes.Cut(line, []byte(":"))
			if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Length")) {
				if _, err := fmt.Sscanf(string(bytes.TrimSpace(value)), "%d", &length); err != nil {
					length = -1
				}
			}
		}
		if length < 0 {
			return nil, fmt.Errorf("the record at byte %d has no valid Content-Length", off)
		}
		size := end + 4 + length + 4
		if size > len(rest) || !bytes.Equal(rest[size-4:size], []byte("\r\n\r\n")) {
			return nil, fmt.Errorf("the record at byte %d runs past the end or does not end in CRLF CRLF", off)
		}
		out = append(out, rest[:size])
		off += size
	}
	return out, nil
}
