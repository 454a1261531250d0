// Package load finds and parses the CUE files of a spec, indexes where each
// spec path is written, and partitions the files into independent units
// that can be evaluated against the schema separately and in parallel.
//
// Partitioning is what makes a large organisation fast to check: teams are
// usually independent (one file per team), so each unit is small, and units
// run on all cores with one cue.Context each. The partition is conservative:
// files that write overlapping paths, or that refer to values written in
// other files, land in the same unit, so evaluating the units separately
// gives the same result as evaluating the package as a whole.
package load

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/hclspec"
	"github.com/platc-dev/platc/compiler/source"
)

// SchemaImportPath is the import path of platc's schema in users' CUE.
const SchemaImportPath = "platc.dev/schema"

// RuleSyntax and RuleLoad are the rule IDs of problems found while loading.
const (
	RuleSyntax = "syntax"
	RuleLoad   = "load"
)

// File is one parsed CUE file of the spec.
type File struct {
	// Path is absolute.
	Path   string
	Src    []byte
	Syntax *ast.File
	// Binding reports that the file only binds top-level fields to the
	// platc schema (platform: schema.#Platform …), which platc applies itself.
	Binding bool
	// Library reports that the file declares no data, only definitions,
	// hidden fields and lets; it is added to every unit that uses it.
	Library bool
	// Footprint lists the spec paths the file writes; an empty path means the
	// file may write anywhere.
	Footprint [][]string
	// Deps are spec paths whose value the file reads.
	Deps [][]string
	// Uses are package-level definitions, hidden fields or lets it reads.
	Uses []string
	// Declares are the package-level names the file declares.
	Declares []string
	// Imports are the import paths of the file.
	Imports []string
	// ImportPos are the positions of the import paths.
	ImportPos []token.Pos
	// HCL reports a file written in HCL, read into CUE syntax by
	// [hclspec.Read]; it has no package clause.
	HCL bool
	// Package is the package name, "" when the file has no package clause.
	Package string
	// PackagePos is the position of the package clause.
	PackagePos token.Pos
}

// Package is a loaded spec: its files, their index and their units.
type Package struct {
	Dir   string
	Name  string
	Files []*File
	Index *source.Index
	// Units partition the data files; each lists indexes into Files,
	// including the library files it uses.
	Units [][]int

	// reparsed holds the syntax trees parsed again for position lookups,
	// at most reparsedCap of them, oldest first in reparsedOrder.
	mu            sync.Mutex
	reparsed      map[int]*ast.File
	reparsedOrder []int
}

// reparsedCap bounds the syntax trees a package whose trees were dropped
// keeps for position lookups. Lookups come in runs over a few files (a
// team's, its services'); keeping every tree parsed again would hold the
// syntax of the whole spec to the end of the run when a lookup has to look
// at every file (an unknown top-level field).
const reparsedCap = 64

