package classifier

import (
	"regexp"
	"strings"
	"unicode"

	"adscan/classifier/voice"
)

// Page features of the voice model: things a provider's page has (phone
// numbers, prices, times of classes) or a report has (dates, questions),
// counted in the normalised text and named with a leading #.
var pageFeatures = []struct {
	name string
	re   *regexp.Regexp
}{
	{"#phone", regexp.MustCompile(`(?:^|[^0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}|400-?[0-9]{3}-?[0-9]{4})(?:[^0-9]|$)`)},
	{"#price", regexp.MustCompile(`[0-9]+(?:\.[0-9]+)? ?(?:元|块)|¥ ?[0-9]`)},
	{"#date", regexp.MustCompile(`(?:19|20)[0-9]{2}(?:年[0-9]{1,2}月(?:[0-9]{1,2}日)?|-[0-9]{1,2}-[0-9]{1,2})`)},
	{"#clock", regexp.MustCompile(`[0-9]{1,2}:[0-9]{2}`)},
	{"#percent", regexp.MustCompile(`[0-9]+(?:\.[0-9]+)?%`)},
	{"#score", regexp.MustCompile(`[0-9]{2,3}分`)},
	{"#rank", regexp.MustCompile(`(?:第|前)[0-9]+名`)},
	{"#question", regexp.MustCompile(`\?`)},
	{"#url", regexp.MustCompile(`https?://|www\.`)},
	// Cues of who is speaking, pooled so that a few hundred pages teach
	// them: the words themselves are rare, the kind of speech is not.
	{"#we", regexp.MustCompile(`我们的|我校|本校|本中心|本机构|我机构|我司|本公司|我们学校|我们机构|我们老师|我们中心|本学校|本班|我们的老师|我们团队|本课程`)},
	{"#cta", regexp.MustCompile(`欢迎|报名|咨询|试听|预约|来电|扫码|加微信|添加微信|立即|抢购|限时|名额|领取|体验课|速来|从速|热线`)},
	{"#contact", regexp.MustCompile(`电话|热线|微信|qq|地址|校区|联系方式|联系我们|官网|公众号`)},
	{"#offer", regexp.MustCompile(`课程|班型|课时|开班|开课|上课时间|招生|学费|收费|课表|授课|教学|师资|小班|一对一|1对1`)},
	{"#brand", regexp.MustCompile(`\p{Han}{2,4}(?:教育|培训学校|培训中心|辅导中心|学习中心|课堂|网校|家教网|学堂|补习社|补习班)`)},
	{"#report", regexp.MustCompile(`记者|报道|据悉|据了解|通讯员|日电|新闻|采访|调查|曝光|消息|本报|讯`)},
	{"#gov", regexp.MustCompile(`教育局|教育部|主管部门|有关部门|通知|严禁|禁止|查处|治理|监管|规定|政策|整改|执法|双减|文件`)},
	{"#discuss", regexp.MustCompile(`请问|网友|家长们|宝妈|我家|孩子他|大家|回答|提问|评论|楼主|吐槽|纠结|求助`)},
	{"#story", regexp.MustCompile(`他说|她说|说道|笑着|看着|心里|突然|第.章`)},
	{"#advice", regexp.MustCompile(`建议|应该|如何|怎么|方法|技巧|注意|要不要|是否|哪些`)},
}

// maxVoiceBytes bounds the text the voice features are taken from.
const maxVoiceBytes = 64 << 10

// voiceBag returns the voice features of a text that is already
// normalised (so pinyin glosses are gone and traditional characters
// folded): its gse words (punctuation, spaces and numbers left out;
// digits are in the page features) and the page features.
func (s *Segmenter) voiceBag(norm string) voice.Bag {
	if len(norm) > maxVoiceBytes {
		norm = norm[:runeStartAtOrBefore(norm, maxVoiceBytes)]
	}
	bag := voice.Bag{}
	for _, f := range pageFeatures {
		if n := len(f.re.FindAllStringIndex(norm, -1)); n > 0 {
			bag[f.name] = n
		}
	}
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

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Han, r) }

// VoiceBag returns the voice model's features of a text as the classifier
// computes them: the text is normalised (full width, traditional
// characters, case) and cut into words with the shared gse segmenter. The
// corpus tools use it to make the committed feature counts.
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
