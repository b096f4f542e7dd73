package crawler

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

// responseRecord returns a WARC/1.1 response record of one HTTP response:
// the status line, the header fields as received and the body bytes as
// received. The library (nlnwa/gowarc) assigns WARC-Record-ID and computes
// WARC-Block-Digest and WARC-Payload-Digest (sha256, base16). A body cut at
// the crawl's size cap is marked WARC-Truncated: length.
//
// Go's HTTP client does not keep the original header order or case, nor the
// Transfer-Encoding framing (the body is stored de-chunked, as WARC
// readers expect); fields are written in canonical case, sorted.
func responseRecord(targetURI string, date time.Time, proto string, status int, header http.Header, body []byte, truncated bool) ([]byte, error) {
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
			fmt.Fprintf(&block, "%s: %s\r\n", name, v)
		}
	}
	block.WriteString("\r\n")
	block.Write(body)

	rb := gowarc.NewRecordBuilder(gowarc.Response,
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
		gowarc.WithBufferMaxMemBytes(int64(block.Len())+1))
	if _, err := rb.Write(block.Bytes()); err != nil {
		return nil, fmt.Errorf("crawler: warc record for %s: %w", targetURI, err)
	}
	rb.AddWarcHeader(gowarc.WarcTargetURI, targetURI)
	rb.AddWarcHeaderTime(gowarc.WarcDate, date)
	rb.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=response")
	if truncated {
		rb.AddWarcHeader(gowarc.WarcTruncated, "length")
	}
	rec, _, err := rb.Build()
	if err != nil {
		return nil, fmt.Errorf("crawler: warc record for %s: %w", targetURI, err)
	}
	defer rec.Close()
	var out bytes.Buffer
	if _, _, err := gowarc.NewMarshaler().Marshal(&out, rec, 0); err != nil {
		return nil, fmt.Errorf("crawler: warc record for %s: %w", targetURI, err)
	}
	return out.Bytes(), nil
}
