package htmltext

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// Where a page's charset was learned.
const (
	SourceBOM      = "bom"
	SourceHeader   = "header"
	SourceMeta     = "meta"
	SourceDetected = "detected"
	SourceDefault  = "default"
)

// metaScanLimit bounds how far into a document a <meta> charset is looked
// for (the HTML standard's prescan stops at 1024 bytes; long heads put it later).
const metaScanLimit = 64 << 10

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)`)

// decode converts body to UTF-8 and reports the charset name and where it
// was learned: BOM, then the Content-Type header, then <meta> (first 64 KB),
// then detection. A header or <meta> that claims UTF-8 for bytes that are not
// UTF-8 (common on old Chinese sites) is overruled by detection. Bytes that
// the chosen encoding cannot decode become U+FFFD; decode never fails.
func decode(body []byte, contentType string) (text, name, source string) {
	enc, name, source := chooseEncoding(body, contentType)
	if enc == nil || name == "utf-8" {
		return toValidUTF8(body), "utf-8", source
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return toValidUTF8(body), "utf-8", SourceDefault
	}
	return toValidUTF8(out), name, source
}

func chooseEncoding(body []byte, contentType string) (encoding.Encoding, string, string) {
	if e, name, ok := bomEncoding(body); ok {
		return e, name, SourceBOM
	}
	var enc encoding.Encoding
	var name, src string
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		if e, n := charset.Lookup(params["charset"]); e != nil {
			enc, name, src = e, n, SourceHeader
		}
	}
	if enc == nil {
		if m := metaCharset.FindSubmatch(prefix(body, metaScanLimit)); m != nil {
			if e, n := charset.Lookup(string(m[1])); e != nil {
				enc, name, src = e, n, SourceMeta
			}
		}
	}
	utf8ish := mostlyUTF8(body)
	switch {
	case enc == nil && utf8ish:
		return nil, "utf-8", SourceDetected
	case name == "utf-8" && utf8ish:
		return nil, "utf-8", src
	case enc == nil || name == "utf-8":
		// No declaration, or one that claims UTF-8 for bytes that are not.
		if e, n, ok := detect(body); ok {
			return e, n, SourceDetected
		}
		// Targets are Chinese sites: GB18030 is the likeliest legacy charset.
		return simplifiedchinese.GB18030, "gb18030", SourceDefault
	case src == SourceMeta && name != "utf-8" && hasHighBit(body) && utf8ish:
		// A stale <meta> left by a transcoding server: real GBK or Big5 text
		// is practically never valid UTF-8.
		return nil, "utf-8", SourceDetected
	case name == "gbk" || name == "gb2312":
		// GB18030 is a superset; sites labelled GBK often use its extensions.
		return simplifiedchinese.GB18030, "gb18030", src
	}
	return enc, name, src
}

func bomEncoding(b []byte) (encoding.Encoding, string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return nil, "utf-8", true
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be", true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le", true
	}
	return nil, "", false
}

// detect guesses among the legacy Chinese charsets (and UTF-8) by
// statistics; it reports false when no guess is confident.
func detect(b []byte) (encoding.Encoding, string, bool) {
	results, err := chardet.NewHtmlDetector().DetectAll(prefix(b, metaScanLimit))
	if err != nil {
		return nil, "", false
	}
	for _, r := range results {
		switch strings.ToLower(r.Charset) {
		case "gb-18030", "gb18030", "gbk", "gb2312":
			return simplifiedchinese.GB18030, "gb18030", true
		case "big5":
			return traditionalchinese.Big5, "big5", true
		case "utf-8":
			return nil, "utf-8", true
		}
	}
	return nil, "", false
}

// mostlyUTF8 reports whether b is UTF-8, or UTF-8 with at most one broken
// byte in ten non-ASCII bytes (a truncated or damaged page). GBK, GB18030
// and Big5 text is practically never that close to UTF-8, and statistical
// detection would take a few broken bytes in UTF-8 for one of them.
func mostlyUTF8(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid += size
		}
		i += size
	}
	return valid > 0 && invalid*10 <= valid+invalid
}

func hasHighBit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func prefix(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func toValidUTF8(b []byte) string {
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
