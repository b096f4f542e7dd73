package lexicon

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"adscan"
	"gopkg.in/yaml.v3"
)

// roundTrip encodes lex and parses the result. The result's Digest is that
// of the encoding, which is laid out differently from the original file;
// roundTrip gives it lex's, so comparisons are of the rules.
func roundTrip(t *testing.T, lex *Lexicon) *Lexicon {
	t.Helper()
	var buf bytes.Buffer
	if err := lex.Encode(&buf); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	back, err := Parse(buf.Bytes(), "encoded.yaml")
	if err != nil {
		t.Fatalf("Parse(Encode(lex)): %v\n%s", err, buf.String())
	}
	back.Digest = lex.Digest
	return back
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, name := range []string{"small.yaml"} {
		lex, err := Load(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if back := roundTrip(t, lex); !reflect.DeepEqual(back, lex) {
			t.Errorf("%s: round trip changed the lexicon:\n got %+v\nwant %+v", name, back, lex)
		}
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	lex, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if back := roundTrip(t, lex); !reflect.DeepEqual(back, lex) {
		t.Errorf("round trip changed the default lexicon")
	}
}

func TestEncodeFlowLists(t *testing.T) {
	lex, err := Load(filepath.Join("testdata", "small.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := lex.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "terms: [录取, 考入, 升入]") {
		t.Errorf("term lists not on one line:\n%s", buf.String())
	}
	// yaml.Marshal goes through MarshalYAML too.
	out, err := yaml.Marshal(lex)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "all: [admit, elite]") {
		t.Errorf("yaml.Marshal output:\n%s", out)
	}
}

func TestWithAllow(t *testing.T) {
	lex, err := Load(filepath.Join("testdata", "small.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	before := lex.Clone()
	cats := []adscan.Category{adscan.CategoryEliteAdmission}
	e := AllowEntry{Phrase: "历届校友", Site: "school.example.cn", Categories: cats, Note: "case 42 dismissed"}
	got := lex.WithAllow(e)
	cats[0] = adscan.CategoryRanking // the caller's slice must not be shared

	if !reflect.DeepEqual(lex, before) {
		t.Errorf("WithAllow changed the original lexicon")
	}
	if got.Version != lex.Version {
		t.Errorf("WithAllow changed the version to %q", got.Version)
	}
	if n := len(got.Allow); n != len(lex.Allow)+1 {
		t.Fatalf("allow entries = %d", n)
	}
	last := got.Allow[len(got.Allow)-1]
	if last.Phrase != "历届校友" || last.Site != "school.example.cn" || last.Categories[0] != adscan.CategoryEliteAdmission {
		t.Errorf("new entry = %+v", last)
	}
	scratch := got.WithAllow(AllowEntry{Phrase: "x"})
	scratch.Groups[0].Terms[0] = "changed"
	scratch.Rules[0].All[0] = "changed"
	scratch.Exclusions[0].Unless[0] = "changed"
	if got.Groups[0].Terms[0] == "changed" || got.Rules[0].All[0] == "changed" || got.Exclusions[0].Unless[0] == "changed" {
		t.Errorf("the copy shares slices with the original")
	}
	got.Version = "1.1"
	if p := got.Validate(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
	if back := roundTrip(t, got); !reflect.DeepEqual(back, got) {
		t.Errorf("round trip of WithAllow result changed it")
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// encodes to a file it parses back to the same lexicon.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add(defaultYAML)
	if data, err := os.ReadFile(filepath.Join("testdata", "small.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("name: [\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("rules:\n  - pattern: '(('\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lex, err := Parse(data, "fuzz.yaml")
		probs := Check(data, "fuzz.yaml")
		if (err == nil) != (len(probs) == 0) {
			t.Fatalf("Parse err = %v but Check found %d problems", err, len(probs))
		}
		for _, p := range probs {
			if p.Line < 1 || p.Msg == "" {
				t.Fatalf("problem without line or message: %+v", p)
			}
		}
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := lex.Encode(&buf); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		back, err := Parse(buf.Bytes(), "encoded.yaml")
		if err != nil {
			t.Fatalf("Parse(Encode(lex)): %v\n%s", err, buf.String())
		}
		back.Digest = lex.Digest // of the bytes, which differ in layout
		if !reflect.DeepEqual(back, lex) {
			t.Fatalf("round trip changed the lexicon:\n%s", buf.String())
		}
	})
}
