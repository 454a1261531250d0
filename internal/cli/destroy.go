package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/changewindow"
	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/internal/lockfile"
	"github.com/platc-dev/platc/providers/pulumi"
)

const destroyLong = `Destroy tears one environment down on purpose: it deletes every resource
of the environment's Pulumi stack <project>/<env> and removes the stack
from the backend. The spec in DIR (default: the current directory) names
the project and the backend, and must check without errors.

It is refused inside a freeze of the environment or outside its change
windows (exit 1), unless --emergency "reason" is given, and it asks to
confirm by typing the environment's name (--yes without a terminal).
An environment the spec still declares is created again by the next
apply: remove it from the spec to keep it gone; apply then removes its
GitOps directory. An interrupt leaves a consistent state: run destroy
again to finish.`

type destroyOptions struct {
	compileOptions
	stackOptions
	env         string
	yes         bool
	emergency   string
	lockTimeout time.Duration
}

func newDestroyCmd(g *globals) *cobra.Command {
	o := &destroyOptions{}
	cmd := &cobra.Command{
		Use:   "destroy [DIR] --env ENV",
		Short: "Destroy one environment's Pulumi stack and remove it from the backend",
		Long:  destroyLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			if o.env == "" {
				return usageError("--env ENV is required: the environment to destroy")
			}
			if cmd.Flags().Changed("emergency") && strings.TrimSpace(o.emergency) == "" {
				return usageError("--emergency needs a reason: --emergency \"decommission INC-123\"")
			}
			if !cmd.Flags().Changed("lock-timeout") {
				o.lockTimeout = -1
			}
			return runDestroy(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.env, "env", "", "the `ENV`ironment whose stack to destroy")
	f.BoolVar(&o.yes, "yes", false, "do not ask for confirmation (required without a terminal)")
	f.StringVar(&o.emergency, "emergency", "", "destroy despite freezes and change windows, recording this `reason`")
	f.DurationVar(&o.lockTimeout, "lock-timeout", 0, "give up when an apply holds the state lock this long (default: wait; 0: fail at once)")
	f.StringVar(&o.backend, "backend", "", "Pulumi state backend `URL` (default: platform.pulumi.backend, else file://DIR/.platc/state)")
	f.StringVar(&o.secrets, "secrets-provider", "", "secrets provider of the stack (default: platform.pulumi.secretsProvider)")
	o.checkFlags.register(cmd, checkHelp{now: "the time the change windows are judged at", inventory: "reconciliation findings as in check"})
	return cmd
}

func runDestroy(ctx context.Context, g *globals, o *destroyOptions) error {
	stderr := g.cfg.Stderr
	if !o.yes && !isTerminal(g.cfg.Stdin) {
		return usageError("destroy deletes infrastructure and there is no terminal to confirm on: pass --yes to destroy without asking")
	}
	if err := validBackend(o.backend); err != nil {
		return err
	}
	specDir := g.abs(o.dir)
	// The tree is rendered and dropped: destroy needs the checked spec.
	discard := emit.SinkFunc(func(string, []byte) error { return nil })
	res, p, err := o.compileSpec(ctx, g, discard)
	if err != nil {
		return err
	}
	project := p.Platform.Pulumi.Project
	stack := project + "/" + o.env
	inSpec := slices.Contains(envNames(p), o.env)
	if env := res.Spec.Environments[o.env]; env != nil {
		r, err := changewindow.Check(env, o.now.Now())
		if err != nil {
			return err
		}
		if r != nil {
			if o.emergency == "" {
				fmt.Fprintf(stderr, "platc: %s\n", r.Reason)
				return &ExitErr{Code: ExitFindings, Err: errors.New(`destroy refused by the change calendar: wait for the window, or pass --emergency "reason" to override (the reason is recorded)`)}
			}
			fmt.Fprintf(stderr, "platc: warning: emergency destroy overrides: %s\n", r.Reason)
		}
	}
	engine, err := o.engine(g, p, specDir, nil)
	if err != nil {
		return err
	}
	statePath := filepath.Join(specDir, ".platc", "apply.lock")
	if d := backendDir(engine.Backend); d != "" {
		statePath = filepath.Join(d, ".platc-apply.lock")
	}
	lock, err := lockfile.Acquire(ctx, statePath, "platc destroy "+o.dir, o.lockTimeout, func(holder string) {
		fmt.Fprintf(stderr, "platc: waiting for another apply to finish with the Pulumi state (%s)\n", holder)
	})
	if err != nil {
		return lockError(err)
	}
	defer lock.Release()
	if !o.yes {
		fmt.Fprintf(stderr, "\nplatc will delete every resource of the stack %s and remove the stack.\nType the environment's name (%s) to confirm: ", stack, o.env)
		answer, _ := bufio.NewReader(g.cfg.Stdin).ReadString('\n')
		if strings.TrimSpace(answer) != o.env {
			return errors.New("destroy cancelled: nothing was changed")
		}
	}
	message := "platc destroy --env " + o.env
	if o.emergency != "" {
		message += " (emergency: " + o.emergency + ")"
	}
	fmt.Fprintf(stderr, "==> pulumi destroy %s\n", stack)
	pw := &prefixWriter{w: stderr, prefix: "    " + o.env + " | "}
	engine.Progress = pw
	r, err := engine.Destroy(ctx, project, p.Platform.Name, o.env, message)
	pw.Flush()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted during the destroy of %s: Pulumi cancelled it and its state is consistent; run destroy again to finish", stack)
		}
		var ce *pulumi.CLIError
		if errors.As(err, &ce) && strings.Contains(ce.Detail, "no stack named") {
			return fmt.Errorf("there is no stack %s in the backend %s: nothing to destroy", stack, engine.Backend)
		}
		return stackExitErr(err)
	}
	fmt.Fprintf(g.cfg.Stdout, "Destroyed %s: %d resources deleted, the stack removed (%.1fs).\n", stack, r.Changes["delete"], r.Seconds)
	if inSpec {
		fmt.Fprintf(stderr, "platc: warning: environment %s is still in the spec: the next apply creates it again; remove it from the spec to keep it gone\n", o.env)
	}
	return nil
}
