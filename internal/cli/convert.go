package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue/parser"
	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/hclspec"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/internal/atomicfile"
)

const convertLong = `Convert rewrites spec files from CUE to HCL (--to hcl) or from HCL to CUE
(--to cue). Each PATH is a file or a directory, searched as the spec is
(skipping cue.mod, testdata, and names starting with '.' or '_'). Each file
becomes the file of the same name with the other extension, beside it:
teams/search.cue becomes teams/search.hcl, and the source is removed (keep it
with --keep, for instance to compare the two).

The mapping is the one platc reads HCL spec files with: an attribute is a
field, a block without labels a struct, a labelled block an entry of the map
named by its type (teams "search" { … } is teams: search: { … }), and
repeated blocks of a list of structs the list. Comments are kept.

Only data converts to HCL. A file with definitions, references, comprehensions
or constraints is refused with the position of each; a directory's files that
bind the schema (import platc.dev/schema) stay in CUE. HCL files become CUE in
the package of the CUE files around them (--package to name it).

Every file is converted before anything is written; when one fails, nothing
is. Each output is written atomically, and an existing file is never
replaced without --force.`

type convertOptions struct {
	paths []string
	to    string
	force bool
	keep  bool
	pkg   string
}

func newConvertCmd(g *globals) *cobra.Command {
	o := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert --to hcl|cue PATH...",
		Short: "Convert spec files between CUE and HCL",
		Long:  convertLong,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runConvert(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	cmd.Flags().StringVar(&o.to, "to", "", "target `FORMAT`: hcl or cue (required)")
	cmd.Flags().BoolVar(&o.force, "force", false, "replace output files that exist")
	cmd.Flags().BoolVar(&o.keep, "keep", false, "keep the source files")
	cmd.Flags().StringVar(&o.pkg, "package", "", "CUE package `NAME` for files converted to CUE (default: the package of the CUE files around them)")
	return cmd
}

// cuePackageRE matches a CUE package name.
var cuePackageRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// conversion is one file converted in memory.
type conversion struct {
	src, dst string
	out      []byte
}

func runConvert(ctx context.Context, g *globals, o *convertOptions, stdout, stderr io.Writer) error {
	var from, to string
	switch o.to {
	case "hcl":
		from, to = ".cue", hclspec.Ext
	case "cue":
		from, to = hclspec.Ext, ".cue"
	case "":
		return usageError("--to is required: hcl or cue")
	default:
		return usageError("--to %q: use hcl or cue", o.to)
	}
	if o.pkg != "" && !cuePackageRE.MatchString(o.pkg) {
		return usageError("--package %q is not a CUE package name", o.pkg)
	}
	var files []string
	explicit := map[string]bool{}
	for _, p := range o.paths {
		found, dir, err := specFiles(g.abs(p), p, from)
		if err != nil {
			return usageError("%v", err)
		}
		if !dir {
			explicit[found[0]] = true
		}
		files = append(files, found...)
	}
	slices.Sort(files)
	files = slices.Compact(files)
	if len(files) == 0 {
		return usageError("no %s files in %s", from, strings.Join(o.paths, ", "))
	}

	var ds diag.Diagnostics
	var todo []conversion
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel := diag.Pos{File: path}.Rel(g.base()).File
		var out []byte
		var fds diag.Diagnostics
		if o.to == "hcl" {
			if bindsSchema(path, src) {
				if explicit[path] {
					ds.Errorf(diag.Pos{File: path, Line: 1, Column: 1}, hclspec.RuleMapping,
						"this file binds the platc schema (it imports %s), which only CUE can express: keep it in CUE", load.SchemaImportPath)
				} else {
					fmt.Fprintf(stderr, "%s stays in CUE: it binds the platc schema\n", rel)
				}
				continue
			}
			out, fds = hclspec.ToHCL(path, src)
		} else {
			pkg := o.pkg
			if pkg == "" {
				pkg = packageAround(filepath.Dir(path))
			}
			out, fds = hclspec.ToCUE(path, src, pkg)
		}
		if len(fds) > 0 {
			ds.Append(fds...)
			continue
		}
		dst := strings.TrimSuffix(path, from) + to
		if _, err := os.Lstat(dst); err == nil && !o.force {
			ds.Errorf(diag.Pos{File: path}, hclspec.RuleMapping, "%s exists: convert --force replaces it",
				diag.Pos{File: dst}.Rel(g.base()).File)
			continue
		}
		todo = append(todo, conversion{src: path, dst: dst, out: out})
	}
	if len(ds) > 0 {
		fmt.Fprintln(stderr, "nothing was converted:")
		if err := report(g, ds.Sorted(), reportOptions{format: formatText}); err != nil {
			return err
		}
		return findings()
	}
	for _, c := range todo {
		src := diag.Pos{File: c.src}.Rel(g.base()).File
		dst := diag.Pos{File: c.dst}.Rel(g.base()).File
		if err := atomicfile.Write(c.dst, c.out, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", dst, err)
		}
		if !o.keep {
			if err := os.Remove(c.src); err != nil {
				return fmt.Errorf("remove %s after writing %s: %w", src, dst, err)
			}
		}
		fmt.Fprintf(stdout, "%s → %s\n", src, dst)
	}
	return nil
}

// specFiles lists the files with extension ext at path: the file itself,
// or those below a directory that the loader would read. dir reports a
// directory.
func specFiles(path, display, ext string) (files []string, dir bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, false, fmt.Errorf("%s does not exist", display)
		}
		return nil, false, err
	}
	if !st.IsDir() {
		if !strings.HasSuffix(path, ext) {
			return nil, false, fmt.Errorf("%s is not a %s file", display, ext)
		}
		return []string{path}, false, nil
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != path && load.SkipsDir(name) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ext) && load.IsSpecFile(name) {
			files = append(files, p)
		}
		return nil
	})
	return files, true, err
}

// bindsSchema reports a CUE file that imports the platc schema.
func bindsSchema(path string, src []byte) bool {
	f, err := parser.ParseFile(path, src, parser.ImportsOnly)
	if err != nil {
		return false
	}
	for spec := range f.ImportSpecs() {
		if load.IsSchemaImport(strings.Trim(spec.Path.Value, `"`)) {
			return true
		}
	}
	return false
}

// packageAround returns the package of the CUE files in dir, or in the
// nearest directory above it up to the module root; "" when there are
// none.
func packageAround(dir string) string {
	for range 8 {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".cue") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			f, err := parser.ParseFile(filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
			if err == nil && f.PackageName() != "" {
				return f.PackageName()
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "cue.mod")); err == nil {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}
