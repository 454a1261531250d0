// Package hclspec maps spec files written in HCL to CUE syntax and back.
// One rule, driven by the embedded schema, decides both directions:
//
//   - an attribute is a field: displayName = "Search";
//   - a block without labels is a struct field of that name: resources { … };
//   - a block with a label is an entry of the map named by its type:
//     teams "search" { … } is teams: search: { … }, and each further label
//     descends one more map (quotas "prod" { gpus "h100" { … } });
//   - repeated blocks of a field the schema types as a list of structs are
//     that list, in order: routes { … } routes { … }.
//
// Values are literals, lists, objects and string templates without
// interpolation. A file read this way becomes an ordinary CUE syntax tree
// whose positions are the HCL file's, so the loader, the schema, the
// cross-reference checks and the policies treat it as they treat a .cue
// file, and every diagnostic points into the HCL.
package hclspec

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/source"
)

// Ext is the file name extension of HCL spec files.
const Ext = ".hcl"

// Rule IDs of the problems the mapping finds.
const (
	// RuleSyntax is HCL's own syntax errors (the loader's rule for CUE's).
	RuleSyntax = "syntax"
	// RuleMapping is a file that is valid HCL but does not map onto the
	// schema: a block where an attribute belongs, a missing label, a
	// reference.
	RuleMapping = "hcl"
)

// Options tune [Read].
type Options struct {
	// Comments attaches the file's comments to the syntax tree, for
	// writing it out as CUE. Checking a spec does not need them.
	Comments bool
}

// Read parses an HCL spec file into a CUE syntax tree without a package
// clause. Problems are returned as diagnostics at the HCL positions; the
// tree is nil when there are any.
func Read(path string, src []byte, opts Options) (*ast.File, diag.Diagnostics) {
	root, err := rootShape()
	if err != nil {
		var ds diag.Diagnostics
		ds.Errorf(diag.Pos{File: path}, RuleMapping, "%v", err)
		return nil, ds
	}
	r := &reader{path: path, src: src, file: token.NewFile(path, -1, len(src)), comments: opts.Comments}
	r.file.SetLinesForContent(src)
	f, ok := r.parse()
	if !ok {
		return nil, r.ds.Sorted()
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		r.ds.Errorf(diag.Pos{File: path}, RuleSyntax, "not an HCL native syntax file")
		return nil, r.ds
	}
	out := &ast.File{Filename: path, Decls: r.body(body, root)}
	if len(r.ds) > 0 {
		return nil, r.ds.Sorted()
	}
	if opts.Comments {
		r.attachComments(out)
	}
	return out, nil
}

// SyntaxErrors returns HCL's syntax errors in src, nil when it parses.
func SyntaxErrors(path string, src []byte) diag.Diagnostics {
	r := &reader{path: path, src: src, file: token.NewFile(path, -1, len(src))}
	r.file.SetLinesForContent(src)
	if _, ok := r.parse(); ok {
		return nil
	}
	return r.ds.Sorted()
}

// MaxNesting bounds how deeply an HCL file may nest brackets, braces and
// parentheses, and how long a chain of unary operators (- - - 1, !!true)
// may be. hclsyntax parses both by recursion, and input nested some
// hundred thousand levels deep overflows the goroutine stack, which no
// recover can catch. The bound is far above any spec (acme-shop nests 5
// levels; the loader refuses more than 100 after reading), and is
// counted on the bytes, strings and comments included, before parsing.
const MaxNesting = 1000

// parse parses the file with hclsyntax after bounding its nesting; it
// reports the problems and returns false when there are any.
func (r *reader) parse() (*hcl.File, bool) {
	if at, ok := nestingWithin(r.src, MaxNesting); !ok {
		p := r.file.Pos(at, token.NoRelPos)
		r.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleSyntax, Pos: source.Pos(p),
			Message: fmt.Sprintf("nested more than %d levels deep (brackets, braces, parentheses or unary operators)", MaxNesting),
			Hint:    "a spec nests a few levels; flatten the value"})
		return nil, false
	}
	f, hds := hclsyntax.ParseConfig(r.src, r.path, hcl.InitialPos)
	if hds.HasErrors() {
		r.hclDiags(hds)
		return nil, false
	}
	return f, true
}

