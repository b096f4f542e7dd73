package classifier

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func testNormalizer(t testing.TB) *normalizer {
	t.Helper()
	n, err := sharedNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNormalize(t *testing.T) {
	n := testNormalizer(t)
	tests := []struct {
		name, in, want string
	}{
		{"plain", "今年录取名校", "今年录取名校"},
		{"space", "名 校", "名校"},
		{"star", "名*校", "名校"},
		{"middle dot", "名·校", "名校"},
		{"zero width", "名\u200b校", "名校"},
		{"ideographic space", "名\u3000校", "名校"},
		{"full-width star", "名＊校", "名校"},
		{"mixed run", "名 *\u200b校", "名校"},
		{"run too long", "名    校", "名    校"},
		{"not between Hanzi", "a b 校", "a b 校"},
		{"separator before ASCII", "校 abc", "校 abc"},
		{"newline kept", "名\n校", "名\n校"},
		{"traditional", "錄取 名校", "录取名校"},
		{"traditional phrase", "補習班數學", "补习班数学"},
		{"simplified kept", "著名校友", "著名校友"},
		{"full-width digits", "３８人", "38人"},
		{"full-width letters", "ＡＢＣ课程", "abc课程"},
		{"ascii lower", "VIP一对一", "vip一对一"},
		{"zero width anywhere", "a\u200bb", "ab"},
		{"full-width punctuation", "报名！电话：１２３", "报名!电话:123"},
		{"invalid utf8", "名\xff校", "名\xff校"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, m := n.normalize(tt.in)
			if got != tt.want {
				t.Fatalf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkMap(t, tt.in, got, m)
		})
	}
}

// checkMap checks that every rune of the normalised text maps inside the
// original, on character boundaries (for valid input), and never before the
// span of the rune before it.
func checkMap(t testing.TB, orig, norm string, m spanMap) {
	t.Helper()
	prevStart := 0
	for i := 0; i < len(norm); {
		_, size := utf8.DecodeRuneInString(norm[i:])
		s, e := m.span(i, i+size)
		if s < 0 || e > len(orig) || s >= e {
			t.Fatalf("rune at %d of %q maps to [%d,%d) outside %q", i, norm, s, e, orig)
		}
		if s < prevStart {
			t.Fatalf("rune at %d of %q maps to [%d,%d), before the previous rune's start %d", i, norm, s, e, prevStart)
		}
		if utf8.ValidString(orig) && !utf8.ValidString(orig[s:e]) {
			t.Fatalf("rune at %d of %q maps to [%d,%d), not on character boundaries of %q", i, norm, s, e, orig)
		}
		prevStart = s
		i += size
	}
}

func TestNormalizeOffsets(t *testing.T) {
	n := testNormalizer(t)
	tests := []struct {
		in       string
		find     string // in the normalised text
		wantOrig string // the original text it maps to
	}{
		{"请联系：名 校冲刺班", "名校", "名 校"},
		{"请联系：名*校冲刺班", "冲刺班", "冲刺班"},
		{"錄取 名校３８人", "录取名校", "錄取 名校"},
		{"錄取 名校３８人", "38人", "３８人"},
		{"錄取 名校３８人", "8", "８"},
		{"ＡＢＣ\u200b课程", "abc课程", "ＡＢＣ\u200b课程"},
		{"名\u200b校友", "名校", "名\u200b校"},
		{"abc名·校def", "def", "def"},
	}
	for _, tt := range tests {
		norm, m := n.normalize(tt.in)
		i := strings.Index(norm, tt.find)
		if i < 0 {
			t.Fatalf("normalize(%q) = %q has no %q", tt.in, norm, tt.find)
		}
		s, e := m.span(i, i+len(tt.find))
		if got := tt.in[s:e]; got != tt.wantOrig {
			t.Errorf("normalize(%q): %q maps to %q [%d,%d), want %q", tt.in, tt.find, got, s, e, tt.wantOrig)
		}
	}
}

func TestNumericView(t *testing.T) {
	n := testNormalizer(t)
	tests := []struct{ in, want string }{
		{"录取三十八人", "录取38人"},
		{"十二名学员", "12名学员"},
		{"录取率百分之九十一", "录取率91%"},
		{"百分之95的学员", "95%的学员"},
		{"一百零五人", "105人"},
		{"两千元", "2000元"},
		{"两个班", "2个班"},
		{"三万五千", "35000"},
		{"二〇二一年", "2021年"},
		{"九点半下课", "9点半下课"},
		{"我们一起学习", "我们一起学习"},
		{"万一不行", "万一不行"},
		{"千万不要", "千万不要"},
		{"统一考试", "统一考试"},
		{"两者都行", "两者都行"},
		{"３８人", "38人"},
		{"", ""},
	}
	for _, tt := range tests {
		norm, _ := n.normalize(tt.in)
		got, m := numericView(norm)
		if got != tt.want {
			t.Errorf("numericView(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		checkMap(t, norm, got, m)
	}
}

func TestNumericViewOffsets(t *testing.T) {
	norm := "今年录取三十八人，录取率百分之九十一"
	num, m := numericView(norm)
	for _, tt := range []struct{ find, want string }{
		{"38", "三十八"},
		{"38人", "三十八人"},
		{"91%", "百分之九十一"},
		{"录取率", "录取率"},
	} {
		i := strings.Index(num, tt.find)
		s, e := m.span(i, i+len(tt.find))
		if got := norm[s:e]; got != tt.want {
			t.Errorf("%q maps to %q, want %q", tt.find, got, tt.want)
		}
	}
}

func TestNumberSpans(t *testing.T) {
	got := numberSpans("a12b3.5c95%d")
	want := [][2]int{{1, 3}, {4, 7}, {8, 11}}
	if len(got) != len(want) {
		t.Fatalf("numberSpans = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("numberSpans = %v, want %v", got, want)
		}
	}
}

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`录取\d+人`, []string{"录取"}},
		{`\d+名学员`, []string{"名学员"}},
		{`(录取|考入)\d+`, []string{"录取", "考入"}},
		{`录取率\d+%`, []string{"录取率"}},
		{`\d+[人名]`, []string{"人", "名"}},
		{`\d+`, nil},
		{`(?i)VIP课`, []string{"vip课"}},
		{`每晚\s*\d+:\d+-\d+:\d+`, []string{"每晚"}},
		{`(a|.*)b?`, nil},
	}
	for _, tt := range tests {
		got, err := requiredLiterals(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("requiredLiterals(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

func TestCountSpans(t *testing.T) {
	tests := []struct {
		num  string
		want []string
	}{
		{"38人考入", []string{"38"}},
		{"12 名学员", []string{"12"}},
		{"录取率91%", []string{"91%"}},
		{"700分以上", []string{"700"}},
		{"全区第2", []string{"2"}},
		{"一等奖47人次", []string{"47"}},
		{"5年级学完6年级", nil},
		{"2026年7月", nil},
		{"3个月", nil},
		{"每节课45分钟", nil},
		{"学费1980元", nil},
		{"10个班", []string{"10"}},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range countSpans(tt.num) {
			got = append(got, tt.num[sp[0]:sp[1]])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("countSpans(%q) = %q, want %q", tt.num, got, tt.want)
		}
	}
}

// TestNormalizePinyinGloss: pinyin in brackets after each character, as
// content farms garble text (學(xué)習(xí)補(bǔ)習(xí)班), is taken out like a separator,
// with offsets back into the original; brackets after other text, or
// holding other text, stay.
func TestNormalizePinyinGloss(t *testing.T) {
	n, err := sharedNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"學(xué)習(xí)補(bǔ)習(xí)班報(bào)名": "学习补习班报名",
		"數(shù)學（xué）":                  "数学",
		"小学(一年级)":                       "小学(一年级)",
		"abc(de)":                       "abc(de)",
		"数学(math课)":                     "数学(math课)",
		"学(xuéxiàoo)":                   "学(xuéxiàoo)",
	} {
		got, m := n.normalize(in)
		if got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
			continue
		}
		if s, e := m.span(0, len(got)); s != 0 || e > len(in) {
			t.Errorf("normalize(%q): span maps to [%d,%d)", in, s, e)
		}
	}
}
