package evidence

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// envWarcio names the npm prefix where .ci/run installs warcio
// (npm install --prefix DIR warcio@VERSION).
const envWarcio = "ADSCAN_TEST_WARCIO"

// warcio returns node and the npm prefix holding warcio, or skips the test.
func warcio(t *testing.T) (node, prefix string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: this test reads our WARC with the npm package warcio (.ci/run installs both)")
	}
	prefix = os.Getenv(envWarcio)
	if prefix == "" {
		t.Skipf("$%s is not set: it names the npm prefix where warcio is installed (npm install --prefix DIR warcio@2.4.11, as .ci/run does)", envWarcio)
	}
	if _, err := os.Stat(filepath.Join(prefix, "node_modules", "warcio", "package.json")); err != nil {
		t.Skipf("warcio is not installed under $%s=%s: %v", envWarcio, prefix, err)
	}
	return node, prefix
}

// TestWarcioReadsEveryRecord has warcio's parser read the package's WARC:
// it must find every record we wrote, at the offsets and lengths our index
// gives, with block and payload digests that node recomputes.
func TestWarcioReadsEveryRecord(t *testing.T) {
	node, prefix := warcio(t)
	_, files := unzip(t, build(t, testInput(t, 3, 20_000, 5_000), Signer{Key: testKey(1)}))
	warc := filepath.Join(t.TempDir(), warcName)
	if err := os.WriteFile(warc, files[warcPath], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("testdata", "warcio_read.cjs"), prefix, warc).Output()
	if err != nil {
		t.Fatalf("node warcio_read.cjs: %v\n%s", err, stderrOf(err))
	}
	type read struct {
		Offset, Length  int64
		Type, ID, URI   string
		BlockDigestOK   bool
		PayloadDigestOK *bool
	}
	var got []read
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r read
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("warcio output %q: %v", sc.Text(), err)
		}
		got = append(got, r)
	}
	members := splitMembers(files[warcPath])
	if len(got) != len(members) {
		t.Fatalf("warcio read %d records, we wrote %d:\n%s", len(got), len(members), out)
	}
	var types []string
	for i, m := range members {
		p, err := parseRecord(m.raw)
		if err != nil {
			t.Fatal(err)
		}
		g := got[i]
		types = append(types, g.Type)
		if g.Offset != m.offset || g.Length != m.length || g.Type != p.typ || g.ID != p.id || g.URI != p.uri {
			t.Errorf("record %d: warcio read %+v; we wrote %s %s %s at %d+%d", i, g, p.typ, p.id, p.uri, m.offset, m.length)
		}
		if !g.BlockDigestOK || (g.PayloadDigestOK != nil && !*g.PayloadDigestOK) || (p.payload != "") != (g.PayloadDigestOK != nil) {
			t.Errorf("record %d (%s %s): digests as warcio's bytes give them: block %v, payload %v", i, g.Type, g.ID, g.BlockDigestOK, g.PayloadDigestOK)
		}
	}
	want := []string{"warcinfo", "response", "request", "response", "request", "response", "request", "resource", "metadata"}
	if !slices.Equal(types, want) {
		t.Errorf("warcio read types %v, want %v", types, want)
	}
}

// TestWarcioIndexMatches has warcio's CDXJ indexer index the WARC and
// compares its lines with our index: same keys (SURT), times, URLs, types,
// statuses, offsets and lengths. warcio writes the digest without its
// "sha256:" prefix, and no recordDigest.
func TestWarcioIndexMatches(t *testing.T) {
	node, prefix := warcio(t)
	_, files := unzip(t, build(t, testInput(t, 3, 2_000, 500), Signer{Key: testKey(1)}))
	warc := filepath.Join(t.TempDir(), warcName)
	if err := os.WriteFile(warc, files[warcPath], 0o644); err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(prefix, "node_modules", "warcio", "dist", "cli.js")
	cmd := exec.Command(node, cli, "cdx-index", warcName, "--format", "cdxj")
	cmd.Dir = filepath.Dir(warc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("warcio cdx-index: %v\n%s", err, stderrOf(err))
	}
	normalise := func(index string) []string {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(index), "\n") {
			key, ts, e, err := parseCDXJLine(l)
			if err != nil {
				t.Fatalf("index line %q: %v", l, err)
			}
			e.Digest = strings.TrimPrefix(e.Digest, "sha256:")
			e.RecordDigest = ""
			js, _ := json.Marshal(e)
			lines = append(lines, key+" "+ts+" "+string(js))
		}
		slices.Sort(lines)
		return lines
	}
	theirs, ours := normalise(string(out)), normalise(string(files[indexPath]))
	if !slices.Equal(theirs, ours) {
		t.Errorf("warcio's index:\n%s\nours:\n%s", strings.Join(theirs, "\n"), strings.Join(ours, "\n"))
	}
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