// nestingWithin scans src for the first byte where the brackets, braces
// and parentheses open, or a run of unary operators, exceed limit. It
// counts every byte, in strings and comments too: true nesting can only
// be undercounted by closing brackets that are not there, so deep input is
// always caught, and a string would need a thousand unmatched brackets to
// be refused.
func nestingWithin(src []byte, limit int) (int, bool) {
	depth, unary := 0, 0
	for i, c := range src {
		switch c {
		case '{', '[', '(':
			depth++
			if depth > limit {
				return i, false
			}
		case '}', ']', ')':
			depth = max(depth-1, 0)
		case '-', '!':
			unary++
			if unary > limit {
				return i, false
			}
			continue
		case ' ', '\t', '\r', '\n':
			continue
		}
		unary = 0
	}
	return 0, true
}

type reader struct {
	comments bool
	path     string
	src      []byte
	file     *token.File
	ds       diag.Diagnostics
	// placed are the fields made, by where they start in the HCL, for
	// attaching comments.
	placed []placed
}

type placed struct {
	start, end hcl.Pos
	field      *ast.Field
	// block reports a block, whose first line ends with its opening brace.
	block bool
}

// place records where a field was written, for attaching comments.
func (r *reader) place(start, end hcl.Pos, f *ast.Field, block bool) {
	if r.comments {
		r.placed = append(r.placed, placed{start, end, f, block})
	}
}

func (r *reader) pos(p hcl.Pos) token.Pos { return r.file.Pos(p.Byte, token.NoRelPos) }

func (r *reader) dpos(p hcl.Pos) diag.Pos { return source.Pos(r.pos(p)) }

func (r *reader) errorf(rng hcl.Range, hint string, format string, args ...any) {
	r.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleMapping, Pos: r.dpos(rng.Start),
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

// hclDiags reports HCL's own diagnostics, with the line they are about as
// the hint so that the text output shows the source.
func (r *reader) hclDiags(hds hcl.Diagnostics) {
	for _, d := range hds {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		dd := diag.Diagnostic{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{File: r.path}, Message: msg}
		if d.Subject != nil {
			dd.Pos = r.dpos(d.Subject.Start)
			dd.Hint = r.snippet(*d.Subject)
		}
		r.ds.Append(dd)
	}
}

// snippet returns the source line rng starts on, for a hint.
func (r *reader) snippet(rng hcl.Range) string {
	start := min(max(rng.Start.Byte, 0), len(r.src))
	lo := strings.LastIndexByte(string(r.src[:start]), '\n') + 1
	hi := len(r.src)
	if i := strings.IndexByte(string(r.src[start:]), '\n'); i >= 0 {
		hi = start + i
	}
	line := strings.TrimSpace(string(r.src[lo:hi]))
	if line == "" {
		return ""
	}
	if len(line) > 120 {
		line = line[:120] + "…"
	}
	return fmt.Sprintf("line %d: %s", rng.Start.Line, line)
}

// label returns a field label for name at p, quoted when it is not a
// plain CUE identifier.
func (r *reader) label(name string, p hcl.Pos) ast.Label {
	return r.labelAt(name, r.pos(p))
}

// plainIdent reports whether name can stand unquoted as a regular CUE
// field label.
func plainIdent(name string) bool {
	if !ast.IsValidIdent(name) || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "#") {
		return false
	}
	switch name {
	case "package", "import", "for", "in", "if", "let", "true", "false", "null", "func", "__":
		return false
	}
	return true
}

type item struct {
	start hcl.Pos
	attr  *hclsyntax.Attribute
	block *hclsyntax.Block
}

