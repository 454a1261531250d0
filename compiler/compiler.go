// Package compiler is platc's pipeline: load → validate → (policy → plan →
// emit, in later stages). Each stage is a package of its own; this package
// wires them together behind one entry point per command.
package compiler

import (
	"context"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/policy"
	"github.com/platc-dev/platc/compiler/validate"
)

// Config says what to compile.
type Config struct {
	// Dir is the spec directory.
	Dir string
	// DisplayDir names Dir in messages (as the user wrote it).
	DisplayDir string
	// Decode the spec into the model and check references between its
	// parts (check, render); vet only validates against the schema.
	Decode bool
}

// Result is a loaded and validated spec.
type Result struct {
	Package *load.Package
	Spec    *model.Spec
	// Rules are the policy rules a check ran, by ID.
	Rules map[string]*policy.Rule
	// Capabilities are the 90-day blueprint capabilities the spec has, as
	// the built-in policies judge them (data.platc.lib.capabilities.has),
	// sorted; set by Check.
	Capabilities []string
	// Inventory is the discovered hardware the check read
	// (CheckConfig.Inventory or what LoadInventory found), or nil.
	Inventory Inventory
}

// Vet loads the spec in cfg.Dir and validates it against the schema. A
// non-nil error means the spec could not be read at all (exit 2);
// problems in the spec are diagnostics (exit 1 when any is an error). The
// result's Spec is nil when the spec has schema errors.
func Vet(ctx context.Context, cfg Config) (*Result, diag.Diagnostics, error) {
	pkg, ds, err := load.Load(cfg.Dir, cfg.DisplayDir)
	if err != nil || pkg == nil {
		return nil, ds, err
	}
	spec, vds, err := validate.Validate(ctx, pkg, validate.Options{Decode: cfg.Decode})
	if err != nil {
		return nil, nil, err
	}
	ds.Append(vds...)
	return &Result{Package: pkg, Spec: spec}, ds.Sorted(), nil
}
