// Package source maps spec paths ("teams.vision.quotas.prod") to the
// positions in the user's CUE files where they are written, so that every
// later stage (cross-reference checks, Rego findings) can point at a
// file:line:col without keeping CUE values alive.
package source

import (
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"github.com/platc-dev/platc/compiler/diag"
)

const sep = "\x1f"

// Index finds where spec paths are written. It keeps the parsed files and
// descends into them on demand, which costs nothing for a spec without
// problems and a few microseconds per finding for one with them.
type Index struct {
	n      int
	syntax func(i int) *ast.File
	// byKey lists the files writing at each footprint key (labels joined
	// by sep); global files may write anywhere.
	byKey  map[string][]int
	global []int
	// keyDepth is the number of labels of the longest footprint key, so
	// that a lookup joins only the prefixes of a path that can be keys.
	keyDepth int
	// fallback is used when no ancestor of a path is declared anywhere.
	fallback token.Pos
}

// NewIndex returns an index over n files whose syntax trees syntax
// returns (nil for a file that cannot be read); fallback is the position
// for paths that no file writes.
func NewIndex(n int, syntax func(i int) *ast.File, fallback token.Pos) *Index {
	return &Index{n: n, syntax: syntax, byKey: map[string][]int{}, fallback: fallback}
}

// decls returns the declarations of file i.
func (ix *Index) decls(i int) []ast.Decl {
	if f := ix.syntax(i); f != nil {
		return f.Decls
	}
	return nil
}

// AddFootprint records that file i writes at or below path; a nil path
// means the file may write anywhere.
func (ix *Index) AddFootprint(i int, path []string) {
	if len(path) == 0 {
		ix.global = append(ix.global, i)
		return
	}
	ix.keyDepth = max(ix.keyDepth, len(path))
	k := strings.Join(path, sep)
	if fs := ix.byKey[k]; len(fs) == 0 || fs[len(fs)-1] != i {
		ix.byKey[k] = append(fs, i)
	}
}

