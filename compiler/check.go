package compiler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/policy"
	"github.com/platc-dev/platc/compiler/validate"
	"github.com/platc-dev/platc/policies"
)

// CheckConfig says what to check.
type CheckConfig struct {
	Config
	// PolicyDirs are further directories of the user's policies (--policy);
	// the spec's own policies/ directory is always read when it exists.
	PolicyDirs []string
	// Now is the time policies see as input.now.
	Now time.Time
	// Inventory is the discovered hardware (input.inventory), or nil.
	Inventory Inventory
	// LoadInventory, when set, finds the discovered hardware through the
	// decoded spec (clusters are reached through its environments): it is
	// called once the spec has decoded, before the policies read the
	// inventory, and what it returns (nil for none) stands in for
	// Inventory. Its error ends the check. The spec is decoded once, for
	// both.
	LoadInventory func(spec *model.Spec) (Inventory, error)
	// PolicyTimeout bounds policy evaluation; zero means two minutes.
	PolicyTimeout time.Duration
	// PolicyAllowNet names the hosts policies may reach (--policy-allow-net):
	// OPA's allow_net capability. Empty, they reach none.
	PolicyAllowNet []string
	// ReservedRules are the rule IDs of platc's checks outside the
	// compiler (the inventory reconciliation's), which the user's policies
	// may not claim, as they may not claim the compiler's own or the
	// built-in policies'.
	ReservedRules []string
	// Tests compiles the policies' _test.rego files too.
	Tests bool
	// Reconcile, when set, adds findings about the decoded spec from
	// outside the policies (the GPU inventory's reconciliation), before the
	// spec's exceptions and disabled rules apply to all findings alike.
	// Like the policies, it runs on a spec with reference errors too: a
	// name the spec refers to may be undeclared.
	Reconcile func(spec *model.Spec, pos func(labels []string) diag.Pos) (diag.Diagnostics, error)

	// valid, when set, is called with the result as soon as the spec has
	// passed the schema, decoded and has no reference errors, before the
	// policies are evaluated. It must only read the result.
	valid func(*Result)
}

// Inventory is discovered hardware, as providers/gpu loads it: the policies
// read it as input.inventory (its JSON form), and the plan gives each
// environment's GPU flavors the product labels its nodes carry.
type Inventory interface {
	// ProductLabels counts the GPUs per environment, spec model and
	// nvidia.com/gpu.product label.
	ProductLabels(spec *model.Spec) map[string]map[string]map[string]int
}

// PolicyError reports policies that cannot be used: Rego syntax or type
// errors, a package outside platc or a rule ID that is platc's, or a
// policy that failed as it was evaluated. Its diagnostics are positioned
// in the .rego files; no finding is reported.
type PolicyError struct {
	Diags diag.Diagnostics
	// Evaluated is set when the policies compiled and failed as they
	// were evaluated.
	Evaluated bool
}

func (e *PolicyError) Error() string {
	if e.Evaluated {
		return fmt.Sprintf("the policies have %d error(s); no finding was reported", len(e.Diags))
	}
	return fmt.Sprintf("the policies have %d error(s); nothing was evaluated", len(e.Diags))
}

// ownRules are the rule IDs of the compiler's own checks.
var ownRules = []string{load.RuleSyntax, load.RuleLoad, validate.RuleSchema, validate.RuleReference, validate.RuleRequired, RuleNotRun}

// Policies compiles the built-in policies and the user's for cfg.
func Policies(ctx context.Context, cfg CheckConfig) (*policy.Engine, error) {
	own := filepath.Join(cfg.Dir, "policies")
	dirs := append([]string{own}, cfg.PolicyDirs...)
	srcs, err := policy.Sources(policies.FS(), dirs, map[string]bool{own: true})
	if err != nil {
		return nil, err
	}
	eng, ds := policy.CompileWith(ctx, srcs, policy.Options{
		Tests:    cfg.Tests,
		AllowNet: cfg.PolicyAllowNet,
		Reserved: append(slices.Clone(ownRules), cfg.ReservedRules...),
	})
	if ds.HasErrors() {
		return nil, &PolicyError{Diags: ds}
	}
	return eng, nil
}

