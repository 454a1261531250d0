package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/changewindow"
	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/gitrepo"
	"github.com/platc-dev/platc/internal/lockfile"
	"github.com/platc-dev/platc/internal/outtree"
	"github.com/platc-dev/platc/internal/treediff"
	"github.com/platc-dev/platc/providers/pulumi"
)

const applyLong = `Apply checks the spec in DIR, makes sure every environment it touches is
open for changes, renders it, brings each environment's Pulumi stack up to
date and commits the rendered tree into the GitOps repository OUT, in that
order, stopping at the first failure:

  1. check: refuses when the spec has errors (exit 1);
  2. change windows: refuses inside a freeze of an environment, or outside
     its change windows when it declares any (exit 1, naming the freeze or
     the windows), unless --emergency "reason" is given; the reason is
     recorded in the Pulumi update message and the GitOps commit;
  3. render, in memory;
  4. pulumi up of each environment's stack <project>/<env> through the
     Automation API with platc's program inline, against the backend the
     spec names, --backend, or a local file backend in DIR/.platc/state;
  5. the rendered tree is written into OUT (a git repository, created when
     OUT is absent or an empty directory; a directory with other files in
     it and no repository is refused before anything else) and committed:
     one commit per apply that changed something, with a message that
     summarises the changes and names the spec's commit; --push pushes it
     to origin.

Stacks in the backend whose environment the spec no longer declares are
not left running: apply refuses (exit 1, naming them) unless
--allow-destroy is given, which destroys them after the updates and
removes their GitOps directories in the same commit. --refresh refreshes
each stack from the cloud first and reports how the cloud drifted from
the state.

--env and --tier apply some of the environments: their stacks are
updated and their GitOps directories written, the files the environments
share (catalog, CODEOWNERS, the engine's kustomization) follow the spec,
and every other environment's directory stays as the repository has it.
That is how a pipeline gates each tier behind its own approval: one apply
job per tier, in order (the workflow platc init writes does this). A tier
no environment has selects nothing, and the apply changes nothing.

Applies of the same state or GitOps repository take turns: a second one
waits for the first (--lock-timeout to give up). An interrupt (Ctrl-C)
cancels the running update the way Pulumi does, leaves the stacks' state
consistent and the GitOps repository at its last commit; apply again to
finish. An interrupt during the commit is acknowledged and obeyed once the
commit is made. An apply that was killed leaves its stacks locked; the
next one names the pulumi cancel command that clears the lock. A second
apply with no change to the spec changes nothing and makes no commit.

A terminal is asked to confirm; anything else needs --yes.`

type applyOptions struct {
	compileOptions
	stackOptions
	yes          bool
	push         bool
	emergency    string
	lockTimeout  time.Duration
	allowDestroy bool
}

func newApplyCmd(g *globals) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [DIR] --out GITOPS_DIR",
		Short: "Check, guard the change windows, render, pulumi up each stack and commit the GitOps tree",
		Long:  applyLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(args); err != nil {
				return err
			}
			if !cmd.Flags().Changed("lock-timeout") {
				o.lockTimeout = -1
			}
			if cmd.Flags().Changed("emergency") && strings.TrimSpace(o.emergency) == "" {
				return usageError("--emergency needs a reason: --emergency \"hotfix for INC-123\"")
			}
			return runApply(cmd.Context(), g, o)
		},
	}
	o.compileOptions.flags(cmd, "(a summary on stdout)", formatText, formatJSON)
	o.stackFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.yes, "yes", false, "do not ask for confirmation (required without a terminal)")
	f.BoolVar(&o.push, "push", false, "push the GitOps commit to the repository's origin remote")
	f.BoolVar(&o.force, "force", false, "replace files in OUT that platc did not write (it refuses by default, listing them, before any stack is updated)")
	f.StringVar(&o.emergency, "emergency", "", "apply despite freezes and change windows, recording this `reason`")
	f.DurationVar(&o.lockTimeout, "lock-timeout", 0, "give up when another apply holds the lock this long (default: wait; 0: fail at once)")
	f.BoolVar(&o.allowDestroy, "allow-destroy", false, "destroy the stacks of environments the spec no longer declares (apply refuses to leave them running by default)")
	return cmd
}

