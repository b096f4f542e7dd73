// Package htmltext turns a served HTML (or plain text) body into the text a
// visitor sees: the title, the meta description and keywords, the body text
// and image alt text — never script, style, template or hidden elements. It
// decodes the charset first (BOM, Content-Type header, <meta>, detection), so
// GBK, GB18030 and Big5 pages come out as UTF-8.
package htmltext

import (
	"bytes"
	"fmt"
	"mime"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is the visible text of one document.
type Page struct {
	Title       string
	Description string
	Keywords    string
	// Text is what classification runs on and what evidence offsets index
	// into: the title, description and keywords each on a line of their own,
	// then the body text, one line per block.
	Text string
	// Charset is the encoding the body was decoded from ("utf-8", "gb18030", "big5", …)
	// and CharsetSource where it was learned (SourceHeader, SourceMeta, …).
	Charset       string
	CharsetSource string
}

// MaxNodes bounds the elements walked in one document, so a hostile page
// cannot make extraction take unbounded time or memory.
const MaxNodes = 2_000_000

// Extract decodes body according to contentType (a Content-Type header value,
// or "" when unknown) and returns its visible text. Plain-text bodies
// (text/plain, or a body that does not look like HTML when contentType is
// empty) are decoded and returned as they are. Malformed HTML is parsed the
// way browsers do. Extract returns an error only for bodies that are not text
// at all (binary data such as images or archives).
func Extract(body []byte, contentType string) (Page, error) {
	if isBinary(body) {
		return Page{}, fmt.Errorf("htmltext: body is binary data (%s), not text", sniffType(body))
	}
	text, cs, src := decode(body, contentType)
	p := Page{Charset: cs, CharsetSource: src}
	if !isHTML(body, contentType) {
		p.Text = text
		return p, nil
	}
	w := walker{}
	if doc, err := html.Parse(strings.NewReader(text)); err == nil {
		w.walk(doc)
	} else {
		// The parser refuses pathological documents (nesting deeper than
		// 512 elements); read those token by token instead.
		w = walker{}
		w.tokens(text)
	}
	p.Title = collapse(w.title.String())
	p.Description = collapse(w.description)
	p.Keywords = collapse(w.keywords)
	var out strings.Builder
	for _, s := range []string{p.Title, p.Description, p.Keywords} {
		if s != "" {
			out.WriteString(s)
			out.WriteByte('\n')
		}
	}
	out.WriteString(tidyLines(w.body.String()))
	p.Text = strings.TrimRight(out.String(), "\n")
	return p, nil
}

// IsHTML reports whether body, served with contentType, should be parsed as
// HTML rather than taken as plain text.
func IsHTML(body []byte, contentType string) bool { return isHTML(body, contentType) }

func isHTML(body []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch mt {
		case "text/html", "application/xhtml+xml":
			return true
		case "text/plain":
			return false
		}
	}
	head := bytes.ToLower(bytes.TrimSpace(prefix(body, 1024)))
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	for _, sig := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<div", "<p>", "<p ", "<!--"} {
		if bytes.Contains(head, []byte(sig)) {
			return true
		}
	}
	return false
}

type walker struct {
	title       strings.Builder
	description string
	keywords    string
	body        strings.Builder
	nodes       int
}

func (w *walker) walk(n *html.Node) {
	w.nodes++
	if w.nodes > MaxNodes {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.body.WriteString(n.Data)
		return
	case html.ElementNode:
		if skipped(n) {
			return
		}
		switch n.DataAtom {
		case atom.Title:
			if w.title.Len() == 0 {
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.TextNode {
						w.title.WriteString(c.Data)
					}
				}
			}
			return
		case atom.Meta:
			w.meta(n)
			return
		case atom.Img, atom.Area:
			if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
				w.body.WriteString(" " + alt + " ")
			}
			return
		case atom.Br:
			w.body.WriteByte('\n')
			return
		case atom.Input:
			if v := attr(n, "value"); v != "" && isVisibleButton(n) {
				w.body.WriteString(" " + v + " ")
			}
			return
		}
	}
	block := n.Type == html.ElementNode && isBlock(n.DataAtom)
	if block {
		w.body.WriteByte('\n')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.body.WriteByte('\n')
	}
}

func (w *walker) meta(n *html.Node) {
	name := strings.ToLower(attr(n, "name"))
	if name == "" {
		name = strings.ToLower(attr(n, "property"))
	}
	content := attr(n, "content")
	switch name {
	case "description", "og:description":
		if w.description == "" {
			w.description = content
		}
	case "keywords":
		if w.keywords == "" {
			w.keywords = content
		}
	}
}

// skipped reports whether an element's content is never shown to a visitor.
func skipped(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Svg, atom.Math,
		atom.Iframe, atom.Object, atom.Embed, atom.Canvas, atom.Audio, atom.Video, atom.Link:
		return true
	}
	if n.Data == "template" || n.Data == "script" || n.Data == "style" {
		return true // also inside foreign content, where DataAtom is unset
	}
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			if hiddenStyle(a.Val) {
				return true
			}
		}
	}
	return false
}

func hiddenStyle(style string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(style), ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

func isVisibleButton(n *html.Node) bool {
	switch strings.ToLower(attr(n, "type")) {
	case "submit", "button", "reset":
		return true
	}
	return false
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Caption,
		atom.Dd, atom.Details, atom.Dialog, atom.Div, atom.Dl, atom.Dt, atom.Fieldset,
		atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr, atom.Li, atom.Main, atom.Nav,
		atom.Ol, atom.P, atom.Pre, atom.Section, atom.Summary, atom.Table, atom.Tbody,
		atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr, atom.Ul, atom.Option, atom.Button,
		atom.Label, atom.Select, atom.Textarea:
		return true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// collapse folds every run of white space into one space and trims the ends.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// tidyLines collapses white space within lines and drops empty lines.
func tidyLines(s string) string {
	var out strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		if c := collapse(line); c != "" {
			out.WriteString(c)
			out.WriteByte('\n')
		}
	}
	return out.String()
}
