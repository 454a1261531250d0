package hclspec

import (
	"fmt"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/source"
)

// ToHCL converts the source of a CUE spec file to HCL, comments kept.
func ToHCL(path string, src []byte) ([]byte, diag.Diagnostics) {
	f, err := parser.ParseFile(path, src, parser.ParseComments)
	if err != nil {
		return nil, cueDiags(path, err)
	}
	return Write(f)
}

// ToCUE converts the source of an HCL spec file to formatted CUE, comments
// kept, with the package clause pkg (none when pkg is empty).
func ToCUE(path string, src []byte, pkg string) ([]byte, diag.Diagnostics) {
	f, ds := Read(path, src, Options{Comments: true})
	if len(ds) > 0 {
		return nil, ds
	}
	for i, d := range f.Decls {
		if i > 0 {
			ast.SetRelPos(d, token.NewSection)
		}
	}
	if pkg != "" {
		p := &ast.Package{Name: ast.NewIdent(pkg)}
		if len(f.Decls) > 0 {
			// The file's leading comment documents the file: above the
			// package clause, as CUE files keep it.
			if first, ok := f.Decls[0].(*ast.Field); ok {
				if cgs := ast.Comments(first); len(cgs) > 0 && cgs[0].Doc && leadsFile(src) {
					ast.AddComment(p, cgs[0])
					first.SetComments(cgs[1:])
				}
			}
			ast.SetRelPos(f.Decls[0], token.NewSection)
		}
		f.Decls = append([]ast.Decl{p}, f.Decls...)
	}
	out, err := format.Node(f)
	if err != nil {
		var ds diag.Diagnostics
		ds.Errorf(diag.Pos{File: path}, RuleMapping, "internal error: format the CUE of this file: %v", err)
		return nil, ds
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	if _, err := parser.ParseFile(path, out); err != nil {
		var ds diag.Diagnostics
		ds.Errorf(diag.Pos{File: path}, RuleMapping, "internal error: the CUE written for this file does not parse: %v", err)
		return nil, ds
	}
	return out, nil
}

// leadsFile reports whether src starts with a comment followed by a blank
// line: a comment about the file rather than about its first block.
func leadsFile(src []byte) bool {
	groups := comments(src, "")
	if len(groups) == 0 || groups[0].start.Byte != firstNonSpace(src) {
		return false
	}
	rest := src[min(groups[0].end.Byte, len(src)):]
	n := 0
	for _, c := range rest {
		switch c {
		case '\n':
			n++
			if n == 2 {
				return true
			}
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return false
}

func firstNonSpace(src []byte) int {
	for i, c := range src {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return len(src)
}

func cueDiags(path string, err error) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, e := range errors.Errors(err) {
		pos := source.Pos(e.Position())
		if !pos.IsValid() {
			pos = diag.Pos{File: path}
		}
		f, args := e.Msg()
		ds.Errorf(pos, RuleSyntax, "%s", fmt.Sprintf(f, args...))
	}
	return ds
}
