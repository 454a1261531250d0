package hclspec

import (
	"bytes"
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/source"
)

// Write returns the data of a CUE spec file as HCL, by the same mapping
// [Read] reads it with, keeping the comments. Only data converts: a file
// with definitions, references, comprehensions, constraints or other
// expressions gets a diagnostic at each, and no output.
func Write(f *ast.File) ([]byte, diag.Diagnostics) {
	root, err := rootShape()
	if err != nil {
		var ds diag.Diagnostics
		ds.Errorf(diag.Pos{File: f.Filename}, RuleMapping, "%v", err)
		return nil, ds
	}
	w := &writer{}
	w.decls(f.Decls, root, 0, true)
	if len(w.ds) > 0 {
		return nil, w.ds.Sorted()
	}
	out := hclwrite.Format(w.buf.Bytes())
	if _, hds := hclsyntax.ParseConfig(out, f.Filename, hcl.InitialPos); hds.HasErrors() {
		var ds diag.Diagnostics
		ds.Errorf(diag.Pos{File: f.Filename}, RuleMapping, "internal error: the HCL written for this file does not parse: %v", hds)
		return nil, ds
	}
	return out, nil
}

type writer struct {
	buf bytes.Buffer
	ds  diag.Diagnostics
}

func (w *writer) errorf(n ast.Node, format string, args ...any) {
	w.ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleMapping, Pos: source.Pos(n.Pos()),
		Message: fmt.Sprintf(format, args...),
		Hint:    "only data converts to HCL: keep this file in CUE, or write the value itself"})
}

func (w *writer) line(indent int, s string) {
	w.buf.WriteString(strings.Repeat("  ", indent))
	w.buf.WriteString(s)
	w.buf.WriteByte('\n')
}

// docComments writes the comments before n.
func (w *writer) docComments(n ast.Node, indent int) {
	for _, cg := range ast.Comments(n) {
		if cg.Line || trailing(cg) {
			continue
		}
		for _, c := range cg.List {
			w.line(indent, hclComment(c.Text))
		}
	}
}

// trailing reports a comment that stands after its node, on lines of
// its own (the comment at the end of a file, after its last field).
func trailing(cg *ast.CommentGroup) bool {
	return !cg.Doc && !cg.Line && cg.Position > 0
}

// afterComments writes the comments that follow n.
func (w *writer) afterComments(n ast.Node, indent int) {
	for _, cg := range ast.Comments(n) {
		if !trailing(cg) {
			continue
		}
		w.buf.WriteByte('\n')
		for _, c := range cg.List {
			w.line(indent, hclComment(c.Text))
		}
	}
}

