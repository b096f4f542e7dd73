package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/pmezard/go-difflib/difflib"

	"adscan"
	"adscan/lexicon"
)

// lexiconDiff is the data of the diff page.
type lexiconDiff struct {
	Versions []adscan.LexiconVersion
	From, To int64
	Lines    []diffLine
}

// diffLine is one line of a unified diff, with its kind for the style.
type diffLine struct {
	Text string
	Kind string // "add", "del", "hunk" or ""
}

// showLexiconDiff renders the differences between two stored lexicon
// versions (?from=ID&to=ID; by default the newest and the one before) as
// a unified diff of their YAML. Version 0 is the server's own lexicon.
func (h *handler) showLexiconDiff(w http.ResponseWriter, r *http.Request) error {
	versions, err := h.store.ListLexiconVersions(r.Context())
	if err != nil {
		return err
	}
	v := lexiconDiff{Versions: versions}
	if len(versions) > 0 {
		v.To = versions[0].ID
	}
	if len(versions) > 1 {
		v.From = versions[1].ID
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"from", &v.From}, {"to", &v.To}} {
		if s := r.URL.Query().Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return adscan.Errorf(adscan.EINVALID, "query parameter %s=%q is not a version number", p.name, s)
			}
			*p.dst = n
		}
	}
	a, err := h.lexiconYAML(r, v.From)
	if err != nil {
		return err
	}
	b, err := h.lexiconYAML(r, v.To)
	if err != nil {
		return err
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: "版本 " + strconv.FormatInt(v.From, 10), ToFile: "版本 " + strconv.FormatInt(v.To, 10), Context: 3,
	})
	if err != nil {
		return err
	}
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		kind := ""
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			kind = "add"
		case strings.HasPrefix(l, "-"):
			kind = "del"
		case strings.HasPrefix(l, "@@"):
			kind = "hunk"
		}
		if l != "" {
			v.Lines = append(v.Lines, diffLine{Text: l, Kind: kind})
		}
	}
	d := h.newPageData(r, "词库版本对比")
	d.Page = v
	h.render(w, r, http.StatusOK, "lexicon_diff", d)
	return nil
}

// lexiconYAML is a stored version's YAML, or for 0 the server's own
// lexicon encoded.
func (h *handler) lexiconYAML(r *http.Request, id int64) (string, error) {
	if id > 0 {
		v, err := h.store.GetLexiconVersion(r.Context(), id)
		return string(v.YAML), err
	}
	lex := h.lexicon
	if lex == nil {
		var err error
		if lex, err = lexicon.Default(); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	err := lex.Encode(&b)
	return b.String(), err
}

// tryView is the data of the 试一试 page.
type tryView struct {
	Text     string
	Site     string
	Result   *adscan.Result
	Segments []segment
	Lexicon  adscan.LexiconRef
}

// maxTryText is the most text 试一试 classifies.
const maxTryText = 200 << 10

// tryLexicon classifies pasted text with the lexicon in force and shows
// the flags with their evidence marked (GET shows the empty form).
func (h *handler) tryLexicon(w http.ResponseWriter, r *http.Request) error {
	v := tryView{Text: r.PostFormValue("text"), Site: strings.TrimSpace(r.PostFormValue("site"))}
	if r.Method == http.MethodPost {
		if len(v.Text) > maxTryText {
			return adscan.Errorf(adscan.ETOOLARGE, "试一试最多检测 %d KB 文字。", maxTryText>>10)
		}
		lex, _, err := h.activeLexicon(r)
		if err != nil {
			return err
		}
		cl, err := h.tryClassifiers.get(lex, h.newClassifier)
		if err != nil {
			return err
		}
		res := cl.Classify(adscan.Document{Source: "试一试", Site: strings.ToLower(v.Site), Text: v.Text})
		v.Result, v.Lexicon = &res, res.Lexicon
		var spans []span
		for _, f := range res.Flags {
			for _, e := range f.Evidence {
				spans = append(spans, span{Start: e.Start, End: e.End, Cat: f.Category})
			}
		}
		v.Segments = highlight(v.Text, spans)
	}
	d := h.newPageData(r, "试一试")
	d.Page = v
	h.render(w, r, http.StatusOK, "lexicon_try", d)
	return nil
}

// classifierCache keeps the classifier of the lexicon 试一试 last used,
// built on first use (the segmenter's dictionary is large).
type classifierCache struct {
	mu     sync.Mutex
	digest string
	cl     adscan.Classifier
}

func (c *classifierCache) get(lex *lexicon.Lexicon, build func(*lexicon.Lexicon) (adscan.Classifier, error)) (adscan.Classifier, error) {
	if build == nil {
		return nil, adscan.Errorf(adscan.EUNAVAILABLE, "this server has no classifier for 试一试")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := lex.Ref().Version + "/" + lex.Digest
	if c.cl != nil && c.digest == key {
		return c.cl, nil
	}
	cl, err := build(lex)
	if err != nil {
		return nil, err
	}
	c.digest, c.cl = key, cl
	return cl, nil
}
