package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/outtree"
)

const renderLong = `Render checks the spec in DIR (default: the current directory) and, when it
has no errors, writes everything platc generates into OUT:

    OUT/gitops/<env>/   a kustomize tree per environment (namespaces, quotas,
                        Kueue queues, workloads, routes, network policies,
                        observability); OUT/gitops/<engine>/<env>/ the GitOps
                        engine's objects that sync it. gitops/ is
                        platform.gitops.path, where every engine object
                        points.
    OUT/pulumi/<env>/   a Pulumi project per environment: Pulumi.yaml,
                        Pulumi.<env>.yaml (the stack's configuration) and
                        platc.stack.json (the stack's desired state, which
                        platc's program reads), with a main package the
                        pulumi CLI can run
    OUT/catalog/        Backstage entities
    OUT/CODEOWNERS      from the teams' owners

The same spec always gives the same bytes. Each top-level directory is
replaced atomically; files platc no longer produces are removed, and files
platc did not write (listed in OUT/.platc/manifest.json) are never touched.

--inventory FILE|DIR (repeatable, with --max-age) reconciles the spec with
the GPU inventory as check does, and makes each environment's Kueue GPU
flavors select the nvidia.com/gpu.product labels discovered on its hosts.

-o json prints the plan (the intermediate form every emitter reads) to stdout.`

// compileOptions are the flags render, plan and apply share with check.
type compileOptions struct {
	dir        string
	out        string
	output     formatFlag
	failOnWarn bool
	checkFlags
	// force replaces files platc does not own (render and apply).
	force bool
}

// flags registers the options; note follows the -o formats in its help.
func (o *compileOptions) flags(cmd *cobra.Command, note string, formats ...outputFormat) {
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "output `DIR` (required)")
	f.BoolVar(&o.failOnWarn, "fail-on-warn", false, "refuse on warnings too")
	o.output.register(f, note, formats...)
	o.checkFlags.register(cmd, checkHelp{now: "the time policies see as input.now", inventory: "reconciliation findings as in check, and GPU flavors that select the discovered products"})
}

// validate reads the spec directory from args and checks what the flags
// cannot check alone.
func (o *compileOptions) validate(args []string) error {
	o.dir = specDir(args)
	if o.out == "" {
		return usageError("--out DIR is required: the directory to write the rendered tree into")
	}
	return nil
}

// compile checks, plans and renders the tree in memory; findings are
// reported to stderr, and errors (or warnings with --fail-on-warn) stop
// the command with exit 1.
func (o *compileOptions) compile(ctx context.Context, g *globals) (*plan.Plan, map[string][]byte, error) {
	c := newCollector()
	_, p, err := o.compileSpec(ctx, g, c)
	if err != nil {
		return nil, nil, err
	}
	return p, c.Files(), nil
}

// compileSpec checks and plans, and renders the tree into sink while the
// policies are evaluated (compiler.CompileEmit). It returns the checked
// spec and the plan; what was put is to be discarded when it fails.
func (o *compileOptions) compileSpec(ctx context.Context, g *globals, sink emit.Sink) (*compiler.Result, *plan.Plan, error) {
	cfg, err := o.config(g, o.dir)
	if err != nil {
		return nil, nil, err
	}
	var emitErr error
	res, p, _, ds, err := compiler.CompileEmit(ctx, cfg, func(ctx context.Context, p *plan.Plan) (struct{}, error) {
		// A failed check ends ctx, and with it the render.
		emitErr = emit.Run(ctx, p, sink, emitters()...)
		return struct{}{}, emitErr
	})
	if err != nil && emitErr != nil && errors.Is(err, emitErr) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, checkError(g, err)
	}
	if len(ds) > 0 || p == nil {
		if err := report(g, ds, reportOptions{format: formatText, failOnWarn: o.failOnWarn, summary: true}); err != nil {
			fmt.Fprintln(g.cfg.Stderr, "platc: the spec has errors; nothing was written")
			return nil, nil, err
		}
	}
	return res, p, nil
}

func newRenderCmd(g *globals) *cobra.Command {
	o := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "render [DIR] --out OUT",
		Short: "Check the spec and write the GitOps tree, catalog and CODEOWNERS",
		Long:  renderLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(args); err != nil {
				return err
			}
			return runRender(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	o.flags(cmd, "(the plan)", formatText, formatJSON)
	cmd.Flags().BoolVar(&o.force, "force", false, "replace files in OUT that platc did not write (it refuses by default, listing them)")
	return cmd
}

func runRender(ctx context.Context, g *globals, o *compileOptions, stdout, stderr io.Writer) error {
	// The files go straight into a staging directory beside the tree as
	// they are rendered, and replace it only when the whole check passes.
	stage := outtree.Begin(ctx, g.abs(o.out), outOptions(stderr, o.out, o.force))
	var putErr error
	var putOnce sync.Once
	_, p, err := o.compileSpec(ctx, g, emit.SinkFunc(func(name string, b []byte) error {
		if err := stage.Put(name, b); err != nil {
			putOnce.Do(func() { putErr = err })
			return fmt.Errorf("write %s: %w", o.out, err)
		}
		return nil
	}))
	if err != nil {
		stage.Abort()
		if putErr != nil {
			// The output directory refused a file: say why, not how the
			// emitter that put it failed.
			return writeError(o.out, putErr)
		}
		return err
	}
	files := stage.Len()
	changes, err := stage.Commit()
	if err != nil {
		return writeError(o.out, err)
	}
	if o.output.value == formatJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	fmt.Fprintf(stderr, "rendered %d files into %s: %d added, %d changed, %d removed\n",
		files, o.out, len(changes.Added), len(changes.Changed), len(changes.Removed))
	return nil
}
