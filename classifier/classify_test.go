package classifier

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"adscan"
	"adscan/lexicon"
)

// testClassifier compiles testdata/testlex.yaml once per test binary.
var testClassifier = sync.OnceValues(func() (*Classifier, error) {
	data, err := os.ReadFile("testdata/testlex.yaml")
	if err != nil {
		return nil, err
	}
	var lex lexicon.Lexicon
	if err := yaml.Unmarshal(data, &lex); err != nil {
		return nil, err
	}
	c, err := New(&lex)
	if err != nil {
		return nil, err
	}
	// Rules alone: these tests pin the lexicon semantics on single
	// sentences, which are too short for the voice model to judge.
	return c.WithVoice(nil), nil
})

func mustTestClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := testClassifier()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkResult checks the invariants every result keeps.
func checkResult(t testing.TB, text string, res adscan.Result) {
	t.Helper()
	if res.Flags == nil {
		t.Fatalf("Flags is nil, want an empty slice")
	}
	for _, f := range res.Flags {
		if len(f.Evidence) == 0 || len(f.Evidence) > maxEvidence {
			t.Fatalf("flag %s has %d evidence spans", f.Category, len(f.Evidence))
		}
		for _, ev := range f.Evidence {
			if ev.Start < 0 || ev.End > len(text) || ev.Start >= ev.End {
				t.Fatalf("evidence [%d,%d) outside the text (%d bytes)", ev.Start, ev.End, len(text))
			}
			if text[ev.Start:ev.End] != ev.Text {
				t.Fatalf("evidence text %q != text[%d:%d] %q", ev.Text, ev.Start, ev.End, text[ev.Start:ev.End])
			}
			if utf8.ValidString(text) && !utf8.ValidString(ev.Text) {
				t.Fatalf("evidence %q does not start and end on character boundaries", ev.Text)
			}
			near := text[max(0, ev.Start-4*snippetRunes):min(len(text), ev.End+4*snippetRunes)]
			if !strings.Contains(strings.Map(unbreak, near), strings.Map(unbreak, ev.Snippet)) || !strings.Contains(ev.Snippet, strings.Map(unbreak, ev.Text)) {
				t.Fatalf("snippet %q does not hold %q", ev.Snippet, ev.Text)
			}
		}
	}
}

func unbreak(r rune) rune {
	if r == '\n' || r == '\r' || r == '\t' {
		return ' '
	}
	return r
}

func categories(res adscan.Result) []string {
	var out []string
	for _, c := range res.Categories() {
		out = append(out, string(c))
	}
	return out
}

