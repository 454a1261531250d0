package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/hclspec"
	"github.com/platc-dev/platc/compiler/source"
	"github.com/platc-dev/platc/internal/atomicfile"
)

const fmtLong = `Fmt formats CUE files in place in CUE's standard style, as 'cue fmt' does,
and HCL spec files (.hcl) in HCL's, as 'terraform fmt' does.
PATH may be files or directories (searched recursively, skipping cue.mod and
hidden directories); the default is the current directory. A symlinked
file is formatted in its target, and stays a link.

With --check, fmt changes nothing: it lists the files that are not formatted
and exits 1 if there are any, for CI and pre-commit hooks.`

type fmtOptions struct {
	paths []string
	check bool
}

func newFmtCmd(g *globals) *cobra.Command {
	o := &fmtOptions{}
	cmd := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Format CUE and HCL files",
		Long:  fmtLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			if len(o.paths) == 0 {
				o.paths = []string{"."}
			}
			return runFmt(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	cmd.Flags().BoolVar(&o.check, "check", false, "list unformatted files and exit 1 if any, changing nothing")
	return cmd
}

func runFmt(ctx context.Context, g *globals, o *fmtOptions, stdout, stderr io.Writer) error {
	var files []string
	for _, p := range o.paths {
		found, err := cueFiles(g.abs(p), p)
		if err != nil {
			return err
		}
		files = append(files, found...)
	}
	slices.Sort(files)
	files = slices.Compact(files)
	var ds diag.Diagnostics
	unformatted := 0
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, hclspec.Ext) {
			out, ok := formatHCL(path, src, &ds)
			if !ok || bytes.Equal(src, out) {
				continue
			}
			unformatted++
			if err := writeFormatted(g, o, stdout, path, out); err != nil {
				return err
			}
			continue
		}
		f, err := parser.ParseFile(path, src, parser.ParseComments)
		var out []byte
		if err == nil {
			out, err = format.Node(f)
		}
		if err != nil {
			for _, e := range errors.Errors(err) {
				pos := source.Pos(e.Position())
				if pos.File == "" {
					pos = diag.Pos{File: path}
				} else if !filepath.IsAbs(pos.File) {
					pos.File = path
				}
				f, args := e.Msg()
				ds.Errorf(pos, "syntax", f, args...)
			}
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted++
		if err := writeFormatted(g, o, stdout, path, out); err != nil {
			return err
		}
	}
	if len(ds) > 0 {
		if err := report(g, ds, reportOptions{format: formatText}); err != nil {
			return err
		}
	}
	if o.check && unformatted > 0 {
		fmt.Fprintf(stderr, "%d file(s) not formatted; run 'platc fmt' to format them\n", unformatted)
		return findings()
	}
	return nil
}

// writeFormatted lists a file that is not formatted and, without
// --check, replaces it by its formatted form.
func writeFormatted(g *globals, o *fmtOptions, stdout io.Writer, path string, out []byte) error {
	rel := diag.Pos{File: path}.Rel(g.base()).File
	if o.check {
		fmt.Fprintln(stdout, rel)
		return nil
	}
	// A symlinked file is formatted where it lives: the link stays a
	// link, its target is replaced (keeping its mode).
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if err := atomicfile.Write(target, out, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	fmt.Fprintln(stdout, rel)
	return nil
}

// formatHCL formats an HCL file with hclwrite, after checking that it
// parses: hclwrite formats tokens and would rearrange a broken file.
func formatHCL(path string, src []byte, ds *diag.Diagnostics) ([]byte, bool) {
	if errs := hclspec.SyntaxErrors(path, src); len(errs) > 0 {
		ds.Append(errs...)
		return nil, false
	}
	return hclwrite.Format(src), true
}

// cueFiles lists the .cue and .hcl files at path: the file itself, or every
// such file below a directory except in cue.mod and hidden directories.
func cueFiles(path, display string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s does not exist", display)
		}
		return nil, err
	}
	if !st.IsDir() {
		if !strings.HasSuffix(path, ".cue") && !strings.HasSuffix(path, hclspec.Ext) {
			return nil, fmt.Errorf("%s is not a .cue or .hcl file", display)
		}
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (d.Name() == "cue.mod" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if (strings.HasSuffix(p, ".cue") || strings.HasSuffix(p, hclspec.Ext)) && !strings.HasPrefix(d.Name(), ".") {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