// lineComment returns the comment trailing n, with a leading space.
func lineComment(n ast.Node) string {
	var parts []string
	for _, cg := range ast.Comments(n) {
		if !cg.Line {
			continue
		}
		for _, c := range cg.List {
			parts = append(parts, hclComment(c.Text))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

// hclComment turns a CUE comment into an HCL one.
func hclComment(text string) string {
	return "#" + strings.TrimPrefix(text, "//")
}

// entry is one field of a body, with the declarations merged when the
// same name is written more than once (a: {x: 1} and a: {y: 2}).
type entry struct {
	name   string
	fields []*ast.Field
}

// gather groups the fields of decls by name, in order of first
// appearance, and reports everything that is not data.
func (w *writer) gather(decls []ast.Decl, top bool) []*entry {
	var out []*entry
	byName := map[string]*entry{}
	for _, d := range decls {
		switch d := d.(type) {
		case *ast.Package, *ast.ImportDecl:
			if !top {
				w.errorf(d, "a package or import is only allowed at the top")
			}
		case *ast.CommentGroup:
			// Free comments are written where they stand by decls.
		case *ast.Field:
			name, ok := source.StaticLabel(d.Label)
			if !ok || d.Constraint != token.ILLEGAL {
				w.errorf(d, "%s is a definition, a hidden field, a pattern or a constraint", labelText(d.Label))
				continue
			}
			if e, ok := byName[name]; ok {
				e.fields = append(e.fields, d)
				continue
			}
			e := &entry{name: name, fields: []*ast.Field{d}}
			byName[name] = e
			out = append(out, e)
		default:
			w.errorf(d, "this declaration is not data")
		}
	}
	return out
}

func labelText(l ast.Label) string {
	switch l := l.(type) {
	case *ast.Ident:
		return l.Name
	case *ast.BasicLit:
		return l.Value
	}
	return "the label"
}

// decls writes a body whose schema is s: its fields, merged by name, and
// its free comments, in the order they were written.
func (w *writer) decls(decls []ast.Decl, s *shape, indent int, top bool) {
	entries := w.gather(decls, top)
	first := map[*ast.Field]*entry{}
	for _, e := range entries {
		first[e.fields[0]] = e
	}
	n := 0
	for _, d := range decls {
		switch d := d.(type) {
		case *ast.Package:
			// The comments above and below the package clause are about
			// the file: they head it.
			for _, cg := range ast.Comments(d) {
				if !top || cg.Line {
					continue
				}
				if n > 0 {
					w.buf.WriteByte('\n')
				}
				for _, c := range cg.List {
					w.line(indent, hclComment(c.Text))
				}
				n++
			}
		case *ast.CommentGroup:
			if n > 0 && (indent == 0 || d.Pos().RelPos() == token.NewSection) {
				w.buf.WriteByte('\n')
			}
			for _, c := range d.List {
				w.line(indent, hclComment(c.Text))
			}
			n++
		case *ast.Field:
			e, ok := first[d]
			if !ok {
				continue
			}
			if n > 0 && (indent == 0 || sectionStart(d)) {
				w.buf.WriteByte('\n')
			}
			w.entry(e, s.field(e.name), nil, indent)
			for _, f := range e.fields {
				w.afterComments(f, indent)
			}
			n++
		}
	}
}

// sectionStart reports whether a blank line stands above the field in
// its CUE source.
func sectionStart(f *ast.Field) bool {
	for _, cg := range ast.Comments(f) {
		if cg.Doc {
			return cg.Pos().RelPos() == token.NewSection
		}
	}
	return f.Pos().RelPos() == token.NewSection
}

// structs returns the struct literals of the entry's fields, or false
// when one of them is something else.
func structs(e *entry) ([]*ast.StructLit, bool) {
	out := make([]*ast.StructLit, 0, len(e.fields))
	for _, f := range e.fields {
		st, ok := f.Value.(*ast.StructLit)
		if !ok {
			return nil, false
		}
		out = append(out, st)
	}
	return out, true
}

// entry writes one field: as labelled blocks, a block, repeated blocks or
// an attribute, as the schema and the value decide. labels are the map
// keys above it that become the block's labels.
func (w *writer) entry(e *entry, s *shape, labels []string, indent int) {
	sts, allStructs := structs(e)
	switch {
	case allStructs && (s.kind == record || s.kind == open) && (s.kind == record || keysAreNames(sts)):
		w.block(e.name, e, sts, s, labels, indent)
	case allStructs && asEntries(s, sts):
		elts := entryElts(e, sts)
		for i, sub := range w.gather(elts, false) {
			if i > 0 && indent == 0 {
				w.buf.WriteByte('\n')
			}
			w.mapEntry(e.name, sub, s.entry(), append(labels[:len(labels):len(labels)], sub.name), indent)
		}
		w.freeComments(elts, indent)
	case s.kind == records && len(e.fields) == 1 && listOfStructs(e.fields[0].Value):
		f := e.fields[0]
		w.docComments(f, indent)
		for _, el := range f.Value.(*ast.ListLit).Elts {
			st := el.(*ast.StructLit)
			w.docComments(st, indent)
			w.line(indent, blockHeader(e.name, labels)+" {")
			w.decls(st.Elts, s.entry(), indent+1, false)
			w.line(indent, "}")
		}
	default:
		if len(labels) > 0 {
			// A map entry that is not a struct: the map is written as an
			// attribute by the caller; reaching here is a value of the
			// wrong kind, which the schema reports.
			w.errorf(e.fields[0], "%s cannot be written as a block", e.name)
			return
		}
		if len(e.fields) > 1 {
			w.errorf(e.fields[1], "%s is written more than once; an HCL attribute is set once", e.name)
			return
		}
		f := e.fields[0]
		if !hclsyntax.ValidIdentifier(e.name) {
			w.errorf(f, "%q is not a name HCL can use for an attribute", e.name)
			return
		}
		w.docComments(f, indent)
		val, ok := w.value(f.Value, indent)
		if !ok {
			return
		}
		w.line(indent, e.name+" = "+val+lineComment(f))
	}
}

// mapEntry writes one entry of a collection: a labelled block, or, when
// the entry is itself a collection of structs, the blocks of its entries
// with one more label.
func (w *writer) mapEntry(typ string, e *entry, s *shape, labels []string, indent int) {
	sts, ok := structs(e)
	if !ok {
		w.docComments(e.fields[0], indent)
		w.errorf(e.fields[0], "%s %s must be a struct", typ, quoteLabels(labels))
		return
	}
	if asEntries(s, sts) && (s.kind == collection || !keysAreNames(sts)) {
		// The doc comment moves to the first entry (entryElts).
		elts := entryElts(e, sts)
		for _, sub := range w.gather(elts, false) {
			w.mapEntry(typ, sub, s.entry(), append(labels[:len(labels):len(labels)], sub.name), indent)
		}
		return
	}
	w.block(typ, e, sts, s, labels, indent)
}

// block writes the entry's fields as one block: its doc comment, the
// header with the labels, the merged body.
func (w *writer) block(typ string, e *entry, sts []*ast.StructLit, s *shape, labels []string, indent int) {
	w.docComments(e.fields[0], indent)
	w.line(indent, blockHeader(typ, labels)+" {"+lineComment(e.fields[0]))
	w.decls(blockElts(e, sts), s, indent+1, false)
	w.line(indent, "}")
}

// asEntries reports whether struct literals of a field of shape s are
// written as map entries, one labelled block each: the schema says it is
// a map (or does not say), its entries are blocks, and every value is a
// struct.
func asEntries(s *shape, sts []*ast.StructLit) bool {
	return (s.kind == collection || s.kind == open) && blockable(s.entry()) && entriesAreStructs(sts)
}

// freeComments writes the comments standing alone among decls.
func (w *writer) freeComments(decls []ast.Decl, indent int) {
	for _, d := range decls {
		if cg, ok := d.(*ast.CommentGroup); ok {
			for _, c := range cg.List {
				w.line(indent, hclComment(c.Text))
			}
		}
	}
}

// blockElts returns the declarations of one block written for the
// entry's fields: their elements in order, with the doc comment of each
// field after the first standing before its elements.
func blockElts(e *entry, sts []*ast.StructLit) []ast.Decl {
	var elts []ast.Decl
	for i, st := range sts {
		if i > 0 {
			for _, cg := range ast.Comments(e.fields[i]) {
				if !cg.Line {
					elts = append(elts, &ast.CommentGroup{List: cg.List})
				}
			}
		}
		elts = append(elts, st.Elts...)
	}
	return elts
}

// entryElts returns the entries of a map written as labelled blocks: the
// doc comment of each field (services: "a": {…}, documented above
// services) moves to its first entry, above whose block it is written.
func entryElts(e *entry, sts []*ast.StructLit) []ast.Decl {
	var elts []ast.Decl
	for i, st := range sts {
		var docs []*ast.CommentGroup
		for _, cg := range ast.Comments(e.fields[i]) {
			if !cg.Line {
				docs = append(docs, cg)
			}
		}
		moved := len(docs) == 0
		for _, d := range st.Elts {
			if f, ok := d.(*ast.Field); ok && !moved {
				f.SetComments(append(docs, ast.Comments(f)...))
				moved = true
			}
			elts = append(elts, d)
		}
	}
	return elts
}

// keysAreNames reports whether every field of the literals has a name
// HCL can use for an attribute or a block type.
func keysAreNames(sts []*ast.StructLit) bool {
	for _, st := range sts {
		for _, d := range st.Elts {
			if f, ok := d.(*ast.Field); ok {
				if name, ok := source.StaticLabel(f.Label); !ok || !hclsyntax.ValidIdentifier(name) {
					return false
				}
			}
		}
	}
	return true
}

// entriesAreStructs reports whether every field of the literals holds a
// struct literal, so that the map they form can be written as blocks.
func entriesAreStructs(sts []*ast.StructLit) bool {
	for _, st := range sts {
		for _, d := range st.Elts {
			if f, ok := d.(*ast.Field); ok {
				if _, ok := f.Value.(*ast.StructLit); !ok {
					return false
				}
			}
		}
	}
	return true
}

// blockable reports whether entries of this shape are written as blocks.
func blockable(s *shape) bool {
	switch s.kind {
	case record, open:
		return true
	case collection:
		return blockable(s.entry())
	}
	return false
}

func listOfStructs(x ast.Expr) bool {
	l, ok := x.(*ast.ListLit)
	if !ok || len(l.Elts) == 0 {
		return false
	}
	for _, e := range l.Elts {
		if _, ok := e.(*ast.StructLit); !ok {
			return false
		}
	}
	return true
}

func blockHeader(typ string, labels []string) string {
	if len(labels) == 0 {
		return typ
	}
	return typ + " " + quoteLabels(labels)
}

// value writes an expression as an HCL value.
func (w *writer) value(x ast.Expr, indent int) (string, bool) {
	switch x := x.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			if strings.HasPrefix(x.Value, "'") || strings.HasPrefix(x.Value, "#") {
				w.errorf(x, "bytes and raw strings do not convert; write it as a string")
				return "", false
			}
			s, err := literal.Unquote(x.Value)
			if err != nil {
				w.errorf(x, "string: %v", err)
				return "", false
			}
			return quote(s), true
		case token.INT, token.FLOAT:
			return number(x.Value), true
		case token.TRUE, token.FALSE, token.NULL:
			return x.Value, true
		}
	case *ast.Ident:
		switch x.Name {
		case "true", "false", "null":
			return x.Name, true
		}
		w.errorf(x, "%s is a reference", x.Name)
		return "", false
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			switch x.Op {
			case token.SUB:
				return "-" + number(lit.Value), true
			case token.ADD:
				return number(lit.Value), true
			}
		}
	case *ast.SelectorExpr, *ast.IndexExpr:
		w.errorf(x, "this is a reference to another value")
		return "", false
	case *ast.ParenExpr:
		return w.value(x.X, indent)
	case *ast.ListLit:
		return w.list(x, indent)
	case *ast.StructLit:
		return w.object(x, indent)
	}
	w.errorf(x, "this expression is not a literal value")
	return "", false
}

