package htmltext

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tokens is the fallback for documents the tree parser refuses: it reads the
// token stream, drops the content of skipped elements by counting their
// start and end tags, and keeps everything else as walk would.
func (w *walker) tokens(text string) {
	z := html.NewTokenizer(strings.NewReader(text))
	var skip []atom.Atom // open skipped elements
	inTitle := false
	for n := 0; n < MaxNodes; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		tok := z.Token()
		node := &html.Node{Type: html.ElementNode, DataAtom: tok.DataAtom, Data: tok.Data, Attr: tok.Attr}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if len(skip) > 0 {
				if tok.DataAtom == skip[len(skip)-1] && tt == html.StartTagToken {
					skip = append(skip, tok.DataAtom)
				}
				continue
			}
			switch {
			case skipped(node):
				if tt == html.StartTagToken && !isVoid(tok.DataAtom) {
					skip = append(skip, tok.DataAtom)
				}
			case tok.DataAtom == atom.Title:
				inTitle = tt == html.StartTagToken
			case tok.DataAtom == atom.Meta:
				w.meta(node)
			case tok.DataAtom == atom.Img || tok.DataAtom == atom.Area:
				if alt := strings.TrimSpace(attr(node, "alt")); alt != "" {
					w.body.WriteString(" " + alt + " ")
				}
			case tok.DataAtom == atom.Br || isBlock(tok.DataAtom):
				w.body.WriteByte('\n')
			}
		case html.EndTagToken:
			if len(skip) > 0 {
				if tok.DataAtom == skip[len(skip)-1] {
					skip = skip[:len(skip)-1]
				}
				continue
			}
			if tok.DataAtom == atom.Title {
				inTitle = false
			} else if isBlock(tok.DataAtom) {
				w.body.WriteByte('\n')
			}
		case html.TextToken:
			if len(skip) > 0 {
				continue
			}
			if inTitle {
				if w.title.Len() < 1024 {
					w.title.WriteString(tok.Data)
				}
				continue
			}
			w.body.WriteString(tok.Data)
		}
	}
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