// body converts the attributes and blocks of a body whose schema is s, in
// source order.
func (r *reader) body(b *hclsyntax.Body, s *shape) []ast.Decl {
	items := make([]item, 0, len(b.Attributes)+len(b.Blocks))
	for _, a := range b.Attributes {
		items = append(items, item{start: a.NameRange.Start, attr: a})
	}
	for _, blk := range b.Blocks {
		items = append(items, item{start: blk.TypeRange.Start, block: blk})
	}
	slices.SortFunc(items, func(a, b item) int { return a.start.Byte - b.start.Byte })

	var decls []ast.Decl
	attrAt := map[string]hcl.Range{}
	blockAt := map[string]hcl.Range{}
	// lists holds the list of each list-of-structs field, filled by its
	// repeated blocks.
	lists := map[string]*ast.ListLit{}
	for _, it := range items {
		name, rng := "", hcl.Range{}
		if it.attr != nil {
			name, rng = it.attr.Name, it.attr.NameRange
		} else {
			name, rng = it.block.Type, it.block.TypeRange
		}
		if !utf8.ValidString(name) || !hclsyntax.ValidIdentifier(name) {
			// HCL's lexer takes bytes that are not UTF-8 into a name.
			r.errorf(rng, "names are letters, digits, '_' and '-', in UTF-8", "%q is not a valid name", name)
			continue
		}
		if a := it.attr; a != nil {
			if prev, ok := blockAt[a.Name]; ok {
				r.conflict(a.NameRange, prev, a.Name)
				continue
			}
			attrAt[a.Name] = a.NameRange
			fs := s.field(a.Name)
			r.checkAttrForm(a, fs)
			f := &ast.Field{Label: r.label(a.Name, a.NameRange.Start), Value: r.expr(a.Expr)}
			r.place(a.SrcRange.Start, a.SrcRange.End, f, false)
			decls = append(decls, f)
			continue
		}
		blk := it.block
		if prev, ok := attrAt[blk.Type]; ok {
			r.conflict(blk.TypeRange, prev, blk.Type)
			continue
		}
		fs := s.field(blk.Type)
		if f := r.block(blk, fs, blockAt, lists); f != nil {
			r.place(blk.TypeRange.Start, blk.Body.SrcRange.End, f, true)
			decls = append(decls, f)
		}
	}
	return decls
}

func (r *reader) conflict(at, prev hcl.Range, name string) {
	r.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleMapping, Pos: r.dpos(at.Start),
		Message: fmt.Sprintf("%s is set both as an attribute and as a block", name),
		Related: []diag.Pos{r.dpos(prev.Start)},
		Hint:    "write it once: a block for a struct or a map entry, an attribute for a value"})
}

// checkAttrForm reports an attribute whose value cannot be what the
// schema wants there: a scalar where a struct, a map or a list of structs
// belongs.
func (r *reader) checkAttrForm(a *hclsyntax.Attribute, fs *shape) {
	x := a.Expr
	for {
		p, ok := x.(*hclsyntax.ParenthesesExpr)
		if !ok {
			break
		}
		x = p.Expression
	}
	switch x.(type) {
	case *hclsyntax.ObjectConsExpr, *hclsyntax.TupleConsExpr:
		return
	}
	if v, ok := x.(*hclsyntax.LiteralValueExpr); ok && v.Val.IsNull() {
		return
	}
	switch fs.kind {
	case record:
		r.errorf(a.NameRange, fmt.Sprintf("%s { … }", a.Name), "%s is a struct, not a value: write it as a block", a.Name)
	case collection:
		r.errorf(a.NameRange, fmt.Sprintf("%s \"NAME\" { … }, one block per entry", a.Name), "%s is a map keyed by name, not a value: write it as labelled blocks", a.Name)
	case records:
		r.errorf(a.NameRange, fmt.Sprintf("%s { … }, once per element", a.Name), "%s is a list of structs, not a value: write it as repeated blocks", a.Name)
	}
}

