package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/blueprints"
	"github.com/platc-dev/platc/internal/atomicfile"
	"github.com/platc-dev/platc/internal/scaffold"
	"github.com/platc-dev/platc/providers/pulumi"
)

const initLong = `Init starts a spec repository in DIR (default: the current directory) from a
blueprint: a CUE module with the platc schema vendored under cue.mod/pkg (so
'cue vet ./...' and the CUE LSP understand the spec), the blueprint's spec
files, a policies/ directory with an example policy and its test, a
.gitignore for platc's local state, and a CI workflow.

Init refuses to write into a directory that already holds a CUE module or
any file it would create; nothing is written when it refuses.`

type initOptions struct {
	dir string
	scaffold.Options
}

func newInitCmd(g *globals) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a spec repository from a blueprint",
		Long:  initLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			return runInit(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	cmd.Flags().StringVar(&o.Blueprint, "blueprint", blueprints.Default, "starter `NAME`: "+strings.Join(blueprints.Names(), ", "))
	cmd.Flags().StringVar(&o.Package, "package", "platform", "CUE package `NAME` of the spec")
	cmd.Flags().StringVar(&o.Module, "module", "", "CUE module `PATH` (default example.com/PACKAGE)")
	cmd.Flags().StringVar(&o.Format, "format", "cue", "`FORMAT` of the team files: cue or hcl (HCL team files sit beside the platform's CUE, one spec)")
	return cmd
}

func runInit(ctx context.Context, g *globals, o *initOptions, stdout, stderr io.Writer) error {
	o.Version = buildVersion().Version
	o.PulumiVersion = pulumi.MinCLIVersion
	files, err := scaffold.Files(o.Options)
	if err != nil {
		return usageError("%v", err)
	}
	dir := g.abs(o.dir)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)

	if _, err := os.Stat(dir); os.IsNotExist(err) {
		// A new directory is staged beside its target and renamed into
		// place, so an interrupted init leaves nothing behind.
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return err
		}
		stage, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".init-*")
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := atomicfile.Write(filepath.Join(stage, filepath.FromSlash(name)), files[name], 0o644); err != nil {
				os.RemoveAll(stage)
				return err
			}
		}
		if err := os.Chmod(stage, 0o755); err != nil {
			os.RemoveAll(stage)
			return err
		}
		if err := os.Rename(stage, dir); err != nil {
			os.RemoveAll(stage)
			return err
		}
	} else {
		if _, err := os.Stat(filepath.Join(dir, "cue.mod")); err == nil {
			return fmt.Errorf("%s already holds a CUE module (cue.mod): init starts new spec repositories; choose an empty directory", o.dir)
		}
		var clash []string
		for _, name := range names {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				clash = append(clash, name)
			}
		}
		if len(clash) > 0 {
			return fmt.Errorf("%s already has %s: init would overwrite it; choose an empty directory", o.dir, strings.Join(clash, ", "))
		}
		var written []string
		for _, name := range names {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := atomicfile.Write(p, files[name], 0o644); err != nil {
				for _, w := range written {
					os.Remove(w)
				}
				return err
			}
			written = append(written, p)
		}
	}
	fmt.Fprintf(stdout, "Created a platc spec in %s from blueprint %s (%d files).\n", o.dir, o.Blueprint, len(files))
	if o.Format == "hcl" {
		fmt.Fprintf(stdout, "Next: edit the .cue and .hcl files, then run 'platc vet %s'.\n", o.dir)
	} else {
		fmt.Fprintf(stdout, "Next: edit the .cue files, then run 'platc vet %s'.\n", o.dir)
	}
	return nil
}
