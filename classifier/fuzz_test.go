package classifier

import (
	"strings"
	"testing"
	"unicode/utf8"

	"adscan"
)

var fuzzSeeds = []string{
	"",
	"名 校",
	"名*校",
	"名·校",
	"名\u200b校",
	"錄取 名校３８人",
	"今年录取三十八人，录取率百分之九十一",
	"喜报：今年我校学员共有３８人考入名 * 校，欢迎咨询。",
	"他是我校著名校友。学习十八大精神。",
	"晚班：每晚１９：３０－２１：５０上课",
	"ＶＩＰ数学\xff\xfe课程",
	"百分之百分之一二三四五六七八九十百千万亿两",
	"\u200b\u200b\u200b",
	"a · b * c",
}

// FuzzNormalize checks the offset map of normalisation and of the numeric
// view: every normalised rune maps inside the original, in order, on
// character boundaries of valid input, and is the normalisation of what it
// maps to; normalising twice changes nothing more; and unchanged text maps
// to itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	n := testNormalizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		norm, m := n.normalize(s)
		checkMap(t, s, norm, m)
		if norm != "" {
			if a, b := m.span(0, len(norm)); a < 0 || b > len(s) || a > b {
				t.Fatalf("whole span [%d,%d) of %q outside %q", a, b, norm, s)
			}
		}
		// Round trip: each normalised rune is the normalisation of the
		// original text it maps to.
		for i := 0; i < len(norm) && utf8.ValidString(s); {
			_, size := utf8.DecodeRuneInString(norm[i:])
			a, b := m.span(i, i+size)
			if back, _ := n.normalize(s[a:b]); back != norm[i:i+size] {
				t.Fatalf("rune %q at %d maps to %q, which normalises to %q", norm[i:i+size], i, s[a:b], back)
			}
			i += size
		}
		if again, _ := n.normalize(norm); again != norm && utf8.ValidString(s) {
			t.Fatalf("normalize is not idempotent: %q → %q → %q", s, norm, again)
		}
		if norm == s {
			for i := 0; i < len(s); {
				_, size := utf8.DecodeRuneInString(s[i:])
				if a, b := m.span(i, i+size); a != i || b != i+size {
					t.Fatalf("unchanged text: [%d,%d) maps to [%d,%d)", i, i+size, a, b)
				}
				i += size
			}
		}
		num, nm := numericView(norm)
		checkMap(t, norm, num, nm)
		for _, sp := range numberSpans(num) {
			a, b := nm.span(sp[0], sp[1])
			if a < 0 || b > len(norm) || a >= b {
				t.Fatalf("number %q maps to [%d,%d) outside %q", num[sp[0]:sp[1]], a, b, norm)
			}
		}
	})
}

// FuzzClassify checks that classification never panics and that every
// evidence span lies inside the text and is the text it says.
func FuzzClassify(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add(strings.Repeat("三年级奥数班火热招生，", 50))
	c := mustTestClassifier(f)
	d := mustDefaultClassifier(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, cl := range []*Classifier{c, d} {
			res := cl.Classify(adscan.Document{Text: s, Site: "example.org"})
			checkResult(t, s, res)
		}
	})
}