// Check vets the spec, decodes it, checks the references between its
// parts and evaluates every policy, built-in and the user's, against it.
// Reference errors are reported with the policies' findings; any other
// error (syntax, schema) stops the check before policies run, with an
// Info note (rule [RuleNotRun]) saying so. A *PolicyError means the
// policies themselves are broken (exit 2).
func Check(ctx context.Context, cfg CheckConfig) (*Result, diag.Diagnostics, error) {
	cfg.Decode = true
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	if cfg.PolicyTimeout == 0 {
		cfg.PolicyTimeout = 2 * time.Minute
	}
	// Compiling the policies and evaluating the CUE are independent.
	type compiled struct {
		eng *policy.Engine
		err error
	}
	engc := make(chan compiled, 1)
	go func() {
		eng, err := Policies(ctx, cfg)
		engc <- compiled{eng, err}
	}()
	res, ds, err := Vet(ctx, cfg.Config)
	pc := <-engc
	if err != nil {
		return nil, nil, err
	}
	if pc.err != nil {
		return res, ds, pc.err
	}
	// References to names the spec lacks leave a decoded spec the
	// policies can read (a lookup of the missing name is undefined), so
	// they are reported together with the policies' findings; any other
	// error leaves nothing to evaluate.
	refs, blocking := splitReferenceErrors(ds)
	if blocking > 0 || res == nil || res.Spec == nil {
		if blocking > 0 {
			ds = append(ds, notRun(blocking))
		}
		return res, ds.Sorted(), nil
	}
	if cfg.LoadInventory != nil {
		inv, err := cfg.LoadInventory(res.Spec)
		if err != nil {
			return nil, nil, err
		}
		cfg.Inventory = inv
	}
	res.Inventory = cfg.Inventory
	if cfg.valid != nil && len(refs) == 0 {
		cfg.valid(res)
	}
	var inventory any // input.inventory: {} without one
	if cfg.Inventory != nil {
		inventory = cfg.Inventory
	}
	in, err := policy.NewInput(res.Spec, cfg.Now, inventory)
	if err != nil {
		return nil, nil, err
	}
	evalCtx, cancel := context.WithTimeout(ctx, cfg.PolicyTimeout)
	defer cancel()
	ev, err := pc.eng.Evaluate(evalCtx, in.Value)
	if errors.Is(err, policy.ErrTimeout) {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("policies did not finish within %s: a rule may be looping over a large range or a deep walk; raise --policy-timeout if the spec is simply large", cfg.PolicyTimeout)
	}
	var ee *policy.EvalError
	if errors.As(err, &ee) {
		d := ee.Diag
		if ee.Net {
			d.Hint = "policies reach no host unless --policy-allow-net HOST names it, so that they are hermetic; name the host only if the policy must reach it"
		}
		return nil, nil, &PolicyError{Diags: diag.Diagnostics{d}, Evaluated: true}
	}
	if err != nil {
		return nil, nil, err
	}
	found, refused := pc.eng.Findings(ev.Findings, in, res.Package.Index)
	if len(refused) > 0 {
		return nil, nil, &PolicyError{Diags: refused.Sorted(), Evaluated: true}
	}
	ds.Append(found...)
	res.Capabilities = ev.Capabilities
	if cfg.Reconcile != nil {
		more, err := cfg.Reconcile(res.Spec, func(labels []string) diag.Pos {
			p, _ := res.Package.Index.Lookup(labels)
			return p
		})
		if err != nil {
			return nil, nil, err
		}
		ds.Append(more...)
	}
	known := map[string]bool{}
	for id := range pc.eng.Rules {
		known[id] = true
	}
	for _, id := range []string{validate.RuleSchema, validate.RuleReference, validate.RuleRequired} {
		known[id] = true
	}
	// Rules may name themselves in their findings rather than in METADATA.
	for _, d := range ds {
		known[d.Rule] = true
	}
	ds = policy.Settle(ds, res.Spec, known, cfg.Now, res.Package.Index)
	// No exception or disabled rule silences a reference error, as none
	// did when they stopped the check: the plan needs every name resolved.
	// (They go through Settle all the same, so that an exception naming
	// one is not reported as silencing nothing.)
	ds = append(dropRestated(ds, refs), refs...)
	res.Rules = pc.eng.Rules
	return res, ds.Sorted(), nil
}

// RuleNotRun is the rule ID of the note that the policies were not
// evaluated because the spec has errors they cannot be evaluated past.
const RuleNotRun = "policies-not-run"

// isReferenceError reports whether d is an error about a name the spec
// refers to and does not declare.
func isReferenceError(d diag.Diagnostic) bool {
	return d.Severity == diag.Error && d.Rule == validate.RuleReference
}

// splitReferenceErrors returns the reference errors of ds and the number
// of its other errors.
func splitReferenceErrors(ds diag.Diagnostics) (refs diag.Diagnostics, others int) {
	for _, d := range ds {
		switch {
		case isReferenceError(d):
			refs = append(refs, d)
		case d.Severity == diag.Error:
			others++
		}
	}
	return refs, others
}

// notRun is the note that the policies were not evaluated because of n
// errors, so that a run that reports only those does not read as one in
// which the policies found nothing.
func notRun(n int) diag.Diagnostic {
	what := "1 error"
	if n != 1 {
		what = fmt.Sprintf("%d errors", n)
	}
	return diag.Diagnostic{
		Severity: diag.Info, Rule: RuleNotRun,
		Message: fmt.Sprintf("the policies were not evaluated: the spec has %s to fix first", what),
		Hint:    "fix the errors and check again to see the policies' findings",
	}
}

// dropRestated drops the findings at the very path of a reference error,
// which restate it (a policy's "team x is not declared" where the
// reference error says "unknown team x").
func dropRestated(ds, refs diag.Diagnostics) diag.Diagnostics {
	if len(refs) == 0 {
		return ds
	}
	at := map[string]bool{}
	for _, d := range refs {
		at[d.Path] = true
	}
	return slices.DeleteFunc(ds, func(d diag.Diagnostic) bool { return !isReferenceError(d) && d.Path != "" && at[d.Path] })
}

// RuleIDs lists the IDs of the rules a result was checked with.
func (r *Result) RuleIDs() []string { return slices.Sorted(maps.Keys(r.Rules)) }
