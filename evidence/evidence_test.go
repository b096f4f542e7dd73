package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/nlnwa/gowarc/v3"

	"adscan"
	"adscan/evidence/evidencetest"
)

func TestRoundTrip(t *testing.T) {
	key := testKey(1)
	in := testInput(t, 3, 4000, 2000)
	pkg := build(t, in, Signer{Key: key})
	rep, err := verify(pkg, VerifyOptions{Key: key.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var types []string
	for _, r := range rep.Records {
		types = append(types, r.Type)
	}
	want := []string{"warcinfo", "response", "request", "response", "request", "response", "request", "resource", "metadata"}
	if !slices.Equal(types, want) {
		t.Errorf("records %v, want %v", types, want)
	}
	if !rep.KeyTrusted || rep.IndexLines != 5 || rep.Pages != 3 || rep.Findings != 3 || len(rep.Files) != 3 || rep.Timestamp != nil {
		t.Errorf("report %+v", rep)
	}
	if rep.PublicKey != (Signer{Key: key}).PublicKey() {
		t.Errorf("public key %s", rep.PublicKey)
	}

	// The same input packs to the same bytes.
	if again := build(t, in, Signer{Key: key}); !bytes.Equal(again, pkg) {
		t.Error("packaging the same case twice gave different bytes")
	}
}

// TestLayout checks the package against the WACZ spec's layout: names, ZIP
// methods, the manifest's fields, the index's order and keys.
func TestLayout(t *testing.T) {
	key := testKey(1)
	pkg := build(t, testInput(t, 2, 1000, 500), Signer{Key: key})
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if strings.HasPrefix(f.Name, "archive/") && (f.Method != zip.Store || f.Flags&0x8 != 0) {
			t.Errorf("%s: method %d, flags %#x; want STORE with sizes in the local header", f.Name, f.Method, f.Flags)
		}
	}
	want := []string{warcPath, indexPath, pagesPath, dataPackage, dataPackageSig}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	_, files := unzip(t, pkg)
	var dp DataPackage
	if err := json.Unmarshal(files[dataPackage], &dp); err != nil {
		t.Fatal(err)
	}
	if dp.Profile != "data-package" || dp.WACZVersion != "1.1.1" || dp.Created != "2026-11-03T09:30:00Z" ||
		len(dp.Resources) != 3 || !strings.HasPrefix(dp.Resources[0].Hash, "sha256:") || dp.MainPageURL == "" {
		t.Errorf("datapackage.json: %s", files[dataPackage])
	}
	var df DigestFile
	if err := json.Unmarshal(files[dataPackageSig], &df); err != nil {
		t.Fatal(err)
	}
	if df.Path != dataPackage || df.Hash != sha256Digest(files[dataPackage]) || df.SignedData.Hash != df.Hash ||
		!strings.HasPrefix(df.SignedData.PublicKey, "MCowBQYDK2VwAyEA") {
		t.Errorf("datapackage-digest.json: %s", files[dataPackageSig])
	}
	index := string(files[indexPath])
	lines := strings.Split(strings.TrimSpace(index), "\n")
	if !slices.IsSorted(lines) || len(lines) != 4 ||
		!strings.HasPrefix(lines[0], "example,xinghuo)/course/1 ") || !strings.HasPrefix(lines[1], "example,xinghuo)/summer?a=1&b=2 20261102093000 ") ||
		!strings.HasPrefix(lines[2], "urn:adscan:case:case-42 20261103093000 ") || !strings.HasPrefix(lines[3], "urn:view:https://www.xinghuo.example/summer?b=2&a=1 ") {
		t.Errorf("index:\n%s", index)
	}
	if !strings.Contains(lines[1], `"mime":"text/html","status":"200","digest":"sha256:`) {
		t.Errorf("index line %s", lines[1])
	}
	pages := strings.Split(strings.TrimSpace(string(files[pagesPath])), "\n")
	if len(pages) != 3 || !strings.Contains(pages[0], `"format":"json-pages-1.0"`) || !strings.Contains(pages[1], `"ts":"2026-11-02T09:30:00Z"`) {
		t.Errorf("pages.jsonl:\n%s", files[pagesPath])
	}
}

// TestRecordsPassGowarcStrict reads every record with gowarc's strict
// validation (syntax, spec and digests fail at once).
func TestRecordsPassGowarcStrict(t *testing.T) {
	_, files := unzip(t, build(t, testInput(t, 2, 1000, 500), Signer{Key: testKey(1)}))
	zr, err := gzip.NewReader(bytes.NewReader(files[warcPath])) // multistream: all members
	if err != nil {
		t.Fatal(err)
	}
	u := gowarc.NewUnmarshaler(gowarc.WithStrictValidation())
	br := bufio.NewReader(zr)
	n := 0
	for {
		rec, _, validation, err := u.Unmarshal(br)
		if err == io.EOF {
			break
		}
		if err != nil || len(validation) > 0 {
			t.Fatalf("record %d: %v %v", n, err, validation)
		}
		rec.Close()
		n++
	}
	if n != 7 {
		t.Errorf("%d records, want 7", n)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	key := Signer{Key: testKey(1)}
	for name, mutate := range map[string]func(*Input){
		"no case ID":           func(in *Input) { in.Case.ID = "" },
		"screenshot not a PNG": func(in *Input) { in.Screenshot.PNG = []byte("GIF89a") },
		"record not a response": func(in *Input) {
			in.Captures[0].WARC = bytes.Replace(in.Captures[0].WARC, []byte("WARC-Type: response"), []byte("WARC-Type: resource"), 1)
		},
		"record digest wrong": func(in *Input) {
			w := in.Captures[0].WARC
			w[len(w)-10] ^= 1
		},
		"evidence not in the text": func(in *Input) { in.Case.Findings[0].Evidence[0].Start++ },
	} {
		t.Run(name, func(t *testing.T) {
			in := testInput(t, 1, 500, 100)
			mutate(&in)
			err := Build(t.Context(), io.Discard, in, key)
			if adscan.ErrorCode(err) != adscan.EINVALID || !strings.HasPrefix(err.Error(), "evidence: build") {
				t.Errorf("Build: %v, want an EINVALID evidence error", err)
			}
		})
	}
}

func TestVerifyNamesWhatFails(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	in := testInput(t, 2, 2000, 500)
	pkg := build(t, in, Signer{Key: key})
	names, files := unzip(t, pkg)
	respID := evidencetest.ResponseRecordID(1)

	cases := map[string]struct {
		tamper func(files map[string][]byte) []string // returns the names to zip
		parts  []string                               // each must be among the failures' parts
	}{
		"a byte of a WARC record": {
			tamper: func(files map[string][]byte) []string {
				files[warcPath] = flipInMember(t, files[warcPath], respID, "第")
				return names
			},
			parts: []string{warcPath, warcPath + " record " + respID + " (response https://www.xinghuo.example/course/1)"},
		},
		"a byte of pages.jsonl": {
			tamper: func(files map[string][]byte) []string { files[pagesPath][20] ^= 1; return names },
			parts:  []string{pagesPath},
		},
		"a byte of datapackage.json": {
			tamper: func(files map[string][]byte) []string { files[dataPackage][30] ^= 1; return names },
			parts:  []string{dataPackage},
		},
		"a byte of the signature": {
			tamper: func(files map[string][]byte) []string {
				files[dataPackageSig] = editSignedData(t, files[dataPackageSig], func(sd *SignedData) {
					sig, _ := base64.StdEncoding.DecodeString(sd.Signature)
					sig[5] ^= 1
					sd.Signature = base64.StdEncoding.EncodeToString(sig)
				})
				return names
			},
			parts: []string{"signature"},
		},
		"a file added": {
			tamper: func(files map[string][]byte) []string {
				files["archive/more.warc"] = []byte("x")
				return append(slices.Clone(names), "archive/more.warc")
			},
			parts: []string{"archive/more.warc"},
		},
		"a file removed": {
			tamper: func(files map[string][]byte) []string {
				return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == indexPath })
			},
			parts: []string{indexPath},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fs := map[string][]byte{}
			for n, d := range files {
				fs[n] = bytes.Clone(d)
			}
			bad := rezip(t, tc.tamper(fs), fs)
			rep, err := verify(bad, VerifyOptions{Key: pub})
			if err == nil || rep.OK() || adscan.ErrorCode(err) != adscan.EINVALID {
				t.Fatalf("Verify passed a package with %s: %v", name, err)
			}
			for _, part := range tc.parts {
				if !slices.Contains(failedParts(rep), part) {
					t.Errorf("failures %v do not name %q", rep.Failures, part)
				}
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not name %q", err, part)
				}
			}
		})
	}
}

