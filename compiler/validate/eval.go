// Package validate checks a loaded spec against the embedded schema and
// decodes it into the typed [model.Spec]: each unit of files is unified
// with #Spec on its own cue.Context, units run in parallel, and what
// crosses units (references between teams, services, datasets …) is
// checked on the decoded model.
package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/source"
	"github.com/platc-dev/platc/schema"
)

// RuleSchema is the rule ID of schema violations.
const RuleSchema = "schema"

// evaluator owns one cue.Context with the schema compiled into it. A
// cue.Context is not safe for concurrent use, so each worker has its own.
type evaluator struct {
	ctx    *cue.Context
	schema *build.Instance
	spec   cue.Value
}

func newEvaluator() (*evaluator, error) {
	inst, err := schema.Instance()
	if err != nil {
		return nil, err
	}
	ctx := cuecontext.New()
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	spec := v.LookupPath(cue.MakePath(cue.Def("Spec")))
	if err := spec.Err(); err != nil {
		return nil, fmt.Errorf("schema has no #Spec: %w", err)
	}
	return &evaluator{ctx: ctx, schema: inst, spec: spec}, nil
}

// unitResult is what evaluating one unit yields.
type unitResult struct {
	spec  *model.Spec
	diags diag.Diagnostics
	// writes reports whether the unit's files write at or below a path.
	writes func(path ...string) bool
}

// evalUnit unifies the unit's files with #Spec, validates that everything
// is concrete and, when decode is set, decodes the result.
func (e *evaluator) evalUnit(pkg *load.Package, unit []int, decode bool) unitResult {
	res := unitResult{writes: writesFunc(pkg, unit)}
	bi := build.NewContext().NewInstance(pkg.Dir, nil)
	bi.PkgName = pkg.Name
	for _, i := range unit {
		f := pkg.Files[i]
		syn := f.Syntax
		if f.Library || syn == nil {
			// Library files can be shared by units evaluated concurrently;
			// building resolves identifiers in place, so each unit gets a copy.
			var err error
			if syn, err = f.Reparse(); err != nil {
				res.diags.Errorf(diag.Pos{File: f.Path}, load.RuleSyntax, "%v", err)
				return res
			}
		}
		if err := bi.AddSyntax(syn); err != nil {
			res.diags.Append(e.convert(pkg, err, cue.Value{})...)
			return res
		}
	}
	for _, i := range unit {
		if slices.Contains(pkg.Files[i].Imports, schema.ImportPath) {
			bi.Imports = append(bi.Imports, e.schema)
			break
		}
	}
	v := e.ctx.BuildInstance(bi)
	if v.Err() != nil && !v.Exists() {
		res.diags.Append(e.convert(pkg, v.Err(), v)...)
		return res
	}
	// Encoding the unified value fails on any error in it (a conflict, a
	// value out of bounds, a missing or misspelt field, anything not
	// concrete), so the happy path validates and decodes in one pass. Only
	// when it fails is the value walked to report every error.
	u := e.spec.Unify(v)
	var s model.Spec
	var err error
	// decodeErr is set when the value is valid CUE the model cannot hold.
	decodeErr := false
	if decode {
		var b []byte
		if b, err = u.MarshalJSON(); err == nil {
			err = json.Unmarshal(b, &s)
			decodeErr = err != nil
		}
	} else {
		// Validation alone costs about half of validating and decoding.
		err = u.Validate(cue.Concrete(true))
	}
	if err != nil {
		var all []cueError
		walkErrors(u, nil, pkg.Index, &all)
		if len(all) == 0 && decodeErr {
			res.diags.Append(decodeError(pkg, u, err))
			return res
		}
		if len(all) == 0 {
			all = flatten(errors.Errors(err))
		}
		res.diags.Append(e.convertAll(pkg, all, u)...)
		return res
	}
	if decode {
		res.spec = &s
	}
	return res
}

// defaults decodes #Spec with nothing written: the defaults of every
// field a spec may leave out.
func (e *evaluator) defaults() (*model.Spec, error) {
	var s model.Spec
	if err := e.spec.Unify(e.ctx.CompileString("{}")).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode schema defaults: %w", err)
	}
	return &s, nil
}

func writesFunc(pkg *load.Package, unit []int) func(path ...string) bool {
	return func(p ...string) bool {
		for _, i := range unit {
			for _, fp := range pkg.Files[i].Footprint {
				n := min(len(fp), len(p))
				if slices.Equal(fp[:n], p[:n]) {
					return true
				}
			}
		}
		return false
	}
}

// unitsPerContext is how many units one cue.Context evaluates before it
// is replaced. Compiling the schema into a new context costs about as much
// as evaluating one unit.
const unitsPerContext = 8

// Options tune [Validate].
type Options struct {
	// Decode the spec into the model and check the references between its
	// parts; without it Validate only checks the files against the schema.
	Decode bool
}

// Validate evaluates every unit of pkg against the schema, in parallel.
// With opts.Decode it merges the decoded units and checks references
// between them. It returns a nil spec when there are schema errors or
// decoding was not asked for.
func Validate(ctx context.Context, pkg *load.Package, opts Options) (*model.Spec, diag.Diagnostics, error) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(pkg.Units)))
	results := make([]unitResult, len(pkg.Units))
	evals := make([]*evaluator, workers)
	errs := make([]error, workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var ev *evaluator
			done := 0
			for i := range next {
				// A cue.Context keeps what was evaluated in it; a fresh one
				// every few units keeps memory flat however large the spec.
				if ev == nil || done == unitsPerContext {
					var err error
					if ev, err = newEvaluator(); err != nil {
						errs[w] = err
						for range next {
						}
						return
					}
					evals[w], done = ev, 0
				}
				results[i] = ev.evalUnit(pkg, pkg.Units[i], opts.Decode)
				done++
			}
		})
	}
feed:
	for i := range pkg.Units {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	err := ctx.Err()
	if err != nil {
		return nil, nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}

	ds, unknown := checkTopLevelNames(pkg)
	for _, r := range results {
		for _, d := range r.diags {
			if first := source.ParsePath(d.Path); len(first) > 0 && unknown[first[0]] {
				continue
			}
			ds.Append(d)
		}
	}
	ds.Append(checkTopLevel(pkg)...)
	if ds.HasErrors() || !opts.Decode {
		return nil, ds.Sorted(), nil
	}
	ev := evals[0]
	if ev == nil {
		if ev, err = newEvaluator(); err != nil {
			return nil, nil, err
		}
	}
	base, err := ev.defaults()
	if err != nil {
		return nil, nil, err
	}
	spec := merge(base, results)
	ds.Append(checkReferences(pkg, spec)...)
	return spec, ds.Sorted(), nil
}