// block converts one block into a field, or appends it to the list of a
// list-of-structs field already made (returning nil).
func (r *reader) block(blk *hclsyntax.Block, fs *shape, seen map[string]hcl.Range, lists map[string]*ast.ListLit) *ast.Field {
	if len(blk.Labels) == 0 {
		switch fs.kind {
		case scalar:
			r.errorf(blk.TypeRange, fmt.Sprintf("%s = …", blk.Type), "%s is %s (%s), not a block: write it as an attribute", blk.Type, fs.kind, fs.what)
			return nil
		case collection:
			r.errorf(blk.TypeRange, fmt.Sprintf("%s \"NAME\" { … }", blk.Type), "%s is a map keyed by name: the block needs a label naming the entry", blk.Type)
			return nil
		case records:
			st := r.structLit(blk.Body, fs.entry())
			if l, ok := lists[blk.Type]; ok {
				l.Elts = append(l.Elts, st)
				return nil
			}
			l := &ast.ListLit{Lbrack: r.pos(blk.OpenBraceRange.Start), Elts: []ast.Expr{st}}
			lists[blk.Type] = l
			return &ast.Field{Label: r.label(blk.Type, blk.TypeRange.Start), Value: l}
		}
		if prev, ok := seen[blk.Type]; ok {
			r.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleMapping, Pos: r.dpos(blk.TypeRange.Start),
				Message: fmt.Sprintf("block %s is given twice", blk.Type),
				Related: []diag.Pos{r.dpos(prev.Start)},
				Hint:    "merge the two blocks into one"})
			return nil
		}
		seen[blk.Type] = blk.TypeRange
		return &ast.Field{Label: r.label(blk.Type, blk.TypeRange.Start), Value: r.structLit(blk.Body, fs)}
	}

	for i, lab := range blk.Labels {
		if !printable(lab) {
			r.errorf(blk.LabelRanges[i], "write the key as a quoted string of printable UTF-8", "label %q holds a control character or bytes that are not UTF-8", lab)
			return nil
		}
	}
	cur := fs
	for i, lab := range blk.Labels {
		switch cur.kind {
		case record, scalar, records:
			what := "block"
			if i > 0 {
				what = fmt.Sprintf("block %s %q", blk.Type, blk.Labels[i-1])
			}
			hint := fmt.Sprintf("%s { … }", strings.TrimSpace(blk.Type+" "+quoteLabels(blk.Labels[:i])))
			if cur.kind == scalar {
				hint = "an attribute, not a block"
			}
			r.errorf(blk.LabelRanges[i], hint, "label %q is not allowed: the %s is %s, which takes no label", lab, what, cur.kind)
			return nil
		}
		cur = cur.entry()
	}
	key := blk.Type + "\x00" + strings.Join(blk.Labels, "\x00")
	if prev, ok := seen[key]; ok {
		r.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleMapping, Pos: r.dpos(blk.TypeRange.Start),
			Message: fmt.Sprintf("block %s %s is given twice: a map entry is one block", blk.Type, quoteLabels(blk.Labels)),
			Related: []diag.Pos{r.dpos(prev.Start)},
			Hint:    "merge the two blocks into one"})
		return nil
	}
	seen[key] = blk.TypeRange
	var value ast.Expr = r.structLit(blk.Body, cur)
	for i := len(blk.Labels) - 1; i >= 0; i-- {
		value = &ast.StructLit{Elts: []ast.Decl{&ast.Field{Label: r.label(blk.Labels[i], blk.LabelRanges[i].Start), Value: value}}}
	}
	return &ast.Field{Label: r.label(blk.Type, blk.TypeRange.Start), Value: value}
}

// printable reports a string of UTF-8 without control characters, as a
// map key must be.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return false
		}
	}
	return true
}

// quote writes s as an HCL quoted string: escaped as HCL reads it back,
// template sequences doubled and control characters as \u escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, c := range s {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteRune(c)
			b.WriteRune(c)
		case c == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case unicode.IsControl(c) || c == '\u2028' || c == '\u2029':
			if c > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, c)
			} else {
				fmt.Fprintf(&b, `\u%04x`, c)
			}
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func quoteLabels(labels []string) string {
	q := make([]string, len(labels))
	for i, l := range labels {
		q[i] = quote(l)
	}
	return strings.Join(q, " ")
}

func (r *reader) structLit(b *hclsyntax.Body, s *shape) *ast.StructLit {
	return &ast.StructLit{
		Lbrace: r.pos(b.SrcRange.Start),
		Elts:   r.body(b, s),
		Rbrace: r.pos(b.EndRange.Start),
	}
}