// TestVerifyRecordDigest checks a record against its own digest: the
// package is consistent and signed, but one record's content differs from
// its WARC-Block-Digest (as a faulty producer would write it).
func TestVerifyRecordDigest(t *testing.T) {
	key := testKey(1)
	pkg := build(t, testInput(t, 2, 2000, 500), Signer{Key: key})
	names, files := unzip(t, pkg)
	respID := evidencetest.ResponseRecordID(0)
	files[warcPath] = flipInMember(t, files[warcPath], respID, "第")
	files[indexPath] = reindex(t, files[warcPath])
	files[dataPackage], files[dataPackageSig] = resign(t, files, key)
	rep, err := verify(rezip(t, names, files), VerifyOptions{Key: key.Public().(ed25519.PublicKey)})
	if err == nil {
		t.Fatal("Verify passed a record that fails its digest")
	}
	want := warcPath + " record " + respID + " (response https://www.xinghuo.example/summer?b=2&a=1)"
	if parts := failedParts(rep); !slices.Equal(parts, []string{want, want}) {
		t.Errorf("failures %v, want the block and payload digests of %q alone", rep.Failures, want)
	}
	if !strings.Contains(err.Error(), "block") {
		t.Errorf("error %q does not say the block digest fails", err)
	}
}

// TestVerifyRawByteFlip flips a byte of the WARC in the ZIP file itself
// (its CRC-32 fails too) and still names the record.
func TestVerifyRawByteFlip(t *testing.T) {
	key := testKey(1)
	pkg := build(t, testInput(t, 1, 3000, 0), Signer{Key: key})
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	off, err := zr.File[0].DataOffset()
	if err != nil || zr.File[0].Name != warcPath {
		t.Fatal(zr.File[0].Name, err)
	}
	_, files := unzip(t, pkg)
	members := splitMembers(files[warcPath])
	resp := members[1] // after warcinfo
	pkg[off+resp.offset+resp.length/2] ^= 0x40
	rep, err := verify(pkg, VerifyOptions{Key: key.Public().(ed25519.PublicKey)})
	if err == nil {
		t.Fatal("Verify passed a flipped byte")
	}
	var named bool
	for _, f := range rep.Failures {
		named = named || strings.HasPrefix(f.Part, warcPath+" record "+evidencetest.ResponseRecordID(0))
	}
	if !named || !slices.Contains(failedParts(rep), warcPath) {
		t.Errorf("failures %v do not name the file and the record", rep.Failures)
	}
}

