package lexicon

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// plain is Lexicon without its methods, so MarshalYAML can hand it to yaml.
type plain Lexicon

// MarshalYAML makes a Lexicon encode as the file format Parse reads, with
// lists of plain values (terms, group and category IDs) on one line.
func (l *Lexicon) MarshalYAML() (any, error) {
	var n yaml.Node
	if err := n.Encode((*plain)(l)); err != nil {
		return nil, fmt.Errorf("lexicon: encode %s: %w", l.Name, err)
	}
	flowScalarLists(&n)
	return &n, nil
}

// flowScalarLists sets flow style ([a, b, c]) on every list of scalars below n.
func flowScalarLists(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		flow := true
		for _, c := range n.Content {
			flow = flow && c.Kind == yaml.ScalarNode
		}
		if flow {
			n.Style |= yaml.FlowStyle
		}
	}
	for _, c := range n.Content {
		flowScalarLists(c)
	}
}

// Encode writes l in the file format Parse reads (two-space indentation).
// Comments of the file l was read from are not kept.
func (l *Lexicon) Encode(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(l); err != nil {
		return fmt.Errorf("lexicon: encode %s: %w", l.Name, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("lexicon: encode %s: %w", l.Name, err)
	}
	return nil
}

// Clone returns a deep copy of l: changing the copy never changes l.
func (l *Lexicon) Clone() *Lexicon {
	c := *l
	c.Categories = cloneSlice(l.Categories)
	c.Groups = cloneSlice(l.Groups)
	for i := range c.Groups {
		c.Groups[i].Terms = cloneSlice(c.Groups[i].Terms)
	}
	c.Rules = cloneSlice(l.Rules)
	for i := range c.Rules {
		c.Rules[i].All = cloneSlice(c.Rules[i].All)
		c.Rules[i].Any = cloneSlice(c.Rules[i].Any)
	}
	c.Suppressors = cloneSlice(l.Suppressors)
	for i := range c.Suppressors {
		c.Suppressors[i].Terms = cloneSlice(c.Suppressors[i].Terms)
		c.Suppressors[i].Categories = cloneSlice(c.Suppressors[i].Categories)
	}
	c.Exclusions = cloneSlice(l.Exclusions)
	for i := range c.Exclusions {
		c.Exclusions[i].Terms = cloneSlice(c.Exclusions[i].Terms)
		c.Exclusions[i].Categories = cloneSlice(c.Exclusions[i].Categories)
		c.Exclusions[i].Unless = cloneSlice(c.Exclusions[i].Unless)
	}
	c.Allow = cloneSlice(l.Allow)
	for i := range c.Allow {
		c.Allow[i].Categories = cloneSlice(c.Allow[i].Categories)
	}
	return &c
}

// cloneSlice copies s; nil stays nil.
func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// WithAllow returns a copy of l with the allow entry e added (l is not
// changed). Nothing else changes — in particular not Version, which the
// caller sets so that results name the lexicon that produced them. Use
// Validate on the result if e comes from user input.
func (l *Lexicon) WithAllow(e AllowEntry) *Lexicon {
	c := l.Clone()
	e.Categories = cloneSlice(e.Categories)
	c.Allow = append(c.Allow, e)
	c.Digest = ""
	if l.Digest != "" {
		h := sha256.New()
		if err := c.Encode(h); err == nil {
			c.Digest = hex.EncodeToString(h.Sum(nil))
		}
	}
	return c
}