// number writes a CUE number literal as HCL reads numbers: decimal, with
// CUE's digit separators, bases and multipliers (1Ki) worked out.
func number(s string) string {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return "-" + number(rest)
	}
	var ni literal.NumInfo
	if err := literal.ParseNum(s, &ni); err != nil {
		return s
	}
	if out := ni.String(); out != "" {
		return out
	}
	return s
}

func (w *writer) list(l *ast.ListLit, indent int) (string, bool) {
	elems := make([]string, 0, len(l.Elts))
	multi := false
	for _, e := range l.Elts {
		if _, ok := e.(*ast.Ellipsis); ok {
			w.errorf(e, "an open list is a constraint, not data")
			return "", false
		}
		v, ok := w.value(e, indent+1)
		if !ok {
			return "", false
		}
		if strings.Contains(v, "\n") || len(ast.Comments(e)) > 0 {
			multi = true
		}
		elems = append(elems, v)
	}
	if len(elems) == 0 {
		return "[]", true
	}
	one := "[" + strings.Join(elems, ", ") + "]"
	if !multi && len(one)+indent*2 <= 100 {
		return one, true
	}
	var b strings.Builder
	b.WriteString("[\n")
	pad := strings.Repeat("  ", indent+1)
	for i, v := range elems {
		for _, cg := range ast.Comments(l.Elts[i]) {
			for _, c := range cg.List {
				b.WriteString(pad + hclComment(c.Text) + "\n")
			}
		}
		b.WriteString(pad + v + ",\n")
	}
	b.WriteString(strings.Repeat("  ", indent) + "]")
	return b.String(), true
}