// expr converts an attribute's value: objects and tuples element by
// element, so that each keeps its position, and everything else as the
// constant it evaluates to without variables or functions.
func (r *reader) expr(x hclsyntax.Expression) ast.Expr {
	switch x := x.(type) {
	case *hclsyntax.ParenthesesExpr:
		return r.expr(x.Expression)
	case *hclsyntax.TupleConsExpr:
		l := &ast.ListLit{Lbrack: r.pos(x.OpenRange.Start)}
		for _, e := range x.Exprs {
			l.Elts = append(l.Elts, r.expr(e))
		}
		return l
	case *hclsyntax.ObjectConsExpr:
		st := &ast.StructLit{Lbrace: r.pos(x.OpenRange.Start)}
		keys := map[string]hcl.Range{}
		for _, it := range x.Items {
			name, ok := r.objectKey(it.KeyExpr)
			if !ok {
				continue
			}
			krng := it.KeyExpr.Range()
			if !printable(name) {
				r.errorf(krng, "write the key as a quoted string of printable UTF-8", "key %q holds a control character or bytes that are not UTF-8", name)
				continue
			}
			if prev, dup := keys[name]; dup {
				r.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleMapping, Pos: r.dpos(krng.Start),
					Message: fmt.Sprintf("key %q is given twice in this object", name),
					Related: []diag.Pos{r.dpos(prev.Start)}})
				continue
			}
			keys[name] = krng
			f := &ast.Field{Label: r.label(name, krng.Start), Value: r.expr(it.ValueExpr)}
			r.place(krng.Start, it.ValueExpr.Range().End, f, false)
			st.Elts = append(st.Elts, f)
		}
		st.Rbrace = r.pos(x.SrcRange.End)
		return st
	}
	return r.constant(x)
}

// objectKey returns the name an object key stands for: a bare name, or a
// string without interpolation.
func (r *reader) objectKey(k hclsyntax.Expression) (string, bool) {
	if ck, ok := k.(*hclsyntax.ObjectConsKeyExpr); ok {
		if name := hcl.ExprAsKeyword(ck.Wrapped); name != "" && !ck.ForceNonLiteral {
			return name, true
		}
		k = ck.Wrapped
	}
	if !r.noReferences(k) {
		return "", false
	}
	v, hds := k.Value(nil)
	if hds.HasErrors() {
		r.hclDiags(hds)
		return "", false
	}
	if v.IsNull() || !v.IsWhollyKnown() || v.Type() != cty.String {
		r.errorf(k.Range(), "write the key as a name or a quoted string", "an object key must be a string")
		return "", false
	}
	return v.AsString(), true
}

// noReferences reports an expression that refers to variables.
func (r *reader) noReferences(x hclsyntax.Expression) bool {
	vars := x.Variables()
	if len(vars) == 0 {
		return true
	}
	t := vars[0]
	r.errorf(t.SourceRange(), "HCL spec files hold values; write the value itself, or keep this part of the spec in CUE, where values can refer to each other",
		"%s is a reference, which HCL spec files do not support", traversalString(t))
	return false
}

func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		default:
			b.WriteString("[…]")
		}
	}
	return b.String()
}

// maxExponent bounds the binary exponent of a number, so that writing a
// number such as 1e999999999 out in decimal cannot take the memory and
// time of its billion digits; CUE's own bound (load.numberInRange) is far
// below it.
const maxExponent = 1 << 14

func (r *reader) constant(x hclsyntax.Expression) ast.Expr {
	rng := x.Range()
	// Most values are a quoted string without interpolation or a literal:
	// read them without walking the expression for variables and
	// evaluating it.
	switch l := x.(type) {
	case *hclsyntax.TemplateExpr:
		if len(l.Parts) == 1 {
			if lit, ok := l.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && !lit.Val.IsNull() {
				return &ast.BasicLit{Kind: token.STRING, Value: literal.String.Quote(lit.Val.AsString()), ValuePos: r.pos(rng.Start)}
			}
		}
	case *hclsyntax.LiteralValueExpr:
		if l.Val.Type() == cty.Bool && !l.Val.IsNull() {
			e, _ := r.value(l.Val, r.pos(rng.Start))
			return e
		}
	}
	if !r.noReferences(x) {
		return &ast.BottomLit{Bottom: r.pos(rng.Start)}
	}
	if neg, lit, ok := numberLiteral(x, r.src); ok {
		kind := token.INT
		if strings.ContainsAny(lit, ".eE") {
			kind = token.FLOAT
		}
		if !neg {
			return &ast.BasicLit{Kind: kind, Value: lit, ValuePos: r.pos(rng.Start)}
		}
		// -5 is an operator on a literal, as CUE's parser reads it.
		u := x.(*hclsyntax.UnaryOpExpr)
		return &ast.UnaryExpr{Op: token.SUB, OpPos: r.pos(rng.Start),
			X: &ast.BasicLit{Kind: kind, Value: lit, ValuePos: r.pos(u.Val.Range().Start)}}
	}
	v, hds := x.Value(nil)
	if hds.HasErrors() {
		r.hclDiags(hds)
		return &ast.BottomLit{Bottom: r.pos(rng.Start)}
	}
	e, err := r.value(v, r.pos(rng.Start))
	if err != "" {
		r.errorf(rng, "", "%s", err)
		return &ast.BottomLit{Bottom: r.pos(rng.Start)}
	}
	return e
}

