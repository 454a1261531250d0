package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/platc-dev/platc/compiler/diag"
)

// RuleRego is the rule ID of problems in the policies themselves.
const RuleRego = "rego"

// Rule is what platc knows about a policy module from its METADATA block.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Package     string   `json:"package"`
	Builtin     bool     `json:"builtin"`
	Pos         diag.Pos `json:"pos"`
}

// Engine holds the compiled policies and the prepared query that
// evaluates all of them at once.
type Engine struct {
	compiler *ast.Compiler
	modules  map[string]*ast.Module
	query    rego.PreparedEvalQuery
	// outputs are the deny and warn rules the query reads, in the order
	// findings are reported.
	outputs []output
	// Rules by rule ID, and by package path.
	Rules     map[string]*Rule
	byPackage map[string]*Rule
	// reserved says whose each rule ID the user's policies may not claim
	// is: platc's own checks', or a built-in policy's.
	reserved map[string]string
}

// Options say how policies are compiled and what they may reach.
type Options struct {
	// Tests compiles the _test.rego files too (platc policy test).
	Tests bool
	// AllowNet names the hosts policies may reach, OPA's allow_net
	// capability: http.send, net.lookup_ip_addr and the remote $refs of
	// json.match_schema are refused every other host. Empty, they reach
	// none, so that policies are hermetic: a spec gets the same findings
	// on every machine, and a policy cannot send it anywhere.
	AllowNet []string
	// Reserved are the rule IDs of platc's own checks outside the
	// policies (schema, reference, …). The user's policies may not claim
	// them, nor the IDs of the built-in policies and of the checks this
	// package makes (rego, exception-expired, …), in their METADATA, their
	// package's name or a finding's rule.
	Reserved []string
}

// ownRules are the rule IDs this package reports under itself.
func ownRules() []string {
	return []string{RuleRego, RuleExceptionExpired, RuleExceptionUnused, RulePolicyConfig}
}

// Compile is [CompileWith] with the default options: no host reachable.
func Compile(ctx context.Context, sources []Source, tests bool) (*Engine, diag.Diagnostics) {
	return CompileWith(ctx, sources, Options{Tests: tests})
}

