package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"adscan"
)

// Failure is one check a package failed: the part (a file, a record, the
// signature, the timestamp) and what is wrong with it.
type Failure struct {
	Part    string
	Problem string
}

func (f Failure) String() string { return f.Part + ": " + f.Problem }

// RecordInfo is one WARC record Verify read.
type RecordInfo struct {
	ID, Type, URI string
}

// Report is what Verify checked and what failed.
type Report struct {
	Files      []string     // files whose SHA-256 and size matched datapackage.json
	Records    []RecordInfo // WARC records read, in order; their digests were checked
	IndexLines int          // index lines checked against the records
	Pages      int          // pages of pages/pages.jsonl found in the index
	Findings   int          // findings whose evidence spans were checked against their capture's text
	Metadata   *Findings    // the metadata record's content, when it could be read
	Created    string       // the signature's created time
	PublicKey  string       // the key the signature was checked with
	KeyTrusted bool         // that key is the one given to Verify (else it is only the package's own)
	Timestamp  *TimestampInfo
	Failures   []Failure
}

// OK says whether every check passed.
func (r Report) OK() bool { return len(r.Failures) == 0 }

func (r *Report) fail(part, format string, args ...any) {
	r.Failures = append(r.Failures, Failure{part, fmt.Sprintf(format, args...)})
}

// VerifyOptions are what Verify trusts.
type VerifyOptions struct {
	// Key is the deployment's public key. Nil: the signature is checked
	// with the key the package carries, which shows only that the package
	// was not changed after it was signed, not who signed it.
	Key ed25519.PublicKey
	// TSARoots, when not nil, are the roots a timestamp token's TSA
	// certificate must chain to; nil checks the token's signature with the
	// certificate it carries, without trusting that certificate.
	TSARoots *x509.CertPool
}

// Verify checks a package with the deployment's public key (nil: see
// VerifyOptions.Key). See VerifyWith.
func Verify(r io.ReaderAt, size int64, key ed25519.PublicKey) (Report, error) {
	return VerifyWith(r, size, VerifyOptions{Key: key})
}

// VerifyWith checks a package: every file against its SHA-256 and size in
// datapackage.json and no file left out of it; datapackage.json against
// datapackage-digest.json; the Ed25519 signature (with opts.Key when set);
// every WARC record's block and payload digests (gowarc); every index line
// against the record at its offset; every page against the index; every
// finding's evidence span against its capture's text; and the timestamp
// token when there is one. The report names each failure's part. The
// error is nil only when every check passed; it is EINVALID for a package
// that fails a check.
func VerifyWith(r io.ReaderAt, size int64, opts VerifyOptions) (Report, error) {
	var rep Report
	files, names, failures, err := readZip(r, size)
	if err != nil {
		rep.fail("package", "%v", err)
		return rep, verdict(rep)
	}
	rep.Failures = append(rep.Failures, failures...)
	dp := checkManifest(&rep, files, names)
	checkSignature(&rep, files, opts)
	if dp == nil {
		return rep, verdict(rep)
	}
	records := map[string]map[int64]*warcEntry{} // WARC path → member offset → record
	for _, res := range dp.Resources {
		if strings.HasPrefix(res.Path, "archive/") {
			if data, ok := files[res.Path]; ok {
				records[res.Path] = checkWARC(&rep, res.Path, data)
			}
		}
	}
	indexed := map[string]bool{}
	for _, res := range dp.Resources {
		if strings.HasPrefix(res.Path, "indexes/") {
			checkIndex(&rep, res.Path, files[res.Path], records, indexed)
		}
	}
	if data, ok := files[pagesPath]; ok {
		checkPages(&rep, data, indexed)
	} else {
		rep.fail(pagesPath, "missing")
	}
	checkFindings(&rep, records)
	return rep, verdict(rep)
}

func verdict(rep Report) error {
	if rep.OK() {
		return nil
	}
	msgs := make([]string, len(rep.Failures))
	for i, f := range rep.Failures {
		msgs[i] = f.String()
	}
	return fmt.Errorf("evidence: verify: %w", adscan.Errorf(adscan.EINVALID, "%d failed: %s", len(msgs), strings.Join(msgs, "; ")))
}

