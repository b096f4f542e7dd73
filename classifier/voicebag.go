package classifier

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"

	"adscan/classifier/voice"
)

// Cues of who is speaking, pooled into one page feature each so that a
// few hundred pages teach them: the words themselves are rare, the kind of
// speech is not. Counted as substrings of the normalised text.
var voiceCues = []struct {
	name  string
	words []string
}{
	{"#we", []string{"我们的", "我校", "本校", "本中心", "本机构", "我机构", "我司", "本公司", "我们学校", "我们机构", "我们老师", "我们中心", "本学校", "本班", "我们团队", "本课程"}},
	{"#cta", []string{"欢迎", "报名", "咨询", "试听", "预约", "来电", "扫码", "加微信", "添加微信", "立即", "抢购", "限时", "名额", "领取", "体验课", "速来", "从速", "热线"}},
	{"#contact", []string{"电话", "热线", "微信", "qq", "地址", "校区", "联系方式", "联系我们", "官网", "公众号"}},
	{"#offer", []string{"课程", "班型", "课时", "开班", "开课", "上课时间", "招生", "学费", "收费", "课表", "授课", "教学", "师资", "小班", "一对一", "1对1"}},
	{"#report", []string{"记者", "报道", "据悉", "据了解", "通讯员", "日电", "新闻", "采访", "调查", "曝光", "消息", "本报", "讯"}},
	{"#gov", []string{"教育局", "教育部", "主管部门", "有关部门", "通知", "严禁", "禁止", "查处", "治理", "监管", "规定", "政策", "整改", "执法", "双减", "文件"}},
	{"#discuss", []string{"请问", "网友", "家长们", "宝妈", "我家", "孩子他", "大家", "回答", "提问", "评论", "楼主", "吐槽", "纠结", "求助"}},
	{"#story", []string{"他说", "她说", "说道", "笑着", "看着", "心里", "突然"}},
	{"#advice", []string{"建议", "应该", "如何", "怎么", "方法", "技巧", "注意", "要不要", "是否", "哪些"}},
	{"#url", []string{"http://", "https://", "www."}},
	{"#question", []string{"?"}},
}

// brandSuffixes name an education business when two or more Hanzi stand
// before them (金博教育, 某某补习社): the #brand feature.
var brandSuffixes = []string{"教育", "培训学校", "培训中心", "辅导中心", "学习中心", "课堂", "网校", "家教网", "学堂", "补习社", "补习班"}

// cueMatcher finds every cue word and brand suffix in one pass.
type cueMatcher struct {
	ac    *ahocorasick.Automaton
	names []string // by pattern ID: the feature, or "" for a brand suffix
}

