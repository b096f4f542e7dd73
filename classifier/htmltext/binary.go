package htmltext

import (
	"bytes"
	"net/http"
)

// isBinary reports whether body is not text: it sniffs as a non-text type,
// or its first 1024 bytes hold NUL bytes (UTF-16 aside, which has a BOM).
func isBinary(body []byte) bool {
	head := prefix(body, 1024)
	if _, _, ok := bomEncoding(head); ok {
		return false
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	switch ct := sniffType(body); {
	case ct == "application/octet-stream":
		return false // unknown but NUL-free: let decoding decide
	case len(ct) >= 5 && ct[:5] == "text/":
		return false
	case ct == "application/xml", ct == "application/json":
		return false
	default:
		return true
	}
}

func sniffType(body []byte) string {
	ct := http.DetectContentType(prefix(body, 512))
	if i := bytes.IndexByte([]byte(ct), ';'); i >= 0 {
		ct = ct[:i]
	}
	return ct
}