func TestVerifyWrongKey(t *testing.T) {
	pkg := build(t, testInput(t, 1, 500, 0), Signer{Key: testKey(1)})
	other := testKey(2).Public().(ed25519.PublicKey)
	rep, err := verify(pkg, VerifyOptions{Key: other})
	if err == nil || !slices.Contains(failedParts(rep), "signature") || !strings.Contains(err.Error(), "not the deployment's key") {
		t.Errorf("Verify with another key: %v", err)
	}
	// Without a key the package's own key checks it, and the report says
	// the key was not the deployment's.
	rep, err = verify(pkg, VerifyOptions{})
	if err != nil || rep.KeyTrusted {
		t.Errorf("Verify without a key: %v, trusted %v", err, rep.KeyTrusted)
	}
	// Re-signed by someone else with their own key inside: consistent,
	// but not the deployment's.
	names, files := unzip(t, pkg)
	files[pagesPath] = append(files[pagesPath], []byte(`{"id":"x","url":"https://www.xinghuo.example/course/1","ts":"2026-11-02T09:30:00Z"}`+"\n")...)
	files[dataPackage], files[dataPackageSig] = resign(t, files, testKey(3))
	forged := rezip(t, names, files)
	if _, err := verify(forged, VerifyOptions{Key: testKey(1).Public().(ed25519.PublicKey)}); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("Verify of a package re-signed with another key: %v", err)
	}
}