var sharedCueMatcher = sync.OnceValues(func() (*cueMatcher, error) {
	m := &cueMatcher{}
	var pats []string
	for _, c := range voiceCues {
		for _, w := range c.words {
			pats = append(pats, w)
			m.names = append(m.names, c.name)
		}
	}
	for _, w := range brandSuffixes {
		pats = append(pats, w)
		m.names = append(m.names, "")
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(pats).Build()
	if err != nil {
		return nil, err
	}
	m.ac = ac
	return m, nil
})

// maxVoiceBytes bounds the text the voice features are taken from.
const maxVoiceBytes = 64 << 10

// voiceBag returns the voice features of a text that is already
// normalised (so pinyin glosses are gone, traditional characters folded,
// full-width digits and punctuation made ASCII): its gse words
// (punctuation, spaces and numbers left out) and its page features — the
// cues above, and numbers that are phone numbers, prices, dates, clock
// times, percentages, scores or ranks.
func (s *Segmenter) voiceBag(norm string) voice.Bag {
	if len(norm) > maxVoiceBytes {
		norm = norm[:runeStartAtOrBefore(norm, maxVoiceBytes)]
	}
	bag := voice.Bag{}
	if m, err := sharedCueMatcher(); err == nil {
		for _, o := range m.ac.FindAllOverlapping([]byte(norm)) {
			if o.Start > 0 && !utf8.RuneStart(norm[o.Start]) {
				continue
			}
			if name := m.names[o.PatternID]; name != "" {
				bag[name]++
			} else if hanBefore(norm, o.Start, 2) {
				bag["#brand"]++
			}
		}
	}
	numberFeatures(norm, bag)
	for _, seg := range s.seg.Segment([]byte(norm)) {
		w := strings.TrimSpace(seg.Token().Text())
		if !strings.ContainsFunc(w, isWordRune) {
			continue
		}
		if strings.TrimFunc(w, func(r rune) bool { return r < 128 && !unicode.IsLetter(r) }) == "" {
			continue // numbers and ASCII punctuation
		}
		bag[w]++
	}
	return bag
}

// hanBefore reports whether the n runes before offset p are Hanzi.
func hanBefore(s string, p, n int) bool {
	for ; n > 0; n-- {
		r, size := utf8.DecodeLastRuneInString(s[:p])
		if size == 0 || !isHan(r) {
			return false
		}
		p -= size
	}
	return true
}

// numberFeatures counts the runs of ASCII digits of norm by what they are:
// #phone (a mobile number 1[3-9]xxxxxxxxx, or 10-12 digits with hyphens
// starting 0 or 400), #price (before 元 or 块, or after ¥ or ￥), #date
// (19xx/20xx before 年 or -), #clock (h:mm), #percent, #score (2-3 digits
// before 分), #rank (第/前 N 名).
func numberFeatures(norm string, bag voice.Bag) {
	for i := 0; i < len(norm); {
		if !isDigit(norm[i]) {
			i++
			continue
		}
		j := i
		for j < len(norm) && isDigit(norm[j]) {
			j++
		}
		// A phone number may carry hyphens: 0571-88886666, 400-123-4567.
		k, digits := j, j-i
		for k+1 < len(norm) && norm[k] == '-' && isDigit(norm[k+1]) {
			k++
			for k < len(norm) && isDigit(norm[k]) {
				k++
				digits++
			}
		}
		run, after := norm[i:j], norm[j:]
		switch {
		case digits == 11 && run[0] == '1' && len(run) > 1 && run[1] >= '3' || digits >= 10 && digits <= 12 && (run[0] == '0' || strings.HasPrefix(run, "400")):
			bag["#phone"]++
			j = k
		case strings.HasPrefix(after, "元") || strings.HasPrefix(after, "块") || strings.HasSuffix(norm[:i], "¥") || strings.HasSuffix(norm[:i], "￥"):
			bag["#price"]++
		case len(run) == 4 && (run[:2] == "19" || run[:2] == "20") && (strings.HasPrefix(after, "年") || strings.HasPrefix(after, "-")):
			bag["#date"]++
		case len(run) <= 2 && len(after) >= 3 && after[0] == ':' && isDigit(after[1]) && isDigit(after[2]):
			bag["#clock"]++
			j += 3
		case strings.HasPrefix(after, "%"):
			bag["#percent"]++
		case strings.HasPrefix(after, "名") && (strings.HasSuffix(norm[:i], "第") || strings.HasSuffix(norm[:i], "前")):
			bag["#rank"]++
		case len(run) >= 2 && len(run) <= 3 && strings.HasPrefix(after, "分"):
			bag["#score"]++
		}
		i = j
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Han, r) }

// VoiceBag returns the voice model's features of a text as the classifier
// computes them: the text is normalised (full width, traditional
// characters, case, pinyin glosses) and cut into words with the shared gse
// segmenter. The corpus tools use it to make the committed feature counts.
func VoiceBag(text string) (voice.Bag, error) {
	seg, err := SharedSegmenter()
	if err != nil {
		return nil, err
	}
	norm, err := sharedNormalizer()
	if err != nil {
		return nil, err
	}
	n, _ := norm.normalize(text)
	return seg.voiceBag(n), nil
}
