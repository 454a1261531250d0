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
	files := func(path ...string) []string {
		var out []string
		for _, p := range res.Package.Index.Positions(path) {
			if rel, err := filepath.Rel(res.Package.Dir, p.File); err == nil {
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return out
	}
	return res, plan.Build(res.Spec, plan.Options{Files: files}), ds, nil
}
