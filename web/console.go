package web

import (
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"adscan"
)

// categoryNames are the categories as the console shows them (the
// lexicon's titles are longer; these fit a table cell).
var categoryNames = map[adscan.Category]string{
	adscan.CategoryTutoringAd:            "学科类培训广告",
	adscan.CategoryRanking:               "宣传分数排名",
	adscan.CategoryEliteAdmission:        "宣传名校录取",
	adscan.CategoryAdvanceTeaching:       "超标超前培训",
	adscan.CategoryHolidayTraining:       "节假日学科培训",
	adscan.CategoryLateHours:             "夜间培训",
	adscan.CategoryLoanInducement:        "诱导贷款缴费",
	adscan.CategoryTeacherMoonlighting:   "在职教师有偿补课",
	adscan.CategoryForeignCurriculum:     "境外课程",
	adscan.CategoryUnapprovedCompetition: "违规竞赛",
}

// stateNames are the case states as the console shows them.
var stateNames = map[adscan.CaseState]string{
	adscan.CaseOpen:      "待审核",
	adscan.CaseEscalated: "已上报",
	adscan.CaseConfirmed: "已确认",
	adscan.CaseReferred:  "已移送",
	adscan.CaseDismissed: "已驳回",
}

// auditNames are the audit trail's actions as a case page shows them.
var auditNames = map[adscan.AuditAction]string{
	adscan.ActionCaseCreated:     "立案",
	adscan.ActionCaseDecided:     "审核决定",
	adscan.ActionCaseAssigned:    "承办人变更",
	adscan.ActionCaseState:       "状态变更",
	adscan.ActionReferralFailed:  "移送送达失败",
	adscan.ActionReferralRetried: "重新送达",
	adscan.ActionAllowProposed:   "提议例外",
	adscan.ActionAllowApproved:   "例外已批准",
	adscan.ActionAllowRejected:   "例外被驳回",
}

// decisionNames are the reviewer's decisions as the console shows them.
var decisionNames = map[adscan.Decision]string{
	adscan.DecisionConfirm:  "确认违规",
	adscan.DecisionDismiss:  "驳回（误报）",
	adscan.DecisionEscalate: "上报",
}

// fetchErrorNames are why a page failed, as the console shows it.
var fetchErrorNames = map[adscan.FetchErrorKind]string{
	adscan.FetchRefusedAddress:   "拒绝访问内网地址",
	adscan.FetchRobots:           "robots.txt 不允许",
	adscan.FetchRedirectLoop:     "重定向循环",
	adscan.FetchTooManyRedirects: "重定向次数过多",
	adscan.FetchTimeout:          "超时",
	adscan.FetchHTTPStatus:       "服务器错误",
	adscan.FetchDecode:           "无法解码",
	adscan.FetchNetwork:          "网络错误",
	adscan.FetchInvalid:          "无法记录",
	adscan.FetchNoBrowser:        "缺少 Chromium 浏览器",
	adscan.FetchBrowser:          "浏览器崩溃或无响应",
	adscan.FetchOther:            "其他错误",
}

// screenshotErrorNames are why a flagged page has no screenshot, as the
// console shows it (the worker's own words follow, for the record).
var screenshotErrorNames = map[adscan.ScreenshotErrorKind]string{
	adscan.ScreenshotNoBrowser:     "抓取节点没有 Chromium 浏览器",
	adscan.ScreenshotOff:           "该抓取节点关闭了普通抓取页面的截图",
	adscan.ScreenshotRobots:        "robots.txt 不允许再次访问该页",
	adscan.ScreenshotBadURL:        "页面网址无法解析",
	adscan.ScreenshotStopped:       "截图前抓取已停止",
	adscan.ScreenshotRenderFailed:  "浏览器渲染页面失败",
	adscan.ScreenshotCaptureFailed: "页面已渲染，但截图失败",
}

// consoleZone is the time zone the console shows times in.
var consoleZone = time.FixedZone("CST", 8*3600)

// consoleTime formats t for the console, in China Standard Time.
func consoleTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(consoleZone).Format("2006-01-02 15:04:05")
}

// segment is a run of a captured text: marked runs are evidence, with the
// categories whose evidence covers them. Templates print Text escaped.
type segment struct {
	Text string
	Mark bool
	Cats []adscan.Category
	ID   string // an anchor for the first run of each evidence span
}

// span is one evidence span to mark: byte offsets into the text.
type span struct {
	Start, End int
	Cat        adscan.Category
}

// highlight splits text into runs, marking the spans. Spans out of range,
// empty, or not on UTF-8 boundaries are skipped (the evidence's offsets
// are the classifier's; a reviewer must never see text cut mid-character).
// Overlapping spans merge into one marked run listing every category.
// It runs in O(n log n) in the number of spans, plus the text's length.
func highlight(text string, spans []span) []segment {
	var ok []span
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End ||
			!boundary(text, s.Start) || !boundary(text, s.End) {
			continue
		}
		ok = append(ok, s)
	}
	sort.Slice(ok, func(a, b int) bool {
		if ok[a].Start != ok[b].Start {
			return ok[a].Start < ok[b].Start
		}
		return ok[a].End > ok[b].End
	})
	var out []segment
	pos := 0
	for i := 0; i < len(ok); {
		start, end := ok[i].Start, ok[i].End
		cats := []adscan.Category{ok[i].Cat}
		j := i + 1
		for ; j < len(ok) && ok[j].Start < end; j++ {
			end = max(end, ok[j].End)
			cats = appendNew(cats, ok[j].Cat)
		}
		if start > pos {
			out = append(out, segment{Text: text[pos:start]})
		}
		out = append(out, segment{Text: text[start:end], Mark: true, Cats: cats})
		pos, i = end, j
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	n := 0
	for i := range out {
		if out[i].Mark {
			n++
			out[i].ID = "ev" + strconv.Itoa(n)
		}
	}
	return out
}

func boundary(s string, i int) bool {
	return i == 0 || i == len(s) || utf8.RuneStart(s[i])
}

func appendNew(cs []adscan.Category, c adscan.Category) []adscan.Category {
	for _, x := range cs {
		if x == c {
			return cs
		}
	}
	return append(cs, c)
}

// consoleMessage is an error's message for the console: its 简体中文 one
// where it has one, else its English one (which names the bad input).
func consoleMessage(err error) string { return adscan.MessageZH(err) }