func TestClassify(t *testing.T) {
	c := mustTestClassifier(t)
	tests := []struct {
		name string
		text string
		site string
		want []string
	}{
		{"elite admission", "喜报：今年我校学员共有38人考入名校，欢迎咨询。", "", []string{"elite_admission"}},
		{"chinese numerals", "今年录取三十八人，其中考入名校十二人。", "", []string{"elite_admission"}},
		{"evasion", "今年我校学员共有38人考入名 * 校。", "", []string{"elite_admission"}},
		{"zero width evasion", "今年我校学员共有38人考入名\u200b校。", "", []string{"elite_admission"}},
		{"traditional", "今年我校學員共有３８人錄取 名校。", "", []string{"elite_admission"}},
		{"no number", "我们帮助学员考入名校。", "", nil},
		{"a grade is not a count", "五年级学员考入名校。", "", nil},
		{"a year is not a count", "2026年学员考入名校。", "", nil},
		{"a rate is a count", "学员考入名校比例达91%。", "", []string{"elite_admission"}},
		{"a rank is a count", "学员考入名校，全区第3。", "", []string{"elite_admission"}},
		{"alumni", "他是我校著名校友，2019年考入北京大学。", "", nil},
		{"congress", "学习十八大精神，30名党员考上研究生。", "", nil},
		{"elite word in 八大", "今年35人考入八大院校之一。", "", []string{"elite_admission"}},
		{"news suppressed", "记者调查发现，该机构宣称38人考入名校。", "", nil},
		{"prohibition suppressed", "严禁宣传38人考入名校等内容。", "", nil},
		{"window suppressor near", "禁止宣传38人考入名校。", "", nil},
		{"window suppressor far", "禁止吸烟，请遵守规定。今年我校学员共有38人考入名校。", "", []string{"elite_admission"}},
		{"too far apart", "今年有38人考入" + strings.Repeat("好", 60) + "名校", "", nil},
		{"pattern", "今年录取38人。", "", nil}, // 0.5 < 0.6
		{"pattern twice", "今年录取38人。去年录取40人。", "", []string{"elite_admission"}},
		{"pattern with group", "数学竞赛获得全区第1名。", "", []string{"ranking"}},
		{"pattern without group", "跑步比赛获得全区第1名。", "", nil},
		{"category suppressor", "高考数学第1名。", "", nil},
		{"tutoring", "小学数学火热招生中", "", []string{"tutoring_ad"}},
		{"tutoring prefix word", "三年级奥数班火热招生", "", []string{"tutoring_ad"}},
		{"tutoring without grade", "数学火热招生中", "", nil},
		{"ascii boundary", "VIP数学课程", "", nil}, // 0.4 < 0.7
		{"arts excluded", "小学美术、舞蹈火热招生，另有数学", "", []string{"tutoring_ad"}},
		{"arts only", "小学美术舞蹈钢琴班火热招生", "", nil},
		{"allow on site", "少年宫公益课：小学数学火热招生", "www.example.org", nil},
		{"allow other site", "少年宫公益课：小学数学火热招生", "example.com", []string{"tutoring_ad"}},
		{"allow site with port", "少年宫公益课：小学数学火热招生", "Example.org:8080", nil},
		{"allow not a subdomain", "少年宫公益课：小学数学火热招生", "badexample.org", []string{"tutoring_ad"}},
		{"local exclusion near", "篮球足球特长生：今年我校学员共有38人考入名校。", "", nil},
		{"local exclusion far", "篮球足球课程介绍。" + strings.Repeat("好", 40) + "。今年我校学员共有38人考入名校。", "", []string{"elite_admission"}},
		{"local exclusion counts only near terms", "篮球" + strings.Repeat("好", 40) + "。足球特长生：今年我校学员共有38人考入名校。", "", []string{"elite_admission"}},
		{"late hours", "晚班：每晚19:30-21:50上课", "", []string{"late_hours"}},
		{"late hours full width", "晚班：每晚１９：３０－２１：５０上课", "", []string{"late_hours"}},
		{"empty", "", "", nil},
		{"clean", "今天天气很好，我们去公园散步。", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Classify(adscan.Document{Source: "t", Site: tt.site, Text: tt.text})
			checkResult(t, tt.text, res)
			if got := categories(res); !slices.Equal(got, tt.want) {
				t.Fatalf("Classify(%q) = %v, want %v (%+v)", tt.text, got, tt.want, res.Flags)
			}
			if res.Lexicon != (adscan.LexiconRef{Name: "test", Version: "1"}) {
				t.Fatalf("Lexicon = %+v", res.Lexicon)
			}
		})
	}
}

func TestClassifyEvidence(t *testing.T) {
	c := mustTestClassifier(t)
	text := "喜报：今年我校学员共有３８人考入名 校，欢迎咨询。"
	res := c.Classify(adscan.Document{Text: text})
	if len(res.Flags) != 1 {
		t.Fatalf("flags = %+v", res.Flags)
	}
	f := res.Flags[0]
	if f.Score != 0.9 || f.Basis != "（十七）" {
		t.Errorf("flag = %+v", f)
	}
	ev := f.Evidence[0]
	if ev.Text != "３８人考入名 校" || ev.Rule != "elite-admit-number" {
		t.Errorf("evidence = %+v", ev)
	}
	if ev.Snippet != text {
		t.Errorf("snippet = %q, want the whole short text", ev.Snippet)
	}
}

func TestEvidenceMergesOverlappingHits(t *testing.T) {
	c := mustTestClassifier(t)
	text := "火热招生：小学数学、英语、奥数"
	res := c.Classify(adscan.Document{Text: text})
	checkResult(t, text, res)
	if len(res.Flags) != 1 {
		t.Fatalf("flags = %+v", res.Flags)
	}
	var got []string
	for _, ev := range res.Flags[0].Evidence {
		got = append(got, ev.Text+"["+ev.Rule+"]")
	}
	if want := []string{"招生：小学数学、英语、奥数[subject-enrol]"}; !slices.Equal(got, want) {
		t.Errorf("evidence = %q, want %q", got, want)
	}
}

func TestScore(t *testing.T) {
	c := mustTestClassifier(t)
	// Three hits of one 0.5 rule: 1-(1-0.5)(1-0.25) = 0.625; the third is not counted.
	text := "今年录取38人。去年录取40人。前年录取41人。"
	res := c.Classify(adscan.Document{Text: text})
	if len(res.Flags) != 1 || res.Flags[0].Score != 0.625 || len(res.Flags[0].Evidence) != 3 {
		t.Fatalf("flags = %+v", res.Flags)
	}
}