// CompileWith parses and compiles the policy sources. Test files are
// compiled too when opts.Tests is set (for `platc policy test`). Syntax and
// type errors, and user policies that claim what is platc's (a reserved
// package or rule ID), come back as diagnostics at their file:line:col; an
// engine is returned only when there are none.
func CompileWith(ctx context.Context, sources []Source, opts Options) (*Engine, diag.Diagnostics) {
	var ds diag.Diagnostics
	modules := map[string]*ast.Module{}
	builtin := map[string]bool{}
	for _, s := range sources {
		if s.IsTest() && !opts.Tests {
			continue
		}
		m, err := ast.ParseModuleWithOpts(s.Name, string(s.Src), ast.ParserOptions{
			ProcessAnnotation: true,
			RegoVersion:       ast.RegoV1,
		})
		if err != nil {
			ds.Append(regoErrors(err)...)
			continue
		}
		if pkg := m.Package.Path.String(); pkg != "data.platc" && !strings.HasPrefix(pkg, "data.platc.") {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleRego, Pos: locPos(m.Package.Location),
				Message: fmt.Sprintf("package %s is not under platc: platc evaluates policies in packages under platc (package platc.custom.…)", strings.TrimPrefix(pkg, "data.")),
			})
			continue
		}
		if pkg := m.Package.Path.String(); !s.Builtin && (pkg == "data.platc.builtin" || strings.HasPrefix(pkg, "data.platc.builtin.") || strings.HasPrefix(pkg, "data.platc.lib.")) {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleRego, Pos: locPos(m.Package.Location),
				Message: fmt.Sprintf("package %s is reserved for platc's built-in policies: put your policies in another package under platc (platc.custom.…)", strings.TrimPrefix(pkg, "data.")),
			})
			continue
		}
		if !s.Builtin {
			if bad := reservedRules(m); len(bad) > 0 {
				ds.Append(bad...)
				continue
			}
		}
		modules[s.Name] = m
		builtin[s.Name] = s.Builtin
	}
	if ds.HasErrors() {
		return nil, ds.Sorted()
	}
	caps := ast.CapabilitiesForThisVersion()
	// A nil allow_net lets OPA reach every host; an empty one, none.
	caps.AllowNet = append([]string{}, opts.AllowNet...)
	c := ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(opts.Tests)
	c.Compile(modules)
	if c.Failed() {
		ds.Append(regoErrors(c.Errors)...)
		return nil, ds.Sorted()
	}
	e := &Engine{compiler: c, modules: modules, Rules: map[string]*Rule{}, byPackage: map[string]*Rule{}, reserved: map[string]string{}}
	for _, id := range append(ownRules(), opts.Reserved...) {
		e.reserved[id] = "platc's own checks"
	}
	// The built-in policies first, so that their IDs are taken before a
	// user's policy can claim one.
	names := slices.SortedFunc(maps.Keys(modules), func(a, b string) int {
		return cmp.Or(-cmp.Compare(b2i(builtin[a]), b2i(builtin[b])), cmp.Compare(a, b))
	})
	for _, name := range names {
		m := modules[name]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if strings.HasSuffix(pkg, "_test") {
			continue
		}
		r := &Rule{Package: pkg, Builtin: builtin[name], Pos: locPos(m.Package.Location)}
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			r.Title, r.Description = a.Title, strings.TrimSpace(a.Description)
			if id, ok := a.Custom["id"].(string); ok {
				r.ID = id
			}
		}
		if r.ID == "" {
			r.ID = strings.TrimPrefix(pkg, "platc.")
		}
		if owner, ok := e.reserved[r.ID]; ok && !r.Builtin {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleRego, Pos: r.Pos,
				Message: fmt.Sprintf("rule ID %s is reserved for %s: give policy %s a custom.id of its own in its METADATA", r.ID, owner, pkg),
			})
			continue
		}
		if prev, ok := e.Rules[r.ID]; ok && prev.Package != pkg {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleRego, Pos: r.Pos,
				Message: fmt.Sprintf("rule ID %s is already used by package %s: give each policy its own custom.id", r.ID, prev.Package),
			})
			continue
		}
		e.Rules[r.ID] = r
		e.byPackage[pkg] = r
		if r.Builtin {
			e.reserved[r.ID] = "the built-in policy " + pkg
		}
	}
	if ds.HasErrors() {
		return nil, ds.Sorted()
	}
	e.outputs = findingRules(modules)
	q, err := rego.New(
		rego.Query(e.outputQuery()),
		rego.Compiler(c),
		rego.Capabilities(caps),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		ds.Append(regoErrors(err)...)
		return nil, ds.Sorted()
	}
	e.query = q
	return e, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// reservedRules refuses the rules of a user's module that define documents
// under platc.builtin or platc.lib through a rule head such as
// builtin.gpu_cost.deny in package platc: their findings would pass for
// those of a built-in policy.
func reservedRules(m *ast.Module) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, r := range m.Rules {
		path := refLabels(r.Path())
		if len(path) >= 3 && path[0] == "data" && path[1] == "platc" && (path[2] == "builtin" || path[2] == "lib") {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleRego, Pos: locPos(r.Location),
				Message: fmt.Sprintf("rule %s defines %s, which is reserved for platc's built-in policies: define your rules in another package under platc (platc.custom.…)", r.Head.Ref(), strings.Join(path[1:], ".")),
			})
		}
	}
	return ds
}

// refLabels reads the labels of a ground ref: data.platc.builtin.x.
func refLabels(ref ast.Ref) []string {
	out := make([]string, 0, len(ref))
	for _, t := range ref {
		switch v := t.Value.(type) {
		case ast.Var:
			out = append(out, string(v))
		case ast.String:
			out = append(out, string(v))
		default:
			return out
		}
	}
	return out
}

// Modules returns the compiled modules, for the test runner.
func (e *Engine) Modules() map[string]*ast.Module { return e.modules }

// Compiler returns the compiler the modules were compiled with.
func (e *Engine) Compiler() *ast.Compiler { return e.compiler }

// RawFinding is one element of a deny or warn set, before it is checked
// and positioned.
type RawFinding struct {
	// Package is the policy's package path, "platc.builtin.gpu_pool_fit".
	Package string
	// Deny is true for deny rules, false for warn rules.
	Deny  bool
	Value any
}

