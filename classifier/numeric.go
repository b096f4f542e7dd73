package classifier

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// numView is the numeric view of norm[base:base+len(text)], with the
// counts, rates, scores and ranks in it (countSpans) in norm coordinates.
type numView struct {
	base   int
	text   string
	m      spanMap
	counts []span
}

// maxCachedNumericBytes bounds the sentence text whose numeric views a
// huge document keeps.
const maxCachedNumericBytes = 16 << 20

// wholeNumeric returns the numeric view of the whole normalised text, built
// on first use (for patterns without required literals). Its counts are
// not worked out.
func (n *normText) wholeNumeric() *numView {
	if n.whole == nil {
		text, m := numericView(n.norm)
		n.whole = &numView{base: 0, text: text, m: m}
	}
	return n.whole
}

// sentenceNumeric returns the numeric view of the sentence norm[lo:hi].
func (n *normText) sentenceNumeric(lo, hi int) *numView {
	if v, ok := n.sentNum[span{lo, hi}]; ok {
		return v
	}
	if n.sentNum == nil || n.sentNumBytes >= maxCachedNumericBytes {
		n.sentNum = map[span]*numView{}
		n.sentNumBytes = 0
	}
	text, m := numericView(n.norm[lo:hi])
	v := &numView{base: lo, text: text, m: m}
	for _, c := range countSpans(text) {
		s, e := m.span(c[0], c[1])
		v.counts = append(v.counts, span{lo + s, lo + e})
	}
	n.sentNum[span{lo, hi}] = v
	n.sentNumBytes += hi - lo + 64
	return v
}

// countsNear returns the counts, rates, scores and ranks (countSpans; in
// norm coordinates) of the sentences that may lie within window runes of
// [lo, hi).
func (n *normText) countsNear(lo, hi, window int) []span {
	reach := 4*window + 4
	from, to := lo-reach, hi+reach
	var out []span
	for p := max(0, from); p < len(n.norm) && p <= to; {
		sLo, sHi := n.sentence(p)
		nums := n.sentenceNumeric(sLo, sHi).counts
		a := sort.Search(len(nums), func(k int) bool { return nums[k].end >= from })
		b := sort.Search(len(nums), func(k int) bool { return nums[k].start > to })
		if a < b {
			out = append(out, nums[a:b]...)
		}
		p = sHi
	}
	return out
}

// numericView rewrites Chinese numerals in the normalised text as Arabic
// numbers (三十八 → 38, 十二 → 12, 二〇二一 → 2021, 两 → 2 before a measure
// word, 百分之九十一 → 91%), so rule patterns such as 录取\d+人 match
// 录取三十八人. Everything else is copied. The map leads back to norm.
//
// A numeral of one character is read as a number only before a measure
// word or unit (三人, 两个, 九点), so that words such as 一起, 统一 and 万一
// stay words. The output of a rewrite consists of ASCII digits and % only,
// which the prefilter relies on.
func numericView(norm string) (string, spanMap) {
	first := strings.IndexFunc(norm, isNumeralRune)
	if first < 0 {
		return norm, identityMap(len(norm))
	}
	var out []byte
	mb := newMapBuilder(len(norm))
	out = append(out, norm[:first]...)
	mb.copied(0, 0, first)
	for i := first; i < len(norm); {
		if j, text, ok := readNumber(norm, i); ok {
			mb.replaced(len(out), i, j)
			out = append(out, text...)
			i = j
			continue
		}
		_, size := utf8.DecodeRuneInString(norm[i:])
		mb.copied(len(out), i, size)
		out = append(out, norm[i:i+size]...)
		i += size
	}
	return string(out), mb.done(len(out))
}

// readNumber reads a Chinese numeral (or a 百分之 percentage) at s[i:] and
// returns where it ends and its Arabic form.
func readNumber(s string, i int) (int, string, bool) {
	if strings.HasPrefix(s[i:], "百分之") {
		k := i + len("百分之")
		if j, text, ok := readNumber(s, k); ok {
			return j, text + "%", true
		}
		if j := digitsEnd(s, k); j > k {
			return j, s[k:j] + "%", true
		}
		if strings.HasPrefix(s[k:], "百") { // 百分之百
			return k + len("百"), "100%", true
		}
		return 0, "", false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if _, ok := digitValue(r); !ok && r != '十' {
		return 0, "", false // a run must start with a digit or 十 (not 万一, 千万)
	}
	var runes []rune
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isNumeralRune(r) {
			break
		}
		runes = append(runes, r)
		j += size
	}
	if len(runes) == 1 {
		next, _ := utf8.DecodeRuneInString(s[j:])
		if j >= len(s) || !isMeasure(next) {
			return 0, "", false
		}
	}
	v, ok := numeralValue(runes)
	if !ok {
		return 0, "", false
	}
	return j, v, true
}

