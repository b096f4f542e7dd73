package evidence

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"adscan/evidence/evidencetest"
)

// TestWarcioReadsEveryRecord has warcio's parser read the package's WARC:
// it must find every record we wrote, at the offsets and lengths our index
// gives, with block and payload digests that node recomputes.
func TestWarcioReadsEveryRecord(t *testing.T) {
	node, prefix := evidencetest.Warcio(t)
	_, files := unzip(t, build(t, testInput(t, 3, 20_000, 5_000), Signer{Key: testKey(1)}))
	warc := filepath.Join(t.TempDir(), warcName)
	if err := os.WriteFile(warc, files[warcPath], 0o644); err != nil {
		t.Fatal(err)
	}
	got := evidencetest.WarcioRead(t, node, prefix, warc)
	members := splitMembers(files[warcPath])
	if len(got) != len(members) {
		t.Fatalf("warcio read %d records, we wrote %d: %+v", len(got), len(members), got)
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
	node, prefix := evidencetest.Warcio(t)
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
		t.Fatalf("warcio cdx-index: %v\n%s", err, evidencetest.StderrOf(err))
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