// numberLiteral returns the source text of a number written literally,
// and whether it is negated, so that 1.0 stays a float and 0.1 exact.
func numberLiteral(x hclsyntax.Expression, src []byte) (neg bool, text string, ok bool) {
	if u, isU := x.(*hclsyntax.UnaryOpExpr); isU && u.Op == hclsyntax.OpNegate {
		neg, x = true, u.Val
	}
	l, isLit := x.(*hclsyntax.LiteralValueExpr)
	if !isLit || l.Val.Type() != cty.Number || l.Val.IsNull() {
		return false, "", false
	}
	rng := l.SrcRange
	if rng.Start.Byte < 0 || rng.End.Byte > len(src) || rng.Start.Byte >= rng.End.Byte {
		return false, "", false
	}
	if exp := l.Val.AsBigFloat().MantExp(nil); exp > maxExponent || exp < -maxExponent {
		return false, "", false
	}
	return neg, string(src[rng.Start.Byte:rng.End.Byte]), true
}

// value converts a constant.
func (r *reader) value(v cty.Value, p token.Pos) (ast.Expr, string) {
	if !v.IsWhollyKnown() {
		return nil, "the value is not known until run time"
	}
	if v.IsNull() {
		return &ast.BasicLit{Kind: token.NULL, Value: "null", ValuePos: p}, ""
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return &ast.BasicLit{Kind: token.STRING, Value: literal.String.Quote(v.AsString()), ValuePos: p}, ""
	case t == cty.Bool:
		if v.True() {
			return &ast.BasicLit{Kind: token.TRUE, Value: "true", ValuePos: p}, ""
		}
		return &ast.BasicLit{Kind: token.FALSE, Value: "false", ValuePos: p}, ""
	case t == cty.Number:
		f := v.AsBigFloat()
		if f.IsInf() {
			return nil, "the number is infinite (a division by zero?)"
		}
		if exp := f.MantExp(nil); exp > maxExponent || exp < -maxExponent {
			return nil, "the number is out of range"
		}
		neg := f.Sign() < 0
		f.Abs(f)
		lit := &ast.BasicLit{Kind: token.FLOAT, Value: floatText(f), ValuePos: p}
		if f.IsInt() {
			lit.Kind, lit.Value = token.INT, f.Text('f', 0)
		}
		if neg {
			// A negative number is CUE's unary minus on its magnitude.
			return &ast.UnaryExpr{Op: token.SUB, OpPos: p, X: lit}, ""
		}
		return lit, ""
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		l := &ast.ListLit{Lbrack: p}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			e, err := r.value(ev, p)
			if err != "" {
				return nil, err
			}
			l.Elts = append(l.Elts, e)
		}
		return l, ""
	case t.IsObjectType() || t.IsMapType():
		st := &ast.StructLit{Lbrace: p}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			e, err := r.value(ev, p)
			if err != "" {
				return nil, err
			}
			st.Elts = append(st.Elts, &ast.Field{Label: r.labelAt(k.AsString(), p), Value: e})
		}
		return st, ""
	}
	return nil, fmt.Sprintf("a value of type %s cannot be part of a spec", t.FriendlyName())
}

func (r *reader) labelAt(name string, p token.Pos) ast.Label {
	if plainIdent(name) {
		return &ast.Ident{Name: name, NamePos: p}
	}
	return &ast.BasicLit{Kind: token.STRING, Value: literal.Label.Quote(name), ValuePos: p}
}

// floatText writes a computed number in the fewest digits that read back
// as the same float64, which is what CUE's float holds in practice.
func floatText(f *big.Float) string {
	x, _ := f.Float64()
	s := big.NewFloat(x).Text('g', -1)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
