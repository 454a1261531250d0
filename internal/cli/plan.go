package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/outtree"
	"github.com/platc-dev/platc/internal/planreport"
	"github.com/platc-dev/platc/internal/treediff"
	"github.com/platc-dev/platc/providers/pulumi"
)

const planLong = `Plan checks the spec in DIR and renders it in memory, then shows what
'platc render --out OUT' would change in OUT: a unified diff of every file
and a summary of the Kubernetes objects to add, change and remove per
environment and kind; then a pulumi preview of each environment's stack
(--gitops-only to skip it), against the same backend apply uses. Nothing
is written, except the stacks' workspaces under DIR/.platc.

With --detailed-exitcode the exit status is 3 when there are changes (0 when
there are none), as with 'terraform plan'. -o json gives the summary and the
object list for PR comments.`

type planOptions struct {
	compileOptions
	stackOptions
	detailedExitCode bool
	noDiff           bool
	gitopsOnly       bool
}

func newPlanCmd(g *globals) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [DIR] --out OUT",
		Short: "Show what render would change in OUT",
		Long:  planLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(args); err != nil {
				return err
			}
			return runPlan(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	o.flags(cmd, "", formatText, formatJSON)
	cmd.Flags().BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 3 when there are changes")
	cmd.Flags().BoolVar(&o.noDiff, "no-diff", false, "print only the summary, not the unified diff")
	cmd.Flags().BoolVar(&o.gitopsOnly, "gitops-only", false, "compare the rendered tree only, without a pulumi preview of the stacks")
	o.stackFlags(cmd)
	return cmd
}

func runPlan(ctx context.Context, g *globals, o *planOptions, stdout, stderr io.Writer) error {
	p, tree, err := o.compile(ctx, g)
	if err != nil {
		return err
	}
	old, err := outtree.ReadOwned(g.abs(o.out), tree)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.out, err)
	}
	if o.selective() {
		// The tree apply --env/--tier would commit: the selected
		// environments' directories and the shared files; none when
		// nothing is selected.
		stacks, err := o.selectStacks(p)
		if err != nil {
			return err
		}
		if len(stacks) == 0 {
			tree = old
		} else if tree, err = selectTree(ctx, p, tree, old, stacks); err != nil {
			return err
		}
	}
	conflicts, err := outtree.Conflicts(g.abs(o.out), slices.Collect(maps.Keys(tree)))
	if err != nil {
		return fmt.Errorf("read %s: %w", o.out, err)
	}
	for _, c := range conflicts {
		// The diff shows what replacing an unowned file would change.
		if b, err := os.ReadFile(filepath.Join(g.abs(o.out), filepath.FromSlash(c))); err == nil {
			if _, produced := tree[c]; produced {
				old[c] = b
			}
		}
	}
	res := treediff.Compare(old, tree, p.Platform.GitOps.Path)
	previews := []*pulumi.Result{}
	if !o.gitopsOnly {
		if previews, err = previewStacks(ctx, g, o, p, stderr); err != nil {
			return err
		}
	}
	changed := res.Changed() || len(conflicts) > 0
	for _, r := range previews {
		changed = changed || r.Changed()
	}
	if o.output.value == formatJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		r := planreport.New()
		r.Out, r.Changed, r.GitOps, r.Stacks = o.out, changed, res, previews
		if o.gitopsOnly {
			r.StacksSkipped = "plan ran with --gitops-only: the Pulumi stacks were not previewed"
		}
		if conflicts != nil {
			r.Conflicts = conflicts
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		if !o.noDiff {
			io.WriteString(stdout, treediff.Unified(old, tree, res))
		}
		writePlanSummary(stdout, o.out, res)
		writeConflicts(stdout, o.out, conflicts)
		writeStackSummary(stdout, previews)
	}
	if o.detailedExitCode && changed {
		return &ExitErr{Code: ExitChanges}
	}
	return nil
}

