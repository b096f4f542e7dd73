package classifier

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestPrefixLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`(寒假|暑假)\s*班`, []string{"寒假", "暑假"}},
		{`每晚\d+`, []string{"每晚"}},
		{`[一二]等奖`, []string{"一", "二"}},
		{`\d+人`, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
		{`.+人`, nil},
		{`(?i)vip`, nil},
		{`(a|b*)c`, nil},
	}
	for _, tt := range tests {
		got, err := prefixLiterals(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("prefixLiterals(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

// TestAnchoredFind checks that trying a pattern only where its prefixes
// occur finds exactly what scanning the whole text finds, for every rule of
// the default lexicon on every corpus document.
func TestAnchoredFind(t *testing.T) {
	c := mustDefaultClassifier(t)
	paths, _ := filepath.Glob("testdata/corpus/*/*")
	paths = append(paths, "testdata/policy/000_12b959f5d0b6cf98.txt")
	anchored := 0
	for _, path := range paths {
		norm, _ := c.norm.normalize(readDocument(t, path))
		num, _ := numericView(norm)
		for i := range c.rules {
			r := &c.rules[i]
			if r.anchored == nil {
				continue
			}
			anchored++
			want := r.re.FindAllStringIndex(num, maxHitsPerRule)
			got := r.find(num)
			if len(got) != len(want) {
				t.Fatalf("%s on %s: find %v, FindAllStringIndex %v", r.id, path, got, want)
			}
			for k := range got {
				if !slices.Equal(got[k], want[k]) {
					t.Fatalf("%s on %s: find %v, FindAllStringIndex %v", r.id, path, got, want)
				}
			}
		}
	}
	if anchored == 0 {
		t.Fatal("no rule of the default lexicon has prefix literals")
	}
}
