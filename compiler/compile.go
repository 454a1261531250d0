package compiler

import (
	"context"
	"path/filepath"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/plan"
)

// Compile checks the spec and, when it has no errors, builds the plan
// every emitter reads. The plan is nil when the check found errors.
func Compile(ctx context.Context, cfg CheckConfig) (*Result, *plan.Plan, diag.Diagnostics, error) {
	res, ds, err := Check(ctx, cfg)
	if err != nil || ds.HasErrors() || res == nil || res.Spec == nil {
		return res, nil, ds, err
	}
	return res, buildPlan(res, cfg), ds, nil
}

// CompileEmit is Compile that also runs emit on the plan. A plan needs
// only a spec that has passed the schema, so the plan is built and emit
// runs while the policies are evaluated, on the cores policy evaluation
// leaves idle; their results are returned only when the whole check
// finds no errors. emit must not keep the plan's spec beyond its return.
// The context emit is given ends when the check fails: emit should stop
// then, as its work will be thrown away.
func CompileEmit[T any](ctx context.Context, cfg CheckConfig, emit func(context.Context, *plan.Plan) (T, error)) (*Result, *plan.Plan, T, diag.Diagnostics, error) {
	type built struct {
		p   *plan.Plan
		out T
		err error
	}
	emitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var early chan built
	cfg.valid = func(res *Result) {
		early = make(chan built, 1)
		go func() {
			p := buildPlan(res, cfg)
			out, err := emit(emitCtx, p)
			early <- built{p, out, err}
		}()
	}
	res, ds, err := Check(ctx, cfg)
	// Check calls valid whenever the spec passes the schema and its
	// references resolve, so a check that passes has started emit; one
	// that fails may not have.
	failed := err != nil || ds.HasErrors() || res == nil || res.Spec == nil || early == nil
	if failed {
		cancel()
	}
	var b built
	if early != nil {
		b = <-early // never left running behind the caller's back
	}
	if failed {
		var zero T
		return res, nil, zero, ds, err
	}
	return res, b.p, b.out, ds, b.err
}

// buildPlan builds the plan of a checked spec at the check's time, with
// the GPU products the check's inventory (res.Inventory) discovered.
func buildPlan(res *Result, cfg CheckConfig) *plan.Plan {
	inventory := res.Inventory
	files := func(path ...string) []string {
		var out []string
		for _, p := range res.Package.Index.Positions(path) {
			if rel, err := filepath.Rel(res.Package.Dir, p.File); err == nil {
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return out
	}
	opts := plan.Options{Files: files, Now: cfg.Now}
	// An inventory (--inventory) that knows the products it discovered
	// gives the GPU flavors the labels the nodes really carry.
	if inventory != nil {
		opts.Discovered = inventory.ProductLabels(res.Spec)
	}
	return plan.Build(res.Spec, opts)
}