func TestWordBoundaries(t *testing.T) {
	c := mustTestClassifier(t)
	for _, tt := range []struct {
		text, term string
		want       bool
	}{
		{"他是著名校友", "名校", false},
		{"考入名校", "名校", true},
		{"名校长讲话", "名校", false},
		{"十八大代表", "八大", false},
		{"奥数班火热招生", "奥数", true},
		{"暑期集训营火热招生", "暑期集训", true},
		{"北京大学", "大学", true},
		{"vip课程", "vip", true},
		{"vipx课程", "vip", false},
	} {
		text := c.normalizeText(tt.text)
		w := c.segment(text, c.findCandidates(text))
		i := strings.Index(text.norm, tt.term)
		_, _, starts := w.region(i, i+len(tt.term))
		if got := w.boundaryOK(starts, i, i+len(tt.term)); got != tt.want {
			t.Errorf("boundaryOK(%q in %q) = %v, want %v (words %v)", tt.term, tt.text, got, tt.want, c.seg.Cut(tt.text))
		}
	}
}

func TestNewErrors(t *testing.T) {
	base := func() *lexicon.Lexicon {
		return &lexicon.Lexicon{
			Name: "x", Version: "1",
			Categories: []lexicon.Category{{ID: adscan.CategoryRanking, Threshold: 0.5}},
			Groups:     []lexicon.Group{{ID: "g", Terms: []string{"排名"}}},
			Rules:      []lexicon.Rule{{ID: "r", Category: adscan.CategoryRanking, All: []string{"g"}, Weight: 0.5}},
		}
	}
	if _, err := New(base()); err != nil {
		t.Fatalf("base lexicon: %v", err)
	}
	tests := []struct {
		name string
		edit func(*lexicon.Lexicon)
		want string
	}{
		{"nil", nil, "no lexicon"},
		{"bad regex", func(l *lexicon.Lexicon) { l.Rules[0].Pattern = "录取(" }, `rule "r": pattern`},
		{"missing group", func(l *lexicon.Lexicon) { l.Rules[0].All = []string{"nope"} }, `rule "r": no group "nope"`},
		{"undeclared category", func(l *lexicon.Lexicon) { l.Rules[0].Category = adscan.CategoryLateHours }, `rule "r": category "late_hours" is not declared`},
		{"empty term", func(l *lexicon.Lexicon) { l.Groups[0].Terms = []string{" \u200b "} }, `group "g": term`},
		{"bad weight", func(l *lexicon.Lexicon) { l.Rules[0].Weight = 1.5 }, `rule "r": weight`},
		{"bad threshold", func(l *lexicon.Lexicon) { l.Categories[0].Threshold = 0 }, "threshold"},
		{"unknown category", func(l *lexicon.Lexicon) { l.Categories[0].ID = "ads" }, "unknown category"},
		{"empty rule", func(l *lexicon.Lexicon) { l.Rules[0].All = nil }, "needs all, any or pattern"},
		{"duplicate rule", func(l *lexicon.Lexicon) { l.Rules = append(l.Rules, l.Rules[0]) }, "declared twice"},
		{"unless group", func(l *lexicon.Lexicon) {
			l.Exclusions = []lexicon.Exclusion{{ID: "e", Terms: []string{"美术"}, Unless: []string{"nope"}}}
		}, `exclusion "e": unless: no group "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lex *lexicon.Lexicon
			if tt.edit != nil {
				lex = base()
				tt.edit(lex)
			}
			_, err := New(lex)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestConcurrent classifies from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	c := mustTestClassifier(t)
	texts := []string{
		"喜报：今年我校学员共有38人考入名校，欢迎咨询。",
		"小学数学火热招生中",
		"他是我校著名校友。",
		"晚班：每晚19:30-21:50上课",
	}
	want := make([][]string, len(texts))
	for i, s := range texts {
		want[i] = categories(c.Classify(adscan.Document{Text: s}))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				i := (g + k) % len(texts)
				if got := categories(c.Classify(adscan.Document{Text: texts[i]})); !slices.Equal(got, want[i]) {
					t.Errorf("concurrent Classify(%q) = %v, want %v", texts[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestHugeDocuments classifies large and pathological texts: one long
// line, one term repeated millions of times, dense ad text. They must
// finish and keep the evidence invariants.
func TestHugeDocuments(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large single-goroutine inputs: not with -short or -race")
	}
	c := mustDefaultClassifier(t)
	ad := "三年级奥数寒假班火热招生，今年我校学员共有３８人考入名 校，每晚19:30-21:50上课，0首付分期。"
	tests := map[string]string{
		"repeated ad":         strings.Repeat(ad+"\n", 10000),
		"one line":            strings.Repeat(ad, 10000),
		"one term":            strings.Repeat("名校", 1_000_000) + "录取",
		"no delimiters":       strings.Repeat("数学", 1_000_000) + "火热招生",
		"separators":          strings.Repeat("名 * 校 · ", 500_000),
		"numerals":            strings.Repeat("一二三四五六七八九十百千万亿两", 200_000),
		"zero width":          strings.Repeat("\u200b", 1_000_000),
		"invalid utf-8 bytes": strings.Repeat("录取\xff38人\xfe", 200_000),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			res := c.Classify(adscan.Document{Text: text})
			checkResult(t, text, res)
		})
	}
}