// Error is a load failure that is not a problem in the spec's content: a
// missing directory, one without CUE files, an unreadable file.
type Error struct{ Err error }

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Load reads every CUE file of the spec in dir and its subdirectories
// (skipping cue.mod, hidden and underscore directories, testdata and
// *_tool.cue files), parses them in parallel and partitions them.
// Problems in the files are returned as diagnostics; a nil *Package with a
// non-nil error means the directory itself could not be used.
//
// display is how error messages name dir (the argument the user gave);
// empty means dir itself.
func Load(dir, display string) (*Package, diag.Diagnostics, error) {
	if display == "" {
		display = dir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, &Error{err}
	}
	st, err := os.Stat(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil, &Error{fmt.Errorf("spec directory %s does not exist", display)}
		}
		return nil, nil, &Error{fmt.Errorf("spec directory %s: %w", display, err)}
	}
	if !st.IsDir() {
		return nil, nil, &Error{fmt.Errorf("%s is not a directory: pass the directory that holds the spec's .cue files", display)}
	}
	paths, err := findFiles(abs)
	if err != nil {
		return nil, nil, &Error{err}
	}
	if len(paths) == 0 {
		return nil, nil, &Error{fmt.Errorf("no .cue or .hcl files in %s: pass the directory that holds the spec, or run `platc init %s` to start one", display, display)}
	}
	files := make([]*File, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	// Syntax trees take about fifteen times the memory of their source.
	// For a spec of moderate size they are kept from analysis to
	// evaluation; for a very large one they are dropped after analysis and
	// parsed again when their unit is evaluated, so memory stays flat.
	var total int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	keepSyntax := total <= retainSourceBytes
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Go(func() {
			for i := range next {
				files[i], errs[i] = parseFile(paths[i])
				if f := files[i]; f != nil && !keepSyntax {
					f.Syntax = nil
				}
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()

	var ds diag.Diagnostics
	for i, err := range errs {
		if err == nil {
			continue
		}
		if _, ok := err.(*Error); ok {
			return nil, nil, err
		}
		if hd, ok := err.(hclError); ok {
			ds.Append(hd...)
			continue
		}
		for _, e := range errors.Errors(err) {
			pos := source.Pos(e.Position())
			if !pos.IsValid() {
				pos = diag.Pos{File: paths[i]}
			}
			format, args := e.Msg()
			ds.Errorf(pos, RuleSyntax, format, args...)
		}
	}
	if ds.HasErrors() {
		return nil, ds.Sorted(), nil
	}

	pkg := &Package{Dir: abs, Files: files}
	pkg.Index = source.NewIndex(len(files), pkg.syntax, token.Pos{})
	if f := files[0]; f.PackagePos.IsValid() {
		pkg.Index = source.NewIndex(len(files), pkg.syntax, f.PackagePos)
	}
	for i, f := range files {
		for _, fp := range f.Footprint {
			pkg.Index.AddFootprint(i, fp)
		}
	}
	ds.Append(pkg.checkPackageNames()...)
	ds.Append(pkg.checkImports()...)
	if ds.HasErrors() {
		return nil, ds.Sorted(), nil
	}
	pkg.partition()
	return pkg, ds, nil
}

// findFiles lists the spec's files under root. A root that is a symbolic
// link (a spec directory linked from elsewhere, or a working directory
// entered through a link) is followed, which filepath.WalkDir does not do
// by itself; the files keep root's name so messages use the path the user
// gave. Links below the root are not followed.
func findFiles(root string) ([]string, error) {
	target, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("read spec directory: %w", err)
	}
	var out []string
	err = filepath.WalkDir(target, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != target && SkipsDir(name) {
				return filepath.SkipDir
			}
			return nil
		}
		if IsSpecFile(name) {
			rel, err := filepath.Rel(target, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.Join(root, rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read spec directory: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

// SkipsDir reports a directory below the spec's root whose files are not
// part of the spec: cue.mod, testdata, node_modules, and names starting
// with '.' or '_'.
func SkipsDir(name string) bool {
	return name == "cue.mod" || name == "testdata" || name == "node_modules" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// IsSpecFile reports a file name that is part of a spec: a .cue or .hcl
// file not starting with '.' or '_', and not a CUE *_tool.cue file.
func IsSpecFile(name string) bool {
	return (strings.HasSuffix(name, ".cue") || strings.HasSuffix(name, hclspec.Ext)) &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") && !strings.HasSuffix(name, "_tool.cue")
}

// IsSchemaImport reports an import path that names the platc schema,
// with or without a version or package qualifier.
func IsSchemaImport(path string) bool {
	return path == SchemaImportPath || strings.HasPrefix(path, SchemaImportPath+"@") || strings.HasPrefix(path, SchemaImportPath+":")
}

// retainSourceBytes is the largest spec, in bytes of source, whose syntax
// trees the loader keeps between analysis and evaluation.
const retainSourceBytes = 16 << 20

func parseFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{fmt.Errorf("read %s: %w", path, err)}
	}
	hcl := strings.HasSuffix(path, hclspec.Ext)
	f, err := parse(path, src, hcl)
	if err != nil {
		return nil, err
	}
	// Bound the nesting before anything walks the tree recursively.
	if err := checkDepth(f); err != nil {
		return nil, err
	}
	file := &File{Path: path, Src: src, Syntax: f, PackagePos: f.Pos(), HCL: hcl}
	file.analyse()
	return file, nil
}

// Reparse parses the file again, for a unit that needs its own copy of
// the syntax tree (library files shared by units evaluated concurrently,
// files whose tree the loader dropped).
func (f *File) Reparse() (*ast.File, error) {
	return parse(f.Path, f.Src, f.HCL)
}

// parse parses a CUE file, or reads an HCL file into CUE syntax.
func parse(path string, src []byte, hcl bool) (*ast.File, error) {
	if !hcl {
		return parser.ParseFile(path, src)
	}
	f, ds := hclspec.Read(path, src, hclspec.Options{})
	if len(ds) > 0 {
		return nil, hclError(ds)
	}
	return f, nil
}

// hclError carries the diagnostics of an HCL file that does not read.
type hclError diag.Diagnostics

func (e hclError) Error() string {
	if len(e) == 0 {
		return "invalid HCL"
	}
	return e[0].Pos.String() + ": " + e[0].Message
}

// syntax returns the syntax tree of file i for position lookups, parsing
// it again when the loader dropped it.
func (p *Package) syntax(i int) *ast.File {
	f := p.Files[i]
	if f.Syntax != nil {
		return f.Syntax
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reparsed == nil {
		p.reparsed = map[int]*ast.File{}
	}
	if syn, ok := p.reparsed[i]; ok {
		return syn
	}
	syn, err := f.Reparse()
	if err != nil {
		syn = nil
	}
	if len(p.reparsedOrder) == reparsedCap {
		delete(p.reparsed, p.reparsedOrder[0])
		p.reparsedOrder = p.reparsedOrder[1:]
	}
	p.reparsed[i] = syn
	p.reparsedOrder = append(p.reparsedOrder, i)
	return syn
}

func (p *Package) checkPackageNames() diag.Diagnostics {
	var ds diag.Diagnostics
	var first *File
	for _, f := range p.Files {
		name := f.Package
		if name == "" {
			continue
		}
		if first == nil {
			first, p.Name = f, name
			continue
		}
		if name != p.Name {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleLoad, Pos: source.Pos(f.PackagePos),
				Message: fmt.Sprintf("package %s conflicts with package %s of %s: a spec is one CUE package; rename it or move the file out of the spec directory", name, p.Name, filepath.Base(first.Path)),
			})
		}
	}
	if p.Name == "" {
		return ds
	}
	for _, f := range p.Files {
		if f.Package == "" && !f.HCL {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleLoad, Pos: diag.Pos{File: f.Path, Line: 1, Column: 1},
				Message: fmt.Sprintf("file has no package clause: add `package %s` as its first line", p.Name),
			})
		}
	}
	return ds
}

// checkImports accepts the CUE standard library and the platc schema.
func (p *Package) checkImports() diag.Diagnostics {
	var ds diag.Diagnostics
	for _, f := range p.Files {
		for k, path := range f.Imports {
			if i := strings.IndexByte(path, ':'); i >= 0 {
				path = path[:i]
			}
			first, _, _ := strings.Cut(path, "/")
			if path == SchemaImportPath || !strings.Contains(first, ".") {
				continue
			}
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleLoad, Pos: source.Pos(f.ImportPos[k]),
				Message: fmt.Sprintf("import %q is not supported: a spec may import the CUE standard library and %s; move shared definitions into the spec package", path, SchemaImportPath),
			})
		}
	}
	return ds
}

// sortUnits orders units by their first file so work and output are stable.
func sortUnits(units [][]int) {
	for _, u := range units {
		slices.Sort(u)
	}
	slices.SortFunc(units, func(a, b []int) int { return cmp.Compare(a[0], b[0]) })
}