// ErrTimeout is returned when the policies do not finish in time.
var ErrTimeout = errors.New("policies did not finish in time")

// Eval evaluates every policy against input and returns the elements of
// every deny and warn rule, in a stable order.
func (e *Engine) Eval(ctx context.Context, input ast.Value) ([]RawFinding, error) {
	ev, err := e.Evaluate(ctx, input)
	if err != nil {
		return nil, err
	}
	return ev.Findings, nil
}

// Evaluation is the outcome of one evaluation of every policy.
type Evaluation struct {
	// Findings are the elements of every deny and warn rule, in a stable
	// order.
	Findings []RawFinding
	// Capabilities are the blueprint capabilities the spec has, sorted:
	// data.platc.lib.capabilities.has, the set blueprint-schedule judges
	// milestones by. Nil when the built-in library is not loaded.
	Capabilities []string
}

// CapabilitiesPackage is the package whose has set lists the blueprint
// capabilities a spec has.
const CapabilitiesPackage = "platc.lib.capabilities"

// Evaluate evaluates every policy against input once and returns the
// findings and the spec's blueprint capabilities (evaluated by the same
// query, so they cost nothing extra).
func (e *Engine) Evaluate(ctx context.Context, input ast.Value) (*Evaluation, error) {
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		var te *topdown.Error
		if errors.As(err, &te) && te.Code == topdown.CancelErr || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return nil, ErrTimeout
		}
		if te != nil && te.Location != nil {
			return nil, e.evalError(te)
		}
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	ev := &Evaluation{}
	if len(rs) == 0 {
		return ev, nil
	}
	b := rs[0].Bindings
	for i, o := range e.outputs {
		for _, v := range defined(b[fmt.Sprintf("r%d", i)]) {
			items, ok := v.([]any)
			if !ok {
				continue
			}
			for _, it := range items {
				ev.Findings = append(ev.Findings, RawFinding{Package: o.pkg, Deny: o.deny, Value: it})
			}
		}
	}
	for _, v := range defined(b["capabilities"]) {
		ev.Capabilities = capabilities(v)
	}
	return ev, nil
}

// output is one deny or warn rule of a package.
type output struct {
	pkg  string // "platc.builtin.gpu_pool_fit"
	deny bool
	// ref is the rule's path below data.
	ref []string
}

// packageLabels returns the labels of a package path below data.
func packageLabels(path ast.Ref) []string {
	var out []string
	for _, t := range path[1:] {
		if s, ok := t.Value.(ast.String); ok {
			out = append(out, string(s))
		}
	}
	return out
}

// findingRules lists the deny and warn rules of the modules, sorted by
// package, deny before warn; test packages are left out.
func findingRules(modules map[string]*ast.Module) []output {
	seen := map[string]bool{}
	var out []output
	for _, m := range modules {
		labels := packageLabels(m.Package.Path)
		if strings.HasSuffix(strings.Join(labels, "."), "_test") {
			continue
		}
		for _, r := range m.Rules {
			// A rule's head may name a document below its package
			// (x.deny contains … in package platc.custom): its findings
			// belong to that document's path, platc.custom.x.
			parts, ok := headPath(r.Head.Ref())
			if !ok {
				continue
			}
			name := parts[len(parts)-1]
			if name != "deny" && name != "warn" {
				continue
			}
			ref := append(slices.Clone(labels), parts...)
			o := output{pkg: strings.Join(ref[:len(ref)-1], "."), deny: name == "deny", ref: ref}
			if key := strings.Join(ref, "\x00"); !seen[key] {
				seen[key] = true
				out = append(out, o)
			}
		}
	}
	slices.SortFunc(out, func(a, b output) int {
		return cmp.Or(cmp.Compare(a.pkg, b.pkg), -cmp.Compare(b2i(a.deny), b2i(b.deny)))
	})
	return out
}

