package profile

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a profile file.
type Problem struct {
	// Line is the 1-based line of the file the problem is on.
	Line int `json:"line"`
	// Field is the path of the offending value, e.g. "search.urls[1]";
	// "" for the file as a whole.
	Field string `json:"field,omitempty"`
	// Msg says what is wrong.
	Msg string `json:"message"`
}

// Format renders the problem as "NAME:LINE: MSG" (or "NAME: MSG" without a line).
func (p Problem) Format(name string) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", name, p.Msg)
}

// ProblemsError is the error Parse and Load return for a bad profile:
// every problem found, in line order.
type ProblemsError struct {
	Name     string // the file name the problems are reported against
	Problems []Problem
}

// Error lists the problems one per line as "NAME:LINE: MSG".
func (e *ProblemsError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Format(e.Name)
	}
	return strings.Join(lines, "\n")
}

// problems collects problems, one per field.
type problems struct {
	list []Problem
	seen map[string]bool
}

func (ps *problems) add(line int, field, format string, args ...any) {
	if field != "" {
		if ps.seen[field] {
			return
		}
		if ps.seen == nil {
			ps.seen = map[string]bool{}
		}
		ps.seen[field] = true
	}
	ps.list = append(ps.list, Problem{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// sorted returns the problems in line order (stable).
func (ps *problems) sorted() []Problem {
	out := append([]Problem(nil), ps.list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// seenUnder reports whether a problem was found with field or one of its
// parts (field[0], field.x).
func (ps *problems) seenUnder(field string) bool {
	for f := range ps.seen {
		if f == field || strings.HasPrefix(f, field+"[") || strings.HasPrefix(f, field+".") {
			return true
		}
	}
	return false
}
