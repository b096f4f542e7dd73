package lexicon

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestRefNamesTheExactFile(t *testing.T) {
	data := DefaultYAML()
	a, err := Parse(data, "default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ref := a.Ref()
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(a.Version) + `\+sha256\.[0-9a-f]{12}$`).MatchString(ref.Version) {
		t.Fatalf("Ref().Version = %q, want %s+sha256.<12 hex>", ref.Version, a.Version)
	}
	b, _ := Parse(bytes.Clone(data), "copy.yaml")
	if b.Ref() != ref {
		t.Errorf("the same bytes give %v and %v", b.Ref(), ref)
	}
	// An edit that keeps the version still changes what evidence cites.
	edited := strings.Replace(string(data), "description:", "# reviewed\ndescription:", 1)
	c, err := Parse([]byte(edited), "edited.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != a.Version || c.Ref() == ref {
		t.Errorf("edited file: version %q, ref %v; want the same version and another ref than %v", c.Version, c.Ref(), ref)
	}
	// So does an allow entry added in memory.
	d := a.WithAllow(AllowEntry{Phrase: "少年宫公益课", Site: "example.org"})
	if d.Ref() == ref || d.Digest == "" {
		t.Errorf("WithAllow kept ref %v (digest %q)", d.Ref(), d.Digest)
	}
	if a.Ref() != ref {
		t.Errorf("WithAllow changed the original's ref to %v", a.Ref())
	}
	// A lexicon built in code has no file to name.
	if got := (&Lexicon{Name: "x", Version: "1"}).Ref().Version; got != "1" {
		t.Errorf("code-built lexicon: version %q, want 1", got)
	}
}