// applyReport is apply's JSON summary.
type applyReport struct {
	Stacks    []*pulumi.Result `json:"stacks"`
	GitOps    applyGitOps      `json:"gitops"`
	Emergency string           `json:"emergency,omitempty"`
	// Overridden are the change-window refusals --emergency overrode.
	Overridden []*changewindow.Refusal `json:"overridden,omitempty"`
}

type applyGitOps struct {
	Dir     string          `json:"dir"`
	Commit  string          `json:"commit,omitempty"`
	Head    string          `json:"head"`
	Files   outtree.Changes `json:"files"`
	Changed bool            `json:"changed"`
}

func runApply(ctx context.Context, g *globals, o *applyOptions) error {
	stderr := g.cfg.Stderr
	step := func(format string, args ...any) { fmt.Fprintf(stderr, "==> "+format+"\n", args...) }
	terminal := isTerminal(g.cfg.Stdin)
	if !o.yes && !terminal {
		return usageError("apply changes infrastructure and there is no terminal to confirm on: pass --yes to apply without asking")
	}
	specDir := g.abs(o.dir)
	outDir := g.abs(o.out)
	// Refuse what is wrong with the command line before the spec is
	// compiled and anything is touched.
	if err := validBackend(o.backend); err != nil {
		return err
	}
	if err := gitrepo.Check(outDir); err != nil {
		return outError(o.out, err)
	}

	step("check and render %s", o.dir)
	rendered := newCollector()
	res, p, err := o.compileSpec(ctx, g, rendered)
	if err != nil {
		return err
	}
	tree := rendered.Files()
	stacks, err := o.selectStacks(p)
	if err != nil {
		return err
	}
	if len(stacks) == 0 {
		// A workflow's job for a tier the spec has no environment of.
		fmt.Fprintf(stderr, "platc: no environment of the spec is selected by %s: nothing to apply\n", o.selection())
		if o.output.value == formatJSON {
			return json.NewEncoder(g.cfg.Stdout).Encode(&applyReport{Stacks: []*pulumi.Result{}, GitOps: applyGitOps{Dir: o.out}})
		}
		fmt.Fprintln(g.cfg.Stdout, "Apply complete: no environment selected, nothing changed.")
		return nil
	}

	// The same instant the policies saw.
	now := o.now.Now()
	step("change windows at %s", now.UTC().Format(time.RFC3339))
	report := &applyReport{Stacks: []*pulumi.Result{}, Emergency: o.emergency}
	var refusals []*changewindow.Refusal
	for _, s := range stacks {
		env := res.Spec.Environments[s.Environment]
		if env == nil {
			continue
		}
		r, err := changewindow.Check(env, now)
		if err != nil {
			return err
		}
		if r != nil {
			refusals = append(refusals, r)
		}
	}
	if len(refusals) > 0 {
		if o.emergency == "" {
			for _, r := range refusals {
				fmt.Fprintf(stderr, "platc: %s\n", r.Reason)
			}
			return &ExitErr{Code: ExitFindings, Err: errors.New(`apply refused by the change calendar: wait for the window, or pass --emergency "reason" to override (the reason is recorded)`)}
		}
		for _, r := range refusals {
			fmt.Fprintf(stderr, "platc: warning: emergency apply overrides: %s\n", r.Reason)
		}
		report.Overridden = refusals
	}

	engine, err := o.engine(g, p, specDir, nil)
	if err != nil {
		return err
	}

	// Take turns with other applies: on the state, then on the repository.
	waiting := func(what string) func(string) {
		return func(holder string) {
			fmt.Fprintf(stderr, "platc: waiting for another apply to finish with %s (%s)\n", what, holder)
		}
	}
	statePath := filepath.Join(specDir, ".platc", "apply.lock")
	if d := backendDir(engine.Backend); d != "" {
		statePath = filepath.Join(d, ".platc-apply.lock")
	}
	owner := "platc apply " + o.dir
	stateLock, err := lockfile.Acquire(ctx, statePath, owner, o.lockTimeout, waiting("the Pulumi state"))
	if err != nil {
		return lockError(err)
	}
	defer stateLock.Release()

	// Stacks of environments the spec no longer declares are not left
	// running unreported: refused, or destroyed with --allow-destroy.
	orphans, err := engine.Orphans(ctx, p.Platform.Pulumi.Project, p.Platform.Name, envNames(p))
	if err != nil {
		return stackExitErr(err)
	}
	if len(orphans) > 0 && !o.allowDestroy {
		for _, r := range orphans {
			fmt.Fprintf(stderr, "platc: stack %s: %s\n", r.Stack, r.Summary())
		}
		return &ExitErr{Code: ExitFindings, Err: fmt.Errorf("apply refused: %d %s to environments the spec no longer declares, and would be left running: pass --allow-destroy to destroy them (and remove their GitOps directories) in this apply, or put the environments back",
			len(orphans), plural(len(orphans), "stack in the backend belongs", "stacks in the backend belong"))}
	}

	branch := p.Platform.GitOps.Branch
	if branch == "" {
		branch = "main"
	}
	repo, err := gitrepo.Open(outDir, branch)
	if err != nil {
		return outError(o.out, err)
	}
	repoLock, err := lockfile.Acquire(ctx, filepath.Join(repo.GitDir(), "platc-apply.lock"), owner, o.lockTimeout, waiting("the GitOps repository "+o.out))
	if err != nil {
		return lockError(err)
	}
	defer repoLock.Release()
	if err := checkRepo(ctx, repo, o.push); err != nil {
		return err
	}

	old, err := outtree.ReadOwned(outDir, tree)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.out, err)
	}
	if o.selective() {
		if tree, err = selectTree(ctx, p, tree, old, stacks); err != nil {
			return err
		}
	}
	diff := treediff.Compare(old, tree, p.Platform.GitOps.Path)
	if !o.force {
		// Refuse before any stack changes, not at the commit.
		conflicts, err := outtree.Conflicts(outDir, slices.Collect(maps.Keys(tree)))
		if err != nil {
			return writeError(o.out, err)
		}
		if len(conflicts) > 0 {
			return writeError(o.out, &outtree.ConflictError{Paths: conflicts})
		}
	}

	if !o.yes {
		var names []string
		for _, s := range stacks {
			names = append(names, s.Project+"/"+s.Name)
		}
		fmt.Fprintf(stderr, "\nplatc will update the stacks %s and commit %d changed files to %s.\nApply? Only 'yes' will be accepted: ",
			strings.Join(names, ", "), len(diff.Files.Added)+len(diff.Files.Changed)+len(diff.Files.Removed), o.out)
		answer, _ := bufio.NewReader(g.cfg.Stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return fmt.Errorf("apply cancelled: %s", unchanged(repo))
		}
	}

	source := gitrepo.SourceCommit(specDir)
	message := "platc apply"
	if source != "" {
		message += " of " + source
	}
	if o.emergency != "" {
		message += " (emergency: " + o.emergency + ")"
	}
	var drifted []*pulumi.Result
	if o.refresh {
		// Report the drift before the updates, which refresh and then
		// put the cloud back to the spec.
		drifted = make([]*pulumi.Result, len(stacks))
		for i := range drifted {
			drifted[i] = &pulumi.Result{}
		}
		if err := drift(ctx, engine, stacks, drifted, stderr); err != nil {
			return err
		}
		for i, s := range stacks {
			fmt.Fprintf(stderr, "    %s/%s: %s\n", s.Project, s.Name, driftText(drifted[i]))
		}
	}
	for i, s := range stacks {
		step("pulumi up %s/%s (%d of %d)", s.Project, s.Name, i+1, len(stacks))
		pw := &prefixWriter{w: stderr, prefix: "    " + s.Environment + " | "}
		engine.Progress = pw
		r, err := engine.Up(ctx, s, message)
		pw.Flush()
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted during the update of %s/%s: Pulumi cancelled it and its state is consistent; the GitOps repository is at its last commit; apply again to finish", s.Project, s.Name)
			}
			return stackExitErr(err)
		}
		fmt.Fprintf(stderr, "    %s: %s (%.1fs)\n", r.Stack, r.Summary(), r.Seconds)
		if drifted != nil {
			r.Drift = drifted[i].Drift
		}
		report.Stacks = append(report.Stacks, r)
	}
	for i, orphan := range orphans {
		env := orphan.Environment
		step("pulumi destroy %s (%d of %d): environment %s is no longer in the spec", orphan.Stack, i+1, len(orphans), env)
		pw := &prefixWriter{w: stderr, prefix: "    " + env + " | "}
		engine.Progress = pw
		r, err := engine.Destroy(ctx, p.Platform.Pulumi.Project, p.Platform.Name, env, message+": destroy environment "+env)
		pw.Flush()
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted during the destroy of %s: Pulumi cancelled it and its state is consistent; the GitOps repository is at its last commit; apply --allow-destroy again to finish", orphan.Stack)
			}
			return stackExitErr(err)
		}
		fmt.Fprintf(stderr, "    %s: destroyed and removed: %s (%.1fs)\n", r.Stack, r.Summary(), r.Seconds)
		report.Stacks = append(report.Stacks, r)
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: the stacks are up to date, the GitOps repository is at its last commit; apply again to finish")
	}

	step("commit the rendered tree to %s", o.out)
	// The commit is not stopped half-way: an interrupt from here on is
	// acknowledged at once, and obeyed once the commit is made.
	interrupt := onInterrupt(ctx, func() {
		fmt.Fprintf(stderr, "platc: interrupt received: finishing the commit of %s, then stopping\n", o.out)
	})
	defer interrupt()
	if err := repo.MarkPending(); err != nil {
		return err
	}
	changes, err := outtree.Write(context.WithoutCancel(ctx), outDir, tree, outOptions(stderr, o.out, o.force)) // the commit step finishes
	if err != nil {
		return writeError(o.out, err)
	}
	commit, err := repo.CommitAll(commitMessage(p.Platform.Name, source, o.emergency, report.Stacks, diff), commitAuthor(g), time.Now())
	if err != nil {
		return err
	}
	// Files git ignores are written and never committed: the GitOps
	// engine would not see them. The apply stays pending, so that the
	// next one may commit them once they are no longer ignored.
	ignored, err := repo.Uncommitted(slices.Sorted(maps.Keys(tree)))
	if err != nil {
		return err
	}
	if len(ignored) > 0 {
		shown := ignored
		if len(shown) > 5 {
			shown = append(slices.Clone(shown[:5]), fmt.Sprintf("and %d more", len(ignored)-5))
		}
		return fmt.Errorf("%d of the files apply wrote into %s are not committed, as git ignores them (%s): a .gitignore or .git/info/exclude there leaves them out; un-ignore them and apply again (the stacks are up to date)",
			len(ignored), o.out, strings.Join(shown, ", "))
	}
	if err := repo.ClearPending(); err != nil {
		return err
	}
	interrupted := interrupt()
	if commit == "" {
		fmt.Fprintf(stderr, "    no changes to the GitOps tree: no commit\n")
	} else {
		fmt.Fprintf(stderr, "    committed %s: %d files added, %d changed, %d removed\n", commit[:12],
			len(changes.Added), len(changes.Changed), len(changes.Removed))
	}
	if interrupted {
		what := "the GitOps tree was unchanged: no commit"
		if commit != "" {
			what = "the GitOps tree is committed as " + commit[:12]
		}
		if o.push {
			what += ", not pushed: apply again with --push to push it"
		}
		return fmt.Errorf("interrupted at the commit step, which was finished: the stacks are up to date and %s", what)
	}
	if o.push {
		step("push %s to origin", o.out)
		if err := repo.Push(ctx, "origin"); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted during the push of %s: origin has its old branch or the new one, not a part of it; apply again with --push to push it", o.out)
			}
			return remoteExitErr(err, commit)
		}
	}
	head, _ := repo.Head()
	report.GitOps = applyGitOps{Dir: o.out, Commit: commit, Head: head, Files: changes, Changed: commit != ""}
	if o.output.value == formatJSON {
		enc := json.NewEncoder(g.cfg.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	changed := 0
	for _, r := range report.Stacks {
		if r.Changed() {
			changed++
		}
	}
	if changed == 0 && commit == "" {
		fmt.Fprintf(g.cfg.Stdout, "Apply complete: no changes (%d stacks unchanged, %s up to date).\n", len(report.Stacks), o.out)
	} else {
		fmt.Fprintf(g.cfg.Stdout, "Apply complete: %d of %d stacks changed; GitOps %s.\n", changed, len(report.Stacks), commitWord(commit))
	}
	return nil
}

// remoteExitErr says what a fetch or push the remote refused means for
// the apply: a push rejected as not a fast-forward exits 1 with the
// remote's message (the commit stays in the local repository only); one
// refused for lack of credentials exits 2, naming what git needs.
func remoteExitErr(err error, commit string) error {
	var re *gitrepo.RemoteError
	if !errors.As(err, &re) {
		return err
	}
	local := "nothing was pushed"
	if commit != "" {
		local = "the commit " + commit[:12] + " is in the local repository only"
	}
	switch {
	case re.Rejected:
		return &ExitErr{Code: ExitFindings, Err: fmt.Errorf("%s was rejected: origin has commits this repository lacks (%s); %s: pull --rebase there, then apply --push again", re.Op+" "+re.Remote, re.Message, local)}
	case re.Auth:
		return fmt.Errorf("%s was refused for lack of credentials (%s); %s: give git a way in (GIT_SSH_COMMAND or a deploy key loaded in ssh-agent, a credential helper, or the checkout's token)", re.Op+" "+re.Remote, re.Message, local)
	}
	return err
}

func commitWord(commit string) string {
	if commit == "" {
		return "unchanged"
	}
	return "commit " + commit[:12]
}

// onInterrupt calls acknowledge, once, when ctx is cancelled (an
// interrupt) before the returned stop is first called. stop reports
// whether the interrupt came, after acknowledge has returned.
func onInterrupt(ctx context.Context, acknowledge func()) (stop func() bool) {
	done := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		defer close(done)
		acknowledge()
	})
	var once sync.Once
	var came bool
	return func() bool {
		once.Do(func() {
			if !cancel() {
				<-done
				came = true
			}
		})
		return came
	}
}