func writeConflicts(w io.Writer, out string, conflicts []string) {
	if len(conflicts) == 0 {
		return
	}
	fmt.Fprintf(w, "\nConflicts: %d %s in %s that platc did not write, where it writes (render and apply refuse them; --force replaces them):\n", len(conflicts), plural(len(conflicts), "file", "files"), out)
	for _, c := range conflicts {
		fmt.Fprintf(w, "  ! %s\n", c)
	}
}

func writePlanSummary(w io.Writer, out string, res *treediff.Result) {
	if !res.Changed() {
		fmt.Fprintf(w, "No changes: %s is up to date.\n", out)
		return
	}
	envs := make([]string, 0, len(res.Environments))
	for e := range res.Environments {
		envs = append(envs, e)
	}
	slices.Sort(envs)
	fmt.Fprintf(w, "\nChanges to %s:\n", out)
	for _, e := range envs {
		s := res.Environments[e]
		var kinds []string
		for k, c := range s.Kinds {
			kinds = append(kinds, fmt.Sprintf("%s %s", k, counts(*c)))
		}
		slices.Sort(kinds)
		fmt.Fprintf(w, "  %-10s %s: %s\n", e, counts(s.Counts), strings.Join(kinds, ", "))
	}
	for _, o := range res.Objects {
		sign := map[treediff.Action]string{treediff.Add: "+", treediff.Change: "~", treediff.Remove: "-"}[o.Action]
		name := o.Name
		if o.Namespace != "" {
			name = o.Namespace + "/" + o.Name
		}
		fmt.Fprintf(w, "  %s %s %s %s\n", sign, o.Environment, o.Kind, name)
	}
	fmt.Fprintf(w, "Plan: %d to add, %d to change, %d to remove (%d files added, %d changed, %d removed).\n",
		res.Summary.Add, res.Summary.Change, res.Summary.Remove, len(res.Files.Added), len(res.Files.Changed), len(res.Files.Removed))
}

// previewStacks runs pulumi preview of each selected stack (after a
// refresh preview that measures drift, with --refresh), and lists the
// stacks in the backend whose environment the spec no longer declares.
func previewStacks(ctx context.Context, g *globals, o *planOptions, p *plan.Plan, stderr io.Writer) ([]*pulumi.Result, error) {
	stacks, err := o.selectStacks(p)
	if err != nil {
		return nil, err
	}
	engine, err := o.engine(g, p, g.abs(o.dir), nil)
	if err != nil {
		return nil, err
	}
	out := []*pulumi.Result{}
	for _, s := range stacks {
		fmt.Fprintf(stderr, "==> pulumi preview %s/%s\n", s.Project, s.Name)
		r, err := engine.Preview(ctx, s)
		if err != nil {
			return nil, stackExitErr(err)
		}
		out = append(out, r)
	}
	if o.refresh {
		if err := drift(ctx, engine, stacks, out, stderr); err != nil {
			return nil, err
		}
	}
	orphans, err := engine.Orphans(ctx, p.Platform.Pulumi.Project, p.Platform.Name, envNames(p))
	if err != nil {
		return nil, stackExitErr(err)
	}
	return append(out, orphans...), nil
}

func writeStackSummary(w io.Writer, previews []*pulumi.Result) {
	if len(previews) == 0 {
		return
	}
	fmt.Fprintln(w, "\nPulumi stacks:")
	for _, r := range previews {
		fmt.Fprintf(w, "  %-24s %s\n", r.Stack, r.Summary())
		if d := driftText(r); d != "" {
			fmt.Fprintf(w, "  %-24s %s\n", "", d)
		}
	}
}

func counts(c treediff.Counts) string {
	var parts []string
	if c.Add > 0 {
		parts = append(parts, fmt.Sprintf("+%d", c.Add))
	}
	if c.Change > 0 {
		parts = append(parts, fmt.Sprintf("~%d", c.Change))
	}
	if c.Remove > 0 {
		parts = append(parts, fmt.Sprintf("-%d", c.Remove))
	}
	return strings.Join(parts, " ")
}