// numeralValue reads a run of numeral characters: digit by digit when it has
// no unit (二〇二一), positionally otherwise (三十八, 一百零五, 两千).
func numeralValue(runes []rune) (string, bool) {
	hasUnit := false
	for _, r := range runes {
		if _, ok := unitValue(r); ok {
			hasUnit = true
			break
		}
	}
	if !hasUnit {
		var b strings.Builder
		for _, r := range runes {
			d, _ := digitValue(r)
			b.WriteByte(byte('0' + d))
		}
		return b.String(), true
	}
	const limit = 1 << 53
	var total, section, digit int64
	for _, r := range runes {
		if d, ok := digitValue(r); ok {
			digit = int64(d)
			continue
		}
		u, _ := unitValue(r)
		switch {
		case u >= 10000:
			section = (section + digit) * u
			total += section
			section, digit = 0, 0
		default:
			if digit == 0 {
				digit = 1 // 十二: an initial 十 is 一十
			}
			section += digit * u
			digit = 0
		}
		if total > limit || section > limit {
			return "", false
		}
	}
	return strconv.FormatInt(total+section+digit, 10), true
}

func digitValue(r rune) (int, bool) {
	switch r {
	case '零', '〇':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

func unitValue(r rune) (int64, bool) {
	switch r {
	case '十':
		return 10, true
	case '百':
		return 100, true
	case '千':
		return 1000, true
	case '万':
		return 10000, true
	case '亿':
		return 100000000, true
	}
	return 0, false
}

func isNumeralRune(r rune) bool {
	if _, ok := digitValue(r); ok {
		return true
	}
	_, ok := unitValue(r)
	return ok
}

// isMeasure reports whether r is a measure word or unit after which a
// single numeral character counts (三人, 两个, 九点, 五年级).
func isMeasure(r rune) bool {
	return strings.ContainsRune("个人名位次年月日号天周岁分秒点时小所届门科节课期班元块倍成级项本册张场轮批组套家句篇道题%", r)
}

// digitsEnd returns the end of the run of ASCII digits at s[i:].
func digitsEnd(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// numberSpans returns the spans of the numbers (ASCII digits, optionally
// with a decimal part and %) in the numeric view.
func numberSpans(num string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(num); {
		if num[i] < '0' || num[i] > '9' {
			i++
			continue
		}
		j := digitsEnd(num, i)
		if j+1 < len(num) && num[j] == '.' && num[j+1] >= '0' && num[j+1] <= '9' {
			j = digitsEnd(num, j+1)
		}
		if j < len(num) && num[j] == '%' {
			j++
		}
		spans = append(spans, [2]int{i, j})
		i = j
	}
	return spans
}

// countSpans returns the spans of the numbers in the numeric view that state
// a count, rate, score or rank — what a rule's Number asks for: a number
// followed (spaces allowed) by 人, 名, 位, 个, 席, 项, 枚, 所, 次 or 分, or
// with a %, or preceded by 第 (38人, 12名学员, 91%, 700分, 第2). Ordinals of
// grades and dates (5年级, 2026年, 7月) are not counts, nor are durations
// (3个月, 45分钟) or prices.
func countSpans(num string) [][2]int {
	var out [][2]int
	for _, sp := range numberSpans(num) {
		if isCount(num, sp[0], sp[1]) {
			out = append(out, sp)
		}
	}
	return out
}

// isCount reports whether the number num[s:e] is a count, rate, score or
// rank (see countSpans).
func isCount(num string, s, e int) bool {
	if num[e-1] == '%' || strings.HasSuffix(num[:s], "第") {
		return true
	}
	rest := strings.TrimLeft(num[e:], " ")
	r, size := utf8.DecodeRuneInString(rest)
	switch r {
	case '人', '名', '位', '席', '项', '枚', '所', '次':
		return true
	case '个':
		return !strings.HasPrefix(rest[size:], "月")
	case '分':
		return !strings.HasPrefix(rest[size:], "钟") && !strings.HasPrefix(rest[size:], "之")
	}
	return false
}
