package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adscan/corpus"
)

// Texts written for these tests: two adverts and two reports, on four sites.
var testCorpusPages = []struct{ url, voice, genre, cats, text string }{
	{"https://a.example/p1", "promo", "ad", "tutoring_ad,holiday_training",
		"本中心暑假班火热报名中！开设小学初中数学、英语一对一及小班辅导，名师授课，免费试听。咨询电话13812345678，地址：人民路88号。我们的老师均有多年教学经验，欢迎家长带孩子来校区体验。"},
	{"https://b.example/p2", "promo", "ad", "tutoring_ad",
		"我们机构开设初二数学提高班和初三物理冲刺班，每期学费2980元，报名即送学习资料，名额有限，欢迎来电咨询预约试听课。校区地址：解放路12号，联系电话0571-88886666。"},
	{"https://c.example/n1", "other", "news", "",
		"记者近日走访发现，部分校外培训机构仍在违规开设初中数学辅导班，有的以托管、研学等名义变相开展学科类培训。市教育局表示，将会同市场监管部门依法查处违规行为，严禁面向义务教育阶段学生开展学科类培训，并提醒广大家长谨慎选择，发现问题及时举报。"},
	{"https://d.example/n2", "other", "policy", "",
		"根据有关规定，各地教育部门要加强校外培训监管，严禁校外培训机构占用国家法定节假日、休息日及寒暑假组织学科类培训，对违规机构依法依规严肃查处，并向社会公开通报典型案例，切实减轻学生过重校外培训负担。"},
}

func writeTestCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range testCorpusPages {
		code, out, errOut := runClassifyCmd(t, p.text, "corpus", "add", "--corpus", dir, "--url", p.url, "--voice", p.voice,
			"--genre", p.genre, "--audience", "k12", "--cats", p.cats, "--note", "test page")
		if code != exitOK || strings.TrimSpace(out) != corpus.PageID(p.url) {
			t.Fatalf("corpus add %s: exit %d, out %q, stderr %q", p.url, code, out, errOut)
		}
	}
	return dir
}

func TestCorpusAddRefuses(t *testing.T) {
	dir := writeTestCorpus(t)
	long := testCorpusPages[0].text
	ex := filepath.Join(t.TempDir(), "excluded.sha256")
	sum := sha256.Sum256([]byte(corpus.URLKey("https://evaluation.example/x")))
	if err := os.WriteFile(ex, []byte(hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		text string
		args []string
		want string
	}{
		"duplicate":    {long, []string{"--url", "https://www.a.example/p1/"}, "already in"},
		"short":        {"太短了", []string{"--url", "https://e.example/1"}, "under 80 characters"},
		"bad category": {long, []string{"--url", "https://e.example/2", "--cats", "no_such"}, "unknown category"},
		"other voice":  {long, []string{"--url", "https://e.example/3", "--voice", "other", "--cats", "tutoring_ad"}, "voice is other"},
		"excluded":     {long, []string{"--url", "https://evaluation.example/x", "--excluded", ex}, "outside evaluation"},
		"bad voice":    {long, []string{"--url", "https://e.example/4", "--voice", "bogus"}, `--voice "bogus": want one of promo, other`},
		"bad genre":    {long, []string{"--url", "https://e.example/5", "--genre", "blog"}, `--genre "blog": want one of`},
		"no note":      {long, []string{"--url", "https://e.example/6", "--note", ""}, "give --note"},
	} {
		args := append([]string{"corpus", "add", "--corpus", dir, "--voice", "promo", "--genre", "ad", "--audience", "k12", "--note", "n"}, tc.args...)
		code, _, errOut := runClassifyCmd(t, tc.text, args...)
		if code == exitOK || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want it to say %q", name, code, errOut, tc.want)
		}
	}
}

// TestCorpusTrainEvalCompare runs what a regulator runs to retrain: build
// the facts, train (twice: the same bytes), score and compare.
func TestCorpusTrainEvalCompare(t *testing.T) {
	dir := writeTestCorpus(t)
	out := t.TempDir()
	labels, feats := filepath.Join(out, "labels.jsonl"), filepath.Join(out, "features.jsonl")
	code, stdout, errOut := runClassifyCmd(t, "", "corpus", "build", "--corpus", dir, "--labels", labels, "--features", feats, "--own", "")
	if code != exitOK || !strings.Contains(stdout, "wrote") {
		t.Fatalf("corpus build: exit %d, %q %q", code, stdout, errOut)
	}
	data, err := os.ReadFile(feats)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "记者近日走访") || !strings.Contains(string(data), `"报名"`) {
		t.Fatalf("features should be word counts, not sentences:\n%.300s", data)
	}
	var models []string
	for i := range 2 {
		m := filepath.Join(out, "model"+string(rune('a'+i))+".json")
		code, _, errOut = runClassifyCmd(t, "", "model", "train", "--labels", labels, "--features", feats, "--splits", "train,dev,test", "--out", m)
		if code != exitOK {
			t.Fatalf("model train: exit %d, %q", code, errOut)
		}
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, string(b))
	}
	if models[0] != models[1] {
		t.Error("training twice on the same facts gave two models")
	}
	m := filepath.Join(out, "modela.json")
	code, stdout, errOut = runClassifyCmd(t, "", "model", "eval", "--corpus", dir, "--split", "", "--model", m, "--mistakes")
	if code != exitOK || !strings.Contains(stdout, "every split") || !strings.Contains(stdout, "compliant pages flagged") {
		t.Fatalf("model eval: exit %d\n%s\n%s", code, stdout, errOut)
	}
	code, stdout, errOut = runClassifyCmd(t, "", "model", "compare", "--corpus", dir, "--split", "", "--model", "none", "--candidate-model", m)
	if code != exitOK || !strings.Contains(stdout, "current: ") || !strings.Contains(stdout, "candidate: ") || !strings.Contains(stdout, "change (candidate - current)") {
		t.Fatalf("model compare: exit %d\n%s\n%s", code, stdout, errOut)
	}
	if code, _, errOut = runClassifyCmd(t, "", "model", "compare", "--corpus", dir); code != exitUsage {
		t.Errorf("compare without a candidate: exit %d (%s), want %d", code, errOut, exitUsage)
	}
	if code, _, errOut = runClassifyCmd(t, "", "model", "eval", "--corpus", dir, "--model", filepath.Join(out, "nothing.json")); code != exitFailure || !strings.Contains(errOut, "nothing.json") {
		t.Errorf("eval with a missing model: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{
		{"model", "eval", "--corpus", dir, "--split", "tset"},
		{"model", "compare", "--corpus", dir, "--split", "tset", "--candidate-model", m},
		{"model", "train", "--labels", labels, "--features", feats, "--splits", "train,tset"},
	} {
		if code, _, errOut = runClassifyCmd(t, "", args...); code != exitUsage || !strings.Contains(errOut, `"tset": want train, dev or test`) {
			t.Errorf("%s with split tset: exit %d, %q; want %d naming the splits", args[1], code, errOut, exitUsage)
		}
	}
	if code, _, errOut = runClassifyCmd(t, "", "model", "eval"); code != exitUsage || !strings.Contains(errOut, "ADSCAN_CORPUS") {
		t.Errorf("eval without a corpus: exit %d, %q", code, errOut)
	}
}

