package compiler

import (
	"context"
	"path/filepath"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
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
	opts := plan.Options{Files: files}
	// An inventory (--inventory) that knows the products it discovered
	// gives the GPU flavors the labels the nodes really carry.
	if inv, ok := cfg.Inventory.(discoveredProducts); ok {
		opts.Discovered = inv.ProductLabels(res.Spec)
	}
	return res, plan.Build(res.Spec, opts), ds, nil
}

// discoveredProducts is an inventory (providers/gpu's) that counts the
// GPUs per environment, model and nvidia.com/gpu.product label.
type discoveredProducts interface {
	ProductLabels(spec *model.Spec) map[string]map[string]map[string]int
}
