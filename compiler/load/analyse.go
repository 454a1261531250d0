package load

import (
	"strings"

	"cuelang.org/go/cue/ast"

	"github.com/platc-dev/platc/compiler/source"
)

// splitPaths are the spec paths whose children are independent: map
// entries keyed by name, or structs whose fields are all optional maps.
// A file's footprint stops one level below the deepest split path it
// writes through, so two files writing teams.vision and teams.nlp are
// independent while two files writing parts of platform are not.
var splitPaths = map[string]bool{
	"":                        true,
	"environments":            true,
	"teams":                   true,
	"services":                true,
	"integrations":            true,
	"models":                  true,
	"exceptions":              true,
	"events":                  true,
	"events.topics":           true,
	"data":                    true,
	"data.datasets":           true,
	"data.pipelines":          true,
	"governance":              true,
	"governance.raci":         true,
	"governance.architecture": true,
	"governance.stages":       true,
	"governance.changes":      true,
}

// analyse computes the file's footprint, dependencies and declarations.
func (f *File) analyse() {
	schemaName := ""
	f.Package = f.Syntax.PackageName()
	for spec := range f.Syntax.ImportSpecs() {
		path := strings.Trim(spec.Path.Value, `"`)
		f.Imports = append(f.Imports, path)
		f.ImportPos = append(f.ImportPos, spec.Path.Pos())
		if IsSchemaImport(path) {
			schemaName = "schema"
			if spec.Name != nil {
				schemaName = spec.Name.Name
			}
		}
	}
	binding := schemaName != ""
	data := false
	for _, d := range f.Syntax.Decls {
		switch d := d.(type) {
		case *ast.Package, *ast.ImportDecl, *ast.Attribute, *ast.CommentGroup:
		case *ast.Field:
			name, regular := source.StaticLabel(d.Label)
			if !regular {
				if id, ok := labelIdent(d.Label); ok {
					f.Declares = append(f.Declares, id)
					binding = false
					f.walkRefs(d.Value)
					continue
				}
				// A pattern or dynamic label at the top may write anywhere.
				binding, data = false, true
				f.Footprint = append(f.Footprint, nil)
				f.walkRefs(d.Value)
				continue
			}
			data = true
			f.Declares = append(f.Declares, name)
			if binding && !isSchemaRef(d.Value, schemaName) {
				binding = false
			}
			f.footprint([]string{name}, d.Value)
			f.walkRefs(d.Value)
		case *ast.LetClause:
			f.Declares = append(f.Declares, d.Ident.Name)
			binding = false
			f.walkRefs(d.Expr)
		default:
			// Embeddings, comprehensions and ellipses at the top level.
			binding, data = false, true
			f.Footprint = append(f.Footprint, nil)
			f.walkRefs(d)
		}
	}
	f.Binding = binding && data
	f.Library = !data
	if f.Binding {
		f.Footprint, f.Deps = nil, nil
	}
}

func labelIdent(l ast.Label) (string, bool) {
	switch l := l.(type) {
	case *ast.Ident:
		return l.Name, true
	case *ast.Alias:
		if e, ok := l.Expr.(ast.Label); ok {
			return labelIdent(e)
		}
	}
	return "", false
}

// isSchemaRef reports whether x only refers to the schema package
// (schema.#Teams) or is a struct of pattern constraints that do.
func isSchemaRef(x ast.Expr, schemaName string) bool {
	switch x := x.(type) {
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == schemaName
	case *ast.StructLit:
		for _, d := range x.Elts {
			fld, ok := d.(*ast.Field)
			if !ok {
				return false
			}
			if _, ok := fld.Label.(*ast.ListLit); !ok {
				return false
			}
			if !isSchemaRef(fld.Value, schemaName) {
				return false
			}
		}
		return true
	}
	return false
}

// footprint records the paths under path that the value x writes.
func (f *File) footprint(path []string, x ast.Expr) {
	if !splitPaths[strings.Join(path, ".")] {
		f.Footprint = append(f.Footprint, path)
		return
	}
	st, ok := x.(*ast.StructLit)
	if !ok {
		f.Footprint = append(f.Footprint, path)
		return
	}
	for _, d := range st.Elts {
		switch d := d.(type) {
		case *ast.Field:
			name, ok := source.StaticLabel(d.Label)
			if !ok {
				if _, isIdent := labelIdent(d.Label); isIdent {
					// A definition or hidden field inside data writes nothing visible.
					continue
				}
				f.Footprint = append(f.Footprint, path)
				return
			}
			f.footprint(append(path[:len(path):len(path)], name), d.Value)
		case *ast.CommentGroup, *ast.Attribute:
		default:
			f.Footprint = append(f.Footprint, path)
			return
		}
	}
}

// walkRefs records the package-level values x reads.
func (f *File) walkRefs(n ast.Node) {
	if n == nil {
		return
	}
	ast.Walk(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			f.walkRefs(n.Value)
			return false
		case *ast.SelectorExpr:
			var sels []string
			x := ast.Expr(n)
			for {
				s, ok := x.(*ast.SelectorExpr)
				if !ok {
					break
				}
				name, ok := source.StaticLabel(s.Sel)
				if !ok {
					sels = nil
				} else {
					sels = append(sels, name)
				}
				x = s.X
			}
			if id, ok := x.(*ast.Ident); ok && f.packageRef(id) {
				path := []string{id.Name}
				for i := len(sels) - 1; i >= 0; i-- {
					path = append(path, sels[i])
				}
				f.addRef(id.Name, path)
				return false
			}
		case *ast.Ident:
			if f.packageRef(n) {
				f.addRef(n.Name, []string{n.Name})
			}
		}
		return true
	}, nil)
}

// packageRef reports whether id refers to the package scope: declared at
// the top of this file or not declared in the file at all.
func (f *File) packageRef(id *ast.Ident) bool {
	if id.Scope == nil {
		return id.Node == nil
	}
	_, top := id.Scope.(*ast.File)
	if !top {
		return false
	}
	switch id.Node.(type) {
	case *ast.ImportSpec:
		return false
	}
	return true
}

// addRef records a read of a package-level name: definitions, hidden
// fields and lets are uses of declarations, regular fields are reads of
// the spec's data at path.
func (f *File) addRef(name string, path []string) {
	if strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_") || f.isLet(name) {
		f.Uses = append(f.Uses, name)
		return
	}
	f.Deps = append(f.Deps, path)
}

// isLet reports whether the file declares name with a top-level let.
func (f *File) isLet(name string) bool {
	for _, d := range f.Syntax.Decls {
		if l, ok := d.(*ast.LetClause); ok && l.Ident.Name == name {
			return true
		}
	}
	return false
}