// candidates returns the files that may write at path, in file order.
// It costs the length of the path's first keyDepth labels, not of the
// whole path: walking an error down a value nested n levels asks for the
// candidates at every level, and joining every prefix each time made that
// walk cubic in n.
func (ix *Index) candidates(labels []string) []int {
	var out []int
	prefix := strings.Join(labels[:min(len(labels), ix.keyDepth)], sep)
	for n := min(len(labels), ix.keyDepth); n > 0; n-- {
		out = append(out, ix.byKey[prefix]...)
		if n > 1 {
			prefix = prefix[:len(prefix)-len(labels[n-1])-len(sep)]
		}
	}
	out = append(out, ix.global...)
	if len(out) == 0 || len(labels) < 2 {
		// The path is above every footprint (teams, platform): any file may write there.
		out = out[:0]
		for i := range ix.n {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Positions returns every declaration of the exact path.
func (ix *Index) Positions(labels []string) []diag.Pos {
	if len(labels) == 0 {
		// The root is declared nowhere; reading every file to find that
		// out would hold the syntax of the whole spec in memory at once.
		return nil
	}
	var out []diag.Pos
	for _, i := range ix.candidates(labels) {
		for _, m := range find(ix.decls(i), labels) {
			if m.depth == len(labels) {
				out = append(out, Pos(m.pos))
			}
		}
	}
	return out
}

// Lookup returns the position of the path, or of its nearest declared
// ancestor when the path itself is not written in the source (a default, a
// missing field). exact reports whether the path itself was found.
func (ix *Index) Lookup(labels []string) (pos diag.Pos, exact bool) {
	if len(labels) == 0 {
		// As in Positions: the root has no declaration, only the fallback.
		return Pos(ix.fallback), false
	}
	best, bestDepth := token.NoPos, 0
	for _, i := range ix.candidates(labels) {
		for _, m := range find(ix.decls(i), labels) {
			if m.depth > bestDepth {
				best, bestDepth = m.pos, m.depth
			}
		}
	}
	if bestDepth == 0 {
		return Pos(ix.fallback), false
	}
	return Pos(best), bestDepth == len(labels)
}

// Children returns the labels written directly under path, sorted.
func (ix *Index) Children(labels []string) []string {
	var out []string
	for _, i := range ix.candidates(labels) {
		if len(labels) == 0 {
			out = append(out, fieldLabels(&ast.StructLit{Elts: ix.decls(i)})...)
			continue
		}
		for _, m := range find(ix.decls(i), labels) {
			if m.depth == len(labels) {
				out = append(out, fieldLabels(m.value)...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type match struct {
	pos   token.Pos
	depth int
	value ast.Expr
}

// find descends decls along labels and returns the deepest fields found.
func find(decls []ast.Decl, labels []string) []match {
	if len(labels) == 0 {
		return nil
	}
	var out []match
	for _, d := range decls {
		var fields []*ast.Field
		switch d := d.(type) {
		case *ast.Field:
			fields = []*ast.Field{d}
		case *ast.EmbedDecl:
			out = append(out, findExpr(d.Expr, labels, 0)...)
			continue
		}
		for _, f := range fields {
			name, ok := StaticLabel(f.Label)
			if !ok || name != labels[0] {
				continue
			}
			if len(labels) == 1 {
				out = append(out, match{pos: f.Label.Pos(), depth: 1, value: f.Value})
				continue
			}
			sub := findExpr(f.Value, labels[1:], 1)
			if len(sub) == 0 {
				out = append(out, match{pos: f.Label.Pos(), depth: 1, value: f.Value})
			}
			out = append(out, sub...)
		}
	}
	return out
}

func findExpr(x ast.Expr, labels []string, depth int) []match {
	var out []match
	switch x := x.(type) {
	case *ast.StructLit:
		for _, m := range find(x.Elts, labels) {
			m.depth += depth
			out = append(out, m)
		}
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			out = append(out, findExpr(x.X, labels, depth)...)
			out = append(out, findExpr(x.Y, labels, depth)...)
		}
	case *ast.ListLit:
		i, err := strconv.Atoi(labels[0])
		if err != nil || i < 0 || i >= len(x.Elts) {
			return nil
		}
		e := x.Elts[i]
		if len(labels) == 1 {
			return []match{{pos: e.Pos(), depth: depth + 1, value: e}}
		}
		sub := findExpr(e, labels[1:], depth+1)
		if len(sub) == 0 {
			return []match{{pos: e.Pos(), depth: depth + 1, value: e}}
		}
		return sub
	}
	return out
}

// fieldLabels lists the regular labels written directly in x.
func fieldLabels(x ast.Expr) []string {
	var out []string
	switch x := x.(type) {
	case *ast.StructLit:
		for _, d := range x.Elts {
			switch d := d.(type) {
			case *ast.Field:
				if name, ok := StaticLabel(d.Label); ok {
					out = append(out, name)
				}
			case *ast.EmbedDecl:
				out = append(out, fieldLabels(d.Expr)...)
			}
		}
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			out = append(out, fieldLabels(x.X)...)
			out = append(out, fieldLabels(x.Y)...)
		}
	}
	return out
}

// Pos converts a CUE position.
func Pos(p token.Pos) diag.Pos {
	if !p.IsValid() {
		return diag.Pos{}
	}
	pp := p.Position()
	return diag.Pos{File: pp.Filename, Line: pp.Line, Column: pp.Column}
}

// StaticLabel returns the name of a regular field label written literally
// (an identifier or a string). Definitions, hidden fields, pattern and
// dynamic labels are not regular data and report false.
func StaticLabel(l ast.Label) (string, bool) {
	switch l := l.(type) {
	case *ast.Ident:
		if strings.HasPrefix(l.Name, "#") || strings.HasPrefix(l.Name, "_") {
			return "", false
		}
		return l.Name, true
	case *ast.BasicLit:
		if l.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(l.Value)
		if err != nil {
			return "", false
		}
		return s, true
	case *ast.Alias:
		if e, ok := l.Expr.(ast.Label); ok {
			return StaticLabel(e)
		}
	}
	return "", false
}

// FormatPath renders labels as a CUE path, quoting labels that are not
// identifiers: services."vision-api".slos.
func FormatPath(labels []string) string {
	var sb strings.Builder
	for i, l := range labels {
		if i > 0 {
			sb.WriteByte('.')
		}
		if isIdent(l) {
			sb.WriteString(l)
		} else {
			sb.WriteString(strconv.Quote(l))
		}
	}
	return sb.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

// ParsePath splits a path written as CUE ("services.\"vision-api\".slos")
// or plainly ("services.vision-api.slos", "services/vision-api/slos") into
// labels. Quoted labels may contain dots.
func ParsePath(s string) []string {
	var out []string
	for s != "" {
		if s[0] == '"' {
			// Find the closing quote, honouring escapes.
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end < len(s) {
				if l, err := strconv.Unquote(s[:end+1]); err == nil {
					out = append(out, l)
					s = strings.TrimLeft(s[end+1:], "./")
					continue
				}
			}
		}
		i := strings.IndexAny(s, "./")
		if i < 0 {
			out = append(out, s)
			break
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		s = s[i+1:]
	}
	return out
}
