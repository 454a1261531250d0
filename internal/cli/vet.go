package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/load"
)

const vetLong = `Vet checks the spec in DIR (default: the current directory) against the
platc schema: syntax, field names, types, ranges and formats, and values that
two files set differently. It reports every problem as

    FILE:LINE:COL: error RULE: message

with paths relative to the working directory, and exits 1 when there are
errors. It is fast enough to run on every save and in pre-commit hooks;
'platc check' adds the references between parts of the spec and the policies.

The spec is every .cue and .hcl file in DIR and its subdirectories, one CUE
package (HCL files are read into it by the mapping 'platc convert' describes),
skipping cue.mod, testdata, and directories and files whose names start with
'.' or '_'.`

type vetOptions struct {
	dir    string
	output formatFlag
}

func newVetCmd(g *globals) *cobra.Command {
	o := &vetOptions{}
	cmd := &cobra.Command{
		Use:   "vet [DIR]",
		Short: "Check the spec against the schema",
		Long:  vetLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			return runVet(cmd.Context(), g, o)
		},
	}
	o.output.register(cmd.Flags(), "", findingFormats...)
	return cmd
}

func runVet(ctx context.Context, g *globals, o *vetOptions) error {
	_, ds, err := compiler.Vet(ctx, compiler.Config{Dir: g.abs(o.dir), DisplayDir: o.dir})
	if err != nil {
		return loadError(err)
	}
	return report(g, ds, reportOptions{format: o.output.value})
}

// loadError turns a failure to read the spec into exit status 2.
func loadError(err error) error {
	var le *load.Error
	if errors.As(err, &le) {
		return le
	}
	return err
}