func (w *writer) object(st *ast.StructLit, indent int) (string, bool) {
	type kv struct {
		key, val string
		f        *ast.Field
	}
	var kvs []kv
	multi := false
	for _, d := range st.Elts {
		switch d := d.(type) {
		case *ast.CommentGroup:
			multi = true
			continue
		case *ast.Field:
			name, ok := source.StaticLabel(d.Label)
			if !ok || d.Constraint != token.ILLEGAL {
				w.errorf(d, "%s is a definition, a hidden field, a pattern or a constraint", labelText(d.Label))
				return "", false
			}
			v, ok := w.value(d.Value, indent+1)
			if !ok {
				return "", false
			}
			if strings.Contains(v, "\n") || len(ast.Comments(d)) > 0 {
				multi = true
			}
			kvs = append(kvs, kv{objectKey(name), v, d})
		default:
			w.errorf(d, "this declaration is not data")
			return "", false
		}
	}
	if len(kvs) == 0 {
		return "{}", true
	}
	parts := make([]string, len(kvs))
	for i, p := range kvs {
		parts[i] = p.key + " = " + p.val
	}
	one := "{ " + strings.Join(parts, ", ") + " }"
	if !multi && len(one)+indent*2 <= 100 {
		return one, true
	}
	var b strings.Builder
	b.WriteString("{\n")
	pad := strings.Repeat("  ", indent+1)
	for _, p := range kvs {
		for _, cg := range ast.Comments(p.f) {
			if cg.Line {
				continue
			}
			for _, c := range cg.List {
				b.WriteString(pad + hclComment(c.Text) + "\n")
			}
		}
		b.WriteString(pad + p.key + " = " + p.val + lineComment(p.f) + "\n")
	}
	b.WriteString(strings.Repeat("  ", indent) + "}")
	return b.String(), true
}

// objectKey writes a key of an object: bare when HCL reads it as the
// same name, quoted otherwise.
func objectKey(name string) string {
	switch name {
	case "true", "false", "null":
	default:
		if hclsyntax.ValidIdentifier(name) {
			return name
		}
	}
	return quote(name)
}
