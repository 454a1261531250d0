package hclspec

import (
	"bytes"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// commentGroup is a run of comment lines with nothing but space between.
type commentGroup struct {
	start, end hcl.Pos
	lines      []string
}

// comments returns the comments of src in groups, each line's text
// without its marker.
func comments(src []byte, path string) []commentGroup {
	toks, _ := hclsyntax.LexConfig(src, path, hcl.InitialPos)
	var out []commentGroup
	for _, t := range toks {
		if t.Type != hclsyntax.TokenComment {
			continue
		}
		lines := commentLines(t.Bytes)
		if len(lines) == 0 {
			// An empty block comment, /**/, says nothing.
			continue
		}
		if n := len(out); n > 0 && out[n-1].end.Line >= t.Range.Start.Line-1 &&
			len(bytes.TrimSpace(src[out[n-1].end.Byte:t.Range.Start.Byte])) == 0 &&
			!strings.HasSuffix(string(src[:t.Range.Start.Byte]), "\n\n") {
			out[n-1].lines = append(out[n-1].lines, lines...)
			out[n-1].end = endOf(t)
			continue
		}
		out = append(out, commentGroup{start: t.Range.Start, end: endOf(t), lines: lines})
	}
	return out
}

// endOf is where a comment token ends, not counting the line break a
// line comment's token includes.
func endOf(t hclsyntax.Token) hcl.Pos {
	end := t.Range.End
	if bytes.HasSuffix(t.Bytes, []byte("\n")) {
		end.Line = t.Range.Start.Line
		end.Byte--
	}
	return end
}

// commentLines returns a comment's lines without # or // or /* */.
func commentLines(b []byte) []string {
	// A carriage return is a line end in neither syntax's comments; it is
	// dropped rather than carried into CUE, where it would end the line.
	s := strings.ReplaceAll(strings.TrimRight(string(b), "\r\n"), "\r", "")
	switch {
	case strings.HasPrefix(s, "#"):
		return []string{strings.TrimRight(strings.TrimPrefix(s, "#"), " \t")}
	case strings.HasPrefix(s, "//"):
		return []string{strings.TrimRight(strings.TrimPrefix(s, "//"), " \t")}
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "/*"), "*/")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t\r")
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "*") {
			l = " " + strings.TrimSpace(strings.TrimPrefix(t, "*"))
		}
		out = append(out, l)
	}
	for len(out) > 0 && strings.TrimSpace(out[0]) == "" {
		out = out[1:]
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return out
}

// cueComment makes a CUE comment group of the lines.
func cueComment(lines []string, doc, line bool) *ast.CommentGroup {
	cg := &ast.CommentGroup{Doc: doc, Line: line}
	if line {
		// After a field's value, where CUE's parser puts a trailing comment.
		cg.Position = 5
	}
	for _, l := range lines {
		if l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			l = " " + l
		}
		cg.List = append(cg.List, &ast.Comment{Text: "//" + strings.TrimRight(l, " \t")})
	}
	return cg
}

// attachComments gives each comment to the field it documents: a comment
// on the line of a field's end, or of a block's opening brace, trails that
// field; any other comment is the doc comment of the next field; comments
// after the last field end the file.
func (r *reader) attachComments(f *ast.File) {
	groups := comments(r.src, r.path)
	byStart := slices.Clone(r.placed)
	slices.SortStableFunc(byStart, func(a, b placed) int { return a.start.Byte - b.start.Byte })
	// A field keeps the blank line written above it (or above its doc
	// comment), as CUE's formatter keeps sections apart.
	docStart := map[*ast.Field]int{}
	defer func() {
		for _, p := range byStart {
			at := p.start.Byte
			if d, ok := docStart[p.field]; ok {
				at = d
			}
			if blankLineBefore(r.src, at) {
				ast.SetRelPos(p.field, token.NewSection)
				for _, cg := range ast.Comments(p.field) {
					if cg.Doc && len(cg.List) > 0 {
						cg.List[0].Slash = r.file.Pos(at, token.NewSection)
					}
				}
			}
		}
	}()
	for _, g := range groups {
		if len(g.lines) == 1 {
			var trail *ast.Field
			for _, p := range byStart {
				// A comment after a field on its last line trails it; so
				// does one after a block's opening brace (written so by
				// Write), unless a field inside starts on that line.
				if p.start.Byte < g.start.Byte && (p.end.Line == g.start.Line && p.end.Byte <= g.start.Byte ||
					p.block && p.start.Line == g.start.Line) {
					trail = p.field
				}
			}
			if trail != nil {
				ast.AddComment(trail, cueComment(g.lines, false, true))
				continue
			}
		}
		i, _ := slices.BinarySearchFunc(byStart, g.end.Byte, func(p placed, b int) int { return p.start.Byte - b })
		if i < len(byStart) {
			f := byStart[i].field
			if _, ok := docStart[f]; !ok {
				docStart[f] = g.start.Byte
			}
			ast.AddComment(f, cueComment(g.lines, true, false))
			continue
		}
		f.Decls = append(f.Decls, cueComment(g.lines, false, false))
	}
}

// blankLineBefore reports whether the line holding offset at is preceded
// by an empty line.
func blankLineBefore(src []byte, at int) bool {
	at = min(max(at, 0), len(src))
	i := bytes.LastIndexByte(src[:at], '\n')
	if i < 0 {
		return false
	}
	j := bytes.LastIndexByte(src[:i], '\n')
	return len(bytes.TrimSpace(src[j+1:i])) == 0 && j >= 0
}