// checkManifest checks datapackage.json's files and returns it (nil when
// it cannot be read).
func checkManifest(rep *Report, files map[string][]byte, names []string) *DataPackage {
	data, ok := files[dataPackage]
	if !ok {
		rep.fail(dataPackage, "missing")
		return nil
	}
	var dp DataPackage
	if err := json.Unmarshal(data, &dp); err != nil {
		rep.fail(dataPackage, "not JSON: %v", err)
		return nil
	}
	if dp.Profile != "data-package" || dp.WACZVersion == "" {
		rep.fail(dataPackage, "profile %q, wacz_version %q: not a WACZ data package", dp.Profile, dp.WACZVersion)
	}
	listed := map[string]bool{dataPackage: true, dataPackageSig: true}
	for _, res := range dp.Resources {
		if listed[res.Path] {
			rep.fail(dataPackage, "lists %s twice or lists itself", res.Path)
			continue
		}
		listed[res.Path] = true
		got, ok := files[res.Path]
		switch {
		case !ok:
			rep.fail(res.Path, "listed in %s but not in the package", dataPackage)
		case int64(len(got)) != res.Bytes:
			rep.fail(res.Path, "%d bytes, %s says %d", len(got), dataPackage, res.Bytes)
		case sha256Digest(got) != res.Hash:
			rep.fail(res.Path, "SHA-256 is %s, %s says %s", sha256Digest(got), dataPackage, res.Hash)
		default:
			rep.Files = append(rep.Files, res.Path)
		}
	}
	for _, name := range names {
		if !listed[name] {
			rep.fail(name, "in the package but not listed in %s", dataPackage)
		}
	}
	return &dp
}

// checkSignature checks datapackage-digest.json: the hash of
// datapackage.json, the signature, and the timestamp token.
func checkSignature(rep *Report, files map[string][]byte, opts VerifyOptions) {
	data, ok := files[dataPackageSig]
	if !ok {
		rep.fail("signature", "%s is missing: the package is not signed", dataPackageSig)
		return
	}
	var df DigestFile
	if err := json.Unmarshal(data, &df); err != nil {
		rep.fail(dataPackageSig, "not JSON: %v", err)
		return
	}
	if dpData, ok := files[dataPackage]; ok {
		if got := sha256Digest(dpData); df.Path != dataPackage || df.Hash != got {
			rep.fail(dataPackage, "SHA-256 is %s, %s says %s of %q", got, dataPackageSig, df.Hash, df.Path)
		}
	}
	sd := df.SignedData
	if sd == nil {
		rep.fail("signature", "%s has no signedData: the package is not signed", dataPackageSig)
		return
	}
	rep.Created = sd.Created
	if sd.Hash != df.Hash {
		rep.fail("signature", "signs hash %s, but %s is %s", sd.Hash, dataPackage, df.Hash)
	}
	pub, err := ParsePublicKey(sd.PublicKey)
	if err != nil {
		rep.fail("signature", "publicKey: %v", err)
		return
	}
	rep.PublicKey = EncodePublicKey(pub)
	if opts.Key != nil {
		if !pub.Equal(opts.Key) {
			rep.fail("signature", "made with key %s, not the deployment's key %s", rep.PublicKey, EncodePublicKey(opts.Key))
			return
		}
		rep.KeyTrusted = true
	}
	sig, err := base64.StdEncoding.DecodeString(sd.Signature)
	if err != nil || !ed25519.Verify(pub, []byte(sd.Hash), sig) {
		rep.fail("signature", "does not verify with key %s", rep.PublicKey)
		return
	}
	if sd.TimeSignature != "" {
		info, err := verifyTimestamp(sd, opts.TSARoots)
		if err != nil {
			rep.fail("timestamp", "%v", err)
			return
		}
		rep.Timestamp = &info
	}
}

// warcEntry is one record of a WARC file as Verify read it.
type warcEntry struct {
	parsedRecord
	memberSum string
	length    int64
	raw       []byte
	broken    bool // it did not decompress or parse; a failure names it
}

// checkWARC reads every record of a WARC file of gzip members with gowarc,
// which checks the block and payload digests, and returns the records by
// offset.
func checkWARC(rep *Report, path string, data []byte) map[int64]*warcEntry {
	out := map[int64]*warcEntry{}
	for _, m := range splitMembers(data) {
		e := &warcEntry{memberSum: sha256Digest(data[m.offset : m.offset+m.length]), length: m.length, raw: m.raw}
		out[m.offset] = e
		name := func(id, typ, uri string) string {
			if id == "" {
				id = fmt.Sprintf("at offset %d", m.offset)
			}
			return strings.TrimSpace(fmt.Sprintf("%s record %s (%s %s)", path, id, typ, uri))
		}
		if m.err != nil {
			e.broken = true
			e.id, e.typ, e.uri = sniffRecord(m.raw)
			rep.fail(name(e.id, e.typ, e.uri), "does not decompress: %v", m.err)
			continue
		}
		p, err := parseRecord(m.raw)
		if err != nil {
			e.broken = true
			e.id, e.typ, e.uri = sniffRecord(m.raw)
			rep.fail(name(e.id, e.typ, e.uri), "does not parse as a WARC record: %v", err)
			continue
		}
		e.parsedRecord = p
		for _, problem := range p.problems {
			rep.fail(name(p.id, p.typ, p.uri), "%s", problem)
		}
		rep.Records = append(rep.Records, RecordInfo{ID: p.id, Type: p.typ, URI: p.uri})
	}
	return out
}

