package classifier

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"adscan"
)

// The mixed-page evaluation embeds every labelled document in a long page
// of ordinary text, as crawled pages hold an advert: a portal, a school's
// home page with a news list, a WeChat article with an ad block under an
// essay. The padding comes from the other documents of the corpus, so it is
// full of the words exclusions count (记者, 双减, 教育局, 班主任 …), but it
// holds no group term: a page must be judged by the document it embeds.
const (
	mixedSeed         = 2026
	mixedMinPadBytes  = 3 << 10
	mixedMaxPadBytes  = 15 << 10
	mixedMinPrecision = 0.9
	// mixedMinRecall is lower than minRecall: padding may put a reporting
	// or government passage next to a claim at the edge of a document.
	mixedMinRecall = 0.85
)

// Page furniture: site names, navigation, headlines and footers. Pieces
// holding a group term are not used (see mixedParts).
var (
	mixedSites = []string{"城市生活网", "滨江社区服务中心", "阳光育儿公众号", "第三实验小学", "区融媒体中心", "本地宝便民信息"}
	mixedNavs  = []string{
		"首页 | 新闻中心 | 通知公告 | 便民服务 | 关于我们 | 联系我们",
		"首页 > 资讯 > 正文",
		"网站首页  本站动态  图片新闻  政务公开  互动交流",
		"首页 · 文章 · 专题 · 视频 · 社区",
	}
	mixedHeadlines = []string{
		"社区举办垃圾分类宣传周活动", "市图书馆延长周末开放时间", "地铁三号线新增两个站点", "秋季流感疫苗接种开始预约",
		"老旧小区加装电梯工作推进会召开", "全市开展消防安全大检查", "滨江公园菊花展开幕", "城区部分路段夜间施工公告",
		"志愿者走进敬老院送温暖", "本周天气：多云转晴，气温回升", "医保缴费渠道一览", "公交线路优化调整的说明",
		"春节期间超市营业安排", "居民健身步道建成开放", "二手物品交换集市本周六举行", "食品安全抽检结果公布",
	}
	mixedFooters = []string{
		"地址：滨江区江南大道1288号  电话：0571-87654321  邮编：310051\n版权所有 © 2026  浙ICP备12345678号-1  浙公网安备33010802001234号",
		"联系我们：010-62345678  地址：海淀区中关村南大街5号\n京ICP备09012345号  本站部分内容来自网络，如有侵权请联系删除",
		"主办单位：区融媒体中心  地址：人民路88号  电话：020-83456789\n粤ICP备20201234号  技术支持：本地网络科技有限公司",
	}
)

// mixedParts returns the furniture pieces in which the prefilter finds no
// group term, so that the page around a document adds no words a rule
// needs. (Pattern literals such as 周, 市 or a colon may occur: patterns
// that fire on page furniture are real false positives.)
func mixedParts(c *Classifier, parts []string) []string {
	var out []string
	for _, p := range parts {
		norm, _ := c.norm.normalize(p)
		ok := true
		c.pf.scan(norm, func(o occurrence) {
			for _, ref := range c.pf.refs[o.pattern] {
				ok = ok && ref.kind != kindGroup
			}
		})
		if ok {
			out = append(out, p)
		}
	}
	return out
}

// mixedPage embeds doc in a page: site name, navigation, a list of
// headlines, padding sentences before and after it (mixedMinPadBytes to
// mixedMaxPadBytes in all) and a footer. Padding sentences come from pool.
func mixedPage(rng *rand.Rand, c *Classifier, doc string, pool []string) string {
	pick := func(parts []string) string { return parts[rng.IntN(len(parts))] }
	var b strings.Builder
	b.WriteString(pick(mixedParts(c, mixedSites)) + "\n")
	b.WriteString(pick(mixedParts(c, mixedNavs)) + "\n")
	b.WriteString("最新动态\n")
	heads := mixedParts(c, mixedHeadlines)
	for i, k := range rng.Perm(len(heads))[:min(len(heads), 4+rng.IntN(5))] {
		fmt.Fprintf(&b, "%s  2026-%02d-%02d\n", heads[k], 1+(i+k)%12, 1+rng.IntN(28))
	}
	// The pool is walked in shuffled order and reshuffled when used up: the
	// clean sentences of the corpus come to only about 3 KB, and a page
	// repeats none of them before using all.
	var order []int
	pad := func(size int) {
		for n := 0; n < size; {
			if len(order) == 0 {
				order = rng.Perm(len(pool))
			}
			s := pool[order[0]]
			order = order[1:]
			b.WriteString(s)
			n += len(s)
			if rng.IntN(4) == 0 {
				b.WriteByte('\n')
			}
		}
		b.WriteByte('\n')
	}
	size := mixedMinPadBytes + rng.IntN(mixedMaxPadBytes-mixedMinPadBytes)
	before := rng.IntN(size + 1)
	pad(before)
	b.WriteString(doc)
	b.WriteByte('\n')
	pad(size - before)
	b.WriteString(pick(mixedParts(c, mixedFooters)))
	return b.String()
}

// TestEvaluationMixed classifies every labelled document embedded in a long
// page (mixedPage) padded with clean sentences of the other documents:
// positives must keep their categories (precision mixedMinPrecision, recall
// mixedMinRecall per category) and no negative may be flagged. -v prints the
// table and every error.
func TestEvaluationMixed(t *testing.T) {
	labels := loadLabels(t, "testdata/corpus")
	c := mustDefaultClassifier(t)
	files, err := corpusFiles()
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	for _, f := range files {
		docs[f.path] = f.text
	}
	rng := rand.New(rand.NewPCG(mixedSeed, mixedSeed))
	ev := newEvaluation()
	for _, l := range labels {
		doc, ok := docs["corpus/"+l.File]
		if !ok {
			t.Fatalf("%s: labelled but not read with the corpus", l.File)
		}
		var pool []string
		for _, f := range files {
			if f.path != "corpus/"+l.File && strings.HasPrefix(f.path, "corpus/") {
				pool = append(pool, f.clean...)
			}
		}
		page := mixedPage(rng, c, doc, pool)
		res := c.Classify(adscan.Document{Source: l.File, Text: page})
		checkResult(t, page, res)
		ev.add(l, res)
	}
	ev.report(t, fmt.Sprintf("mixed-page evaluation with lexicon %s %s", c.ref.Name, c.ref.Version), mixedMinPrecision, mixedMinRecall, maxNegativeFlagged)
}