// outError explains why --out cannot be the GitOps repository.
func outError(out string, err error) error {
	var nr *gitrepo.NotRepositoryError
	if !errors.As(err, &nr) {
		return fmt.Errorf("--out %s: %w", out, err)
	}
	if nr.Parent != "" {
		return fmt.Errorf("--out %s is inside the git repository %s but is not its top directory, and it holds files: "+
			"apply commits the rendered tree into a git repository of its own; give --out a git repository, an empty directory or a new path; apply changed nothing", out, nr.Parent)
	}
	return fmt.Errorf("--out %s is not a git repository and it holds files: "+
		"apply commits the rendered tree into a git repository and does not make one of a directory with other files in it; "+
		"give --out a git repository (git init it and commit what is there, if that is to stay), an empty directory or a new path; apply changed nothing", out)
}

// unchanged says that an apply that stopped early changed nothing, or
// only made the empty repository --out names.
func unchanged(repo *gitrepo.Repo) string {
	if repo.Created {
		return "apply changed nothing but creating the empty git repository " + repo.Dir
	}
	return "apply changed nothing"
}

func lockError(err error) error {
	if errors.Is(err, lockfile.ErrTimeout) {
		return fmt.Errorf("another apply is running: %w", err)
	}
	return err
}

// checkRepo refuses a GitOps repository with changes someone else made or
// that is behind its remote.
func checkRepo(ctx context.Context, repo *gitrepo.Repo, push bool) error {
	if _, err := repo.Branch(); err != nil {
		return err
	}
	dirty, err := repo.Dirty()
	if err != nil {
		return err
	}
	if len(dirty) > 0 && !repo.Pending() {
		shown := dirty
		if len(shown) > 5 {
			shown = append(slices.Clone(shown[:5]), fmt.Sprintf("and %d more", len(dirty)-5))
		}
		return &ExitErr{Code: ExitFindings, Err: fmt.Errorf("the GitOps repository %s has uncommitted changes (%s): commit or discard them first; %s", repo.Dir, strings.Join(shown, ", "), unchanged(repo))}
	}
	if repo.HasRemote("origin") {
		if push {
			if err := repo.Fetch(ctx, "origin"); err != nil {
				return remoteExitErr(err, "")
			}
		}
		behind, err := repo.Behind("origin")
		if err != nil {
			return err
		}
		if behind {
			return &ExitErr{Code: ExitFindings, Err: fmt.Errorf("the GitOps repository %s is behind or has diverged from origin: pull (or rebase) first; %s", repo.Dir, unchanged(repo))}
		}
	}
	return nil
}

