package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

var wwwPrefix = regexp.MustCompile(`^(https?://)www\d*\.`)

// surt returns the index key of a URL as warcio.js's getSurt makes it, the
// function ReplayWeb.page looks URLs up with: http(s) URLs lose the scheme
// and a leading www, are lower-cased, the host's labels reversed and joined
// by commas, a port kept unless it is the scheme's default, then ")" and
// the path, then the query's parameters sorted. Any other URI (urn:…) is
// its own key.
func surt(raw string) string {
	if !strings.HasPrefix(raw, "http:") && !strings.HasPrefix(raw, "https:") {
		return raw
	}
	s := strings.ToLower(wwwPrefix.ReplaceAllString(raw, "$1"))
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return raw
	}
	host := u.Hostname()
	var key strings.Builder
	if ip := net.ParseIP(host); ip != nil && strings.Contains(host, ":") {
		key.WriteString("[" + host + "]") // IPv6: warcio keeps the brackets and reverses nothing
	} else {
		if a, err := idna.Lookup.ToASCII(host); err == nil {
			host = a
		}
		labels := strings.Split(host, ".")
		for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
			labels[i], labels[j] = labels[j], labels[i]
		}
		key.WriteString(strings.Join(labels, ","))
	}
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		key.WriteString(":" + p)
	}
	key.WriteString(")")
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	key.WriteString(path)
	if u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		sort.Strings(params)
		key.WriteString("?" + strings.Join(params, "&"))
	}
	return key.String()
}

// cdxjEntry is the JSON part of one index line, as pywb and warcio write it
// (numbers as strings). RecordDigest is the SHA-256 of the record's gzip
// member, the bytes at offset..offset+length, so a reader that loads one
// record can check it without the whole WARC.
type cdxjEntry struct {
	URL          string `json:"url"`
	Mime         string `json:"mime,omitempty"`
	Status       string `json:"status,omitempty"`
	Digest       string `json:"digest,omitempty"`
	Length       string `json:"length"`
	Offset       string `json:"offset"`
	Filename     string `json:"filename"`
	RecordDigest string `json:"recordDigest"`
}

// indexed says whether a record gets an index line: as warcio's CDX
// indexer, every record but requests and warcinfo.
func indexed(typ string) bool { return typ != "request" && typ != "warcinfo" }

// cdxTimestamp turns a WARC-Date into the index's 14 digits.
func cdxTimestamp(date string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, date)
	if err != nil {
		return "", fmt.Errorf("WARC-Date %q: %w", date, err)
	}
	return t.UTC().Format("20060102150405"), nil
}

// cdxjIndex returns indexes/index.cdxj for the records of the WARC file
// named warcName: one line per indexed record, sorted (by key, then time).
func cdxjIndex(records []record) ([]byte, error) {
	var lines []string
	for _, r := range records {
		if !indexed(r.typ) {
			continue
		}
		ts, err := cdxTimestamp(r.date)
		if err != nil {
			return nil, fmt.Errorf("evidence: index record %s: %w", r.id, err)
		}
		e := cdxjEntry{URL: r.uri, Mime: r.mime, Digest: r.payload,
			Length: itoa(r.length), Offset: itoa(r.offset), Filename: warcName, RecordDigest: r.memberSum}
		if r.status != 0 {
			e.Status = strconv.Itoa(r.status)
		}
		var js bytes.Buffer
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e); err != nil {
			return nil, fmt.Errorf("evidence: index record %s: %w", r.id, err)
		}
		lines = append(lines, surt(r.uri)+" "+ts+" "+strings.TrimSuffix(js.String(), "\n"))
	}
	sort.Strings(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// parseCDXJLine splits one index line into key, timestamp and entry.
func parseCDXJLine(line string) (key, ts string, e cdxjEntry, err error) {
	key, rest, ok := strings.Cut(line, " ")
	if ok {
		ts, rest, ok = strings.Cut(rest, " ")
	}
	if !ok {
		return "", "", e, fmt.Errorf("want KEY TIMESTAMP JSON")
	}
	if err := json.Unmarshal([]byte(rest), &e); err != nil {
		return "", "", e, err
	}
	return key, ts, e, nil
}