// headPath returns the labels of a rule head's reference when all are
// constant names.
func headPath(ref ast.Ref) ([]string, bool) {
	out := make([]string, 0, len(ref))
	for i, t := range ref {
		switch v := t.Value.(type) {
		case ast.Var:
			if i > 0 {
				return nil, false
			}
			out = append(out, string(v))
		case ast.String:
			out = append(out, string(v))
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}

// outputQuery asks for each deny and warn rule, and for the blueprint
// capabilities, and nothing else. Asking for data.platc as a whole made
// OPA evaluate and convert to Go every rule of every package, the
// library's helpers included, whose documents grow with the spec: at
// 3,000 teams that conversion was two thirds of the policy phase. Each
// rule is wrapped in a comprehension ([x | x := rule]) so that one that is
// undefined yields [] instead of making the whole query undefined.
func (e *Engine) outputQuery() string {
	var b strings.Builder
	for i, o := range e.outputs {
		fmt.Fprintf(&b, "r%d := [x | x := data%s]\n", i, refText(o.ref))
	}
	for _, m := range e.modules {
		if m.Package.Path.String() == "data."+CapabilitiesPackage {
			fmt.Fprintf(&b, "capabilities := [x | x := data.%s.has]\n", CapabilitiesPackage)
			break
		}
	}
	if b.Len() == 0 {
		return "true"
	}
	return b.String()
}

// refText writes labels as a reference below data, quoting the ones
// that are not plain names (a package platc.custom["my-rules"]).
func refText(labels []string) string {
	var b strings.Builder
	for _, l := range labels {
		if ast.IsVarCompatibleString(l) {
			b.WriteString("." + l)
		} else {
			fmt.Fprintf(&b, "[%q]", l)
		}
	}
	return b.String()
}

// defined returns the elements of a comprehension's result: one value
// when the rule was defined, none otherwise.
func defined(v any) []any {
	items, _ := v.([]any)
	return items
}

// EvalError is a policy that failed as it was evaluated: a built-in
// function that refused its arguments, such as http.send asked for a host
// the policies may not reach, or a rule with conflicting values. Diag is
// positioned at the expression in the .rego file, under the policy's rule
// ID.
type EvalError struct {
	Diag diag.Diagnostic
	// Net is set when the policy tried to reach a host that
	// [Options.AllowNet] does not name.
	Net bool
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("evaluate policies: %s: %s", e.Diag.Pos, e.Diag.Message)
}

// evalError positions an evaluation error in its policy.
func (e *Engine) evalError(te *topdown.Error) *EvalError {
	d := diag.Diagnostic{Severity: diag.Error, Rule: RuleRego, Pos: locPos(te.Location), Message: te.Message}
	if m, ok := e.modules[te.Location.File]; ok {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		d.Message = fmt.Sprintf("policy %s: %s", pkg, te.Message)
		if r := e.byPackage[pkg]; r != nil {
			d.Rule = r.ID
		}
	}
	// OPA's words for a host outside allow_net (http.send,
	// net.lookup_ip_addr; a JSON schema's remote $ref).
	net := strings.Contains(te.Message, "disallowed host") || strings.Contains(te.Message, "remote reference loading disabled")
	return &EvalError{Diag: d, Net: net}
}

// capabilities reads the set data.platc.lib.capabilities.has.
func capabilities(v any) []string {
	items, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// RuleFor returns the rule of a package, or nil for packages that declare
// no findings of their own.
func (e *Engine) RuleFor(pkg string) *Rule { return e.byPackage[pkg] }

func locPos(l *ast.Location) diag.Pos {
	if l == nil {
		return diag.Pos{}
	}
	return diag.Pos{File: l.File, Line: l.Row, Column: max(l.Col, 1)}
}

// regoErrors converts OPA's parse and compile errors.
func regoErrors(err error) diag.Diagnostics {
	var ds diag.Diagnostics
	var errs ast.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			ds.Append(diag.Diagnostic{Severity: diag.Error, Rule: RuleRego, Pos: locPos(e.Location), Message: e.Message})
		}
		return ds
	}
	var ae *ast.Error
	if errors.As(err, &ae) {
		return diag.Diagnostics{{Severity: diag.Error, Rule: RuleRego, Pos: locPos(ae.Location), Message: ae.Message}}
	}
	return diag.Diagnostics{{Severity: diag.Error, Rule: RuleRego, Message: err.Error()}}
}