func commitAuthor(g *globals) gitrepo.Author {
	a := gitrepo.Author{Name: g.cfg.Getenv("GIT_AUTHOR_NAME"), Email: g.cfg.Getenv("GIT_AUTHOR_EMAIL")}
	if a.Name == "" {
		a.Name = "platc"
	}
	if a.Email == "" {
		a.Email = "platc@localhost"
	}
	return a
}

// commitMessage summarises an apply: the stacks' changes and the GitOps
// objects per environment, and the spec's commit.
func commitMessage(platform, source, emergency string, results []*pulumi.Result, diff *treediff.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "platc apply: %s: %d to add, %d to change, %d to remove\n\n",
		platform, diff.Summary.Add, diff.Summary.Change, diff.Summary.Remove)
	if source != "" {
		fmt.Fprintf(&b, "Rendered from spec commit %s.\n\n", source)
	}
	b.WriteString("Stacks:\n")
	for _, r := range results {
		fmt.Fprintf(&b, "  %s: %s\n", r.Stack, r.Summary())
	}
	var envs []string
	for e := range diff.Environments {
		envs = append(envs, e)
	}
	slices.Sort(envs)
	if len(envs) > 0 {
		b.WriteString("\nGitOps objects:\n")
		for _, e := range envs {
			fmt.Fprintf(&b, "  %s: %s\n", e, counts(diff.Environments[e].Counts))
		}
	}
	fmt.Fprintf(&b, "\nFiles: %d added, %d changed, %d removed.\n", len(diff.Files.Added), len(diff.Files.Changed), len(diff.Files.Removed))
	if emergency != "" {
		fmt.Fprintf(&b, "\nPlatc-Emergency: %s\n", emergency)
	}
	return b.String()
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// selectTree is the tree an apply of some of the environments commits:
// the selected environments' files as rendered, the files the
// environments share, and the other environments' files as the
// repository has them, so that an environment's GitOps directory changes
// only in its own apply (and behind its own approval). The files of
// environments the spec no longer declares are left out, as in a full
// apply. An environment the repository does not have yet and that is not
// selected is rendered out altogether, so that the shared files (the
// engine's kustomization) name no directory the repository lacks.
func selectTree(ctx context.Context, p *plan.Plan, tree, old map[string][]byte, stacks []*pulumi.Stack) (map[string][]byte, error) {
	root := p.Platform.GitOps.Path
	selected := map[string]bool{}
	for _, s := range stacks {
		selected[s.Environment] = true
	}
	declared := map[string]bool{}
	for _, env := range p.Environments {
		declared[env.Name] = true
	}
	present := map[string]bool{}
	for f := range old {
		present[treediff.EnvironmentOf(root, f)] = true
	}
	var kept []*plan.Environment
	for _, env := range p.Environments {
		if selected[env.Name] || present[env.Name] {
			kept = append(kept, env)
		}
	}
	if len(kept) < len(p.Environments) {
		q := *p
		q.Environments = kept
		rendered := newCollector()
		if err := emit.Run(ctx, &q, rendered, emitters()...); err != nil {
			return nil, err
		}
		tree = rendered.Files()
	}
	out := make(map[string][]byte, len(tree))
	for f, b := range tree {
		if env := treediff.EnvironmentOf(root, f); env == "" || selected[env] {
			out[f] = b
		}
	}
	for f, b := range old {
		if env := treediff.EnvironmentOf(root, f); declared[env] && !selected[env] {
			out[f] = b
		}
	}
	return out, nil
}