func TestVerifyNotAPackage(t *testing.T) {
	rep, err := verify([]byte("not a zip"), VerifyOptions{})
	if err == nil || !slices.Contains(failedParts(rep), "package") {
		t.Errorf("Verify: %v %v", rep.Failures, err)
	}
}

// flipInMember decompresses the member of the record with that ID, flips a
// byte of the first occurrence of marker after its header and compresses
// it again.
func flipInMember(t testing.TB, warc []byte, id, marker string) []byte {
	t.Helper()
	var out bytes.Buffer
	found := false
	for _, m := range splitMembers(warc) {
		raw := m.raw
		if bytes.Contains(raw, []byte("WARC-Record-ID: "+id)) {
			_, block, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			i := len(raw) - len(block) + bytes.Index(block, []byte(marker))
			raw = bytes.Clone(raw)
			raw[i] ^= 1
			found = true
		}
		gz, err := gzipMember(raw, "")
		if err != nil {
			t.Fatal(err)
		}
		out.Write(gz)
	}
	if !found {
		t.Fatalf("no record %s", id)
	}
	return out.Bytes()
}

// reindex returns the index of a WARC file as it is.
func reindex(t testing.TB, warc []byte) []byte {
	t.Helper()
	var records []record
	for _, m := range splitMembers(warc) {
		p, err := parseRecord(m.raw)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, record{id: p.id, typ: p.typ, uri: p.uri, date: p.date, mime: p.mime, status: p.status,
			payload: p.payload, offset: m.offset, length: m.length, memberSum: sha256Digest(warc[m.offset : m.offset+m.length])})
	}
	index, err := cdxjIndex(records)
	if err != nil {
		t.Fatal(err)
	}
	return index
}

// resign rebuilds datapackage.json over the files as they are and signs it.
func resign(t testing.TB, files map[string][]byte, key ed25519.PrivateKey) (dp, digest []byte) {
	t.Helper()
	var p DataPackage
	if err := json.Unmarshal(files[dataPackage], &p); err != nil {
		t.Fatal(err)
	}
	for i, r := range p.Resources {
		p.Resources[i].Hash, p.Resources[i].Bytes = sha256Digest(files[r.Path]), int64(len(files[r.Path]))
	}
	dp, _ = json.MarshalIndent(p, "", "  ")
	sd, err := Signer{Key: key}.sign(t.Context(), sha256Digest(dp), testTime, "adscan")
	if err != nil {
		t.Fatal(err)
	}
	digest, _ = json.Marshal(DigestFile{Path: dataPackage, Hash: sd.Hash, SignedData: sd})
	return dp, digest
}

func editSignedData(t testing.TB, data []byte, edit func(*SignedData)) []byte {
	t.Helper()
	var df DigestFile
	if err := json.Unmarshal(data, &df); err != nil {
		t.Fatal(err)
	}
	edit(df.SignedData)
	out, _ := json.Marshal(df)
	return out
}