// checkIndex checks that the index is sorted and that each line points at
// a record of the same URL, date and digests; it notes which URLs are
// indexed.
func checkIndex(rep *Report, path string, data []byte, records map[string]map[int64]*warcEntry, indexed map[string]bool) {
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if !slices.IsSorted(lines) {
		rep.fail(path, "lines are not sorted")
	}
	for i, line := range lines {
		if line == "" {
			continue
		}
		part := fmt.Sprintf("%s line %d", path, i+1)
		key, ts, e, err := parseCDXJLine(line)
		if err != nil {
			rep.fail(part, "%v", err)
			continue
		}
		var off, length int64
		_, err1 := fmt.Sscan(e.Offset, &off)
		_, err2 := fmt.Sscan(e.Length, &length)
		rec := records["archive/"+e.Filename][off]
		switch {
		case err1 != nil || err2 != nil:
			rep.fail(part, "offset %q, length %q", e.Offset, e.Length)
		case rec == nil:
			rep.fail(part, "no record at offset %d of archive/%s", off, e.Filename)
		case rec.broken:
			indexed[e.URL] = true // the record's own failure says what is wrong
		case rec.length != length || rec.memberSum != e.RecordDigest:
			rep.fail(part, "length %d, recordDigest %s; the record there has %d, %s", length, e.RecordDigest, rec.length, rec.memberSum)
		case rec.uri != e.URL || key != surt(e.URL) || e.Digest != rec.payload:
			rep.fail(part, "key %s, url %s, digest %s; the record %s has url %s, key %s, digest %s",
				key, e.URL, e.Digest, rec.id, rec.uri, surt(rec.uri), rec.payload)
		default:
			if recTS, err := cdxTimestamp(rec.date); err != nil || recTS != ts {
				rep.fail(part, "time %s, the record %s has %s", ts, rec.id, rec.date)
				continue
			}
			indexed[e.URL] = true
			rep.IndexLines++
		}
	}
}

// checkPages checks that pages.jsonl is JSON lines and each page is in the
// index.
func checkPages(rep *Report, data []byte, indexed map[string]bool) {
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var p struct {
			Format, URL, TS string
		}
		part := fmt.Sprintf("%s line %d", pagesPath, i+1)
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			rep.fail(part, "not JSON: %v", err)
			continue
		}
		if i == 0 && p.Format != "" {
			continue // the header
		}
		if _, err := time.Parse(time.RFC3339, p.TS); err != nil || p.URL == "" {
			rep.fail(part, "a page needs url and an RFC 3339 ts, has %q, %q", p.URL, p.TS)
		} else if !indexed[p.URL] {
			rep.fail(part, "page %s is not in the index", p.URL)
		} else {
			rep.Pages++
		}
	}
}

// checkFindings checks the metadata record's findings: each evidence span
// against its capture's text, and each capture's records against the WARC.
func checkFindings(rep *Report, records map[string]map[int64]*warcEntry) {
	byID := map[string]*warcEntry{}
	var meta *warcEntry
	for _, file := range records {
		for _, r := range file {
			byID[r.id] = r
			if r.typ == "metadata" && strings.HasPrefix(r.uri, "urn:adscan:case:") {
				meta = r
			}
		}
	}
	if meta == nil {
		rep.fail("findings", "no metadata record (urn:adscan:case:…) in the WARC")
		return
	}
	part := fmt.Sprintf("metadata record %s", meta.id)
	_, block, _ := bytes.Cut(meta.raw, []byte("\r\n\r\n"))
	var f Findings
	if err := json.NewDecoder(bytes.NewReader(block)).Decode(&f); err != nil {
		rep.fail(part, "findings are not JSON: %v", err)
		return
	}
	for _, p := range f.checkSpans() {
		rep.fail(part, "%s", p)
	}
	for _, c := range f.Captures {
		for _, id := range []string{c.ResponseRecord, c.RequestRecord} {
			if id != "" && byID[id] == nil {
				rep.fail(part, "capture %s names record %s, which is not in the WARC", c.ID, id)
			}
		}
		if r := byID[c.ResponseRecord]; r != nil && r.payload != "" && r.payload != "sha256:"+c.BodySHA256 {
			rep.fail(part, "capture %s: body_sha256 %s, its response record's payload digest %s", c.ID, c.BodySHA256, r.payload)
		}
	}
	if s := f.Screenshot; s != nil {
		if r := byID[s.Record]; r == nil || r.payload != "sha256:"+s.SHA256 {
			rep.fail(part, "screenshot record %s with SHA-256 %s is not in the WARC", s.Record, s.SHA256)
		}
	}
	rep.Findings = len(f.Findings)
	rep.Metadata = &f
}