// TestCorpusRestore builds the facts of a corpus, then puts its pages back
// in an empty directory as a new machine would: the same text is
// accepted, another page's text and unknown URLs are refused, and --list
// names what is still missing by its search.
func TestCorpusRestore(t *testing.T) {
	dir := writeTestCorpus(t)
	out := t.TempDir()
	labels, feats := filepath.Join(out, "labels.jsonl"), filepath.Join(out, "features.jsonl")
	if code, _, errOut := runClassifyCmd(t, "", "corpus", "build", "--corpus", dir, "--labels", labels, "--features", feats, "--own", ""); code != exitOK {
		t.Fatalf("corpus build: exit %d, %q", code, errOut)
	}
	fresh := t.TempDir()
	restore := func(text string, args ...string) (int, string, string) {
		return runClassifyCmd(t, text, append([]string{"corpus", "restore", "--corpus", fresh, "--labels", labels, "--features", feats}, args...)...)
	}
	code, stdout, errOut := restore("", "--list")
	if code != exitOK || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "https://d.example/n2") {
		t.Fatalf("restore --list on an empty directory: exit %d, %q %q", code, stdout, errOut)
	}
	p := testCorpusPages[0]
	code, stdout, errOut = restore(p.text, "--url", p.url)
	if code != exitOK || !strings.Contains(stdout, "restored (match 1.000)") {
		t.Fatalf("restore %s: exit %d, %q %q", p.url, code, stdout, errOut)
	}
	got, err := os.ReadFile(filepath.Join(fresh, "pages", corpus.PageID(p.url)+".txt"))
	if err != nil || string(got) != p.text {
		t.Fatalf("restored text = %q, %v", got, err)
	}
	for name, tc := range map[string]struct{ text, url, want string }{
		"another page": {testCorpusPages[2].text, testCorpusPages[1].url, "under --min-match"},
		"unknown URL":  {p.text, "https://nowhere.example/", "not in"},
	} {
		if code, _, errOut := restore(tc.text, "--url", tc.url); code == exitOK || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want it to say %q", name, code, errOut, tc.want)
		}
	}
	if code, stdout, _ = restore("", "--list"); code != exitOK || strings.Contains(stdout, p.url) || !strings.Contains(stdout, testCorpusPages[1].url) {
		t.Errorf("restore --list after one page: exit %d, %q", code, stdout)
	}
	pages, err := corpus.Load(fresh)
	if err != nil || len(pages) != 1 || pages[0].Split == "" {
		t.Errorf("Load of the restored directory: %v, %v", pages, err)
	}

	// A build from the partly restored directory keeps what is committed
	// of the pages it lacks; --drop-missing leaves them out.
	before, err := os.ReadFile(labels)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut = runClassifyCmd(t, "", "corpus", "build", "--corpus", fresh, "--labels", labels, "--features", feats, "--own", "")
	if code != exitOK || !strings.Contains(stdout, fmt.Sprintf("kept the committed label and features of %d pages", len(testCorpusPages)-1)) {
		t.Fatalf("build of a partly restored corpus: exit %d, %q %q", code, stdout, errOut)
	}
	if after, _ := os.ReadFile(labels); string(after) != string(before) {
		t.Errorf("build of a partly restored corpus changed the labels:\n%s\nwant\n%s", after, before)
	}
	if code, _, errOut = runClassifyCmd(t, "", "corpus", "build", "--corpus", fresh, "--labels", labels, "--features", feats, "--own", "", "--drop-missing"); code != exitOK {
		t.Fatalf("build --drop-missing: exit %d, %q", code, errOut)
	}
	if ls, err := corpus.ReadJSONLFile[corpus.Label](labels); err != nil || len(ls) != 1 {
		t.Errorf("after --drop-missing: %d labels (%v), want 1", len(ls), err)
	}
}
