package policy

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/source"
)

// Positioner maps spec paths to source positions.
type Positioner interface {
	Lookup(labels []string) (diag.Pos, bool)
}

// Findings checks each raw finding against the contract and turns it into
// a diagnostic at the position of the spec path it names. A malformed
// finding (no msg, no path, a path the spec does not have) becomes an
// error of the rule that produced it, at the policy's package clause, so
// it is never dropped silently.
//
// A finding of a user's policy that names a rule ID reserved for platc's
// own checks or a built-in policy would pass for theirs, and could be
// silenced as theirs: it is not reported as a finding but comes back in
// refused, an error of the policy at its package clause, which makes the
// whole check fail as a broken policy does.
func (e *Engine) Findings(raw []RawFinding, in *Input, pos Positioner) (ds, refused diag.Diagnostics) {
	for _, f := range raw {
		r := e.RuleFor(f.Package)
		ruleID, rulePos := strings.TrimPrefix(f.Package, "platc."), diag.Pos{}
		if r != nil {
			ruleID, rulePos = r.ID, r.Pos
		}
		owner := e.owner(f.Package)
		if rulePos == (diag.Pos{}) && owner != nil {
			rulePos = owner.Pos
		}
		users := owner == nil || !owner.Builtin
		if whose, ok := e.reserved[ruleID]; ok && users {
			// A document below the user's package, custom.deny in package
			// platc defining platc.custom.deny, or schema.deny.
			refused.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: RuleRego, Pos: rulePos,
				Message: fmt.Sprintf("policy %s: its findings are reported under rule ID %s, which is reserved for %s", f.Package, ruleID, whose),
				Hint:    "define the deny and warn rules in a package of their own, with a custom.id in its METADATA",
			})
			continue
		}
		sev := diag.Warning
		if f.Deny {
			sev = diag.Error
		}
		bad := func(format string, args ...any) {
			ds.Append(diag.Diagnostic{
				Severity: diag.Error, Rule: ruleID, Pos: rulePos,
				Message: fmt.Sprintf("policy %s: ", f.Package) + fmt.Sprintf(format, args...),
				Hint:    "a finding is an object {msg, path} with an optional rule and hint; path names a value of the spec",
			})
		}
		obj, ok := f.Value.(map[string]any)
		if !ok {
			bad("finding %s is not an object", compact(f.Value))
			continue
		}
		if id, ok := obj["rule"].(string); ok && id != "" {
			if whose, ok := e.reserved[id]; ok && users {
				what := compact(f.Value)
				if msg, ok := obj["msg"].(string); ok && msg != "" {
					what = strconv.Quote(msg)
				}
				refused.Append(diag.Diagnostic{
					Severity: diag.Error, Rule: RuleRego, Pos: rulePos,
					Message: fmt.Sprintf("policy %s: finding %s claims rule ID %s, which is reserved for %s", f.Package, what, id, whose),
					Hint:    fmt.Sprintf("give the finding a rule ID of your own, or leave rule out to report it as %s", ruleID),
				})
				continue
			}
			ruleID = id
		}
		msg, ok := obj["msg"].(string)
		if !ok || msg == "" {
			bad("finding %s has no msg", compact(f.Value))
			continue
		}
		labels, ok := pathLabels(obj["path"])
		if !ok {
			bad("finding %q has no path (a string such as \"teams.vision\" or an array of labels)", msg)
			continue
		}
		if !in.Has(labels) {
			bad("finding %q names path %s, which the spec does not have", msg, source.FormatPath(labels))
			continue
		}
		p, _ := pos.Lookup(labels)
		d := diag.Diagnostic{Severity: sev, Rule: ruleID, Message: msg, Path: source.FormatPath(labels), Pos: p}
		if h, ok := obj["hint"].(string); ok {
			d.Hint = h
		}
		ds.Append(d)
	}
	return ds, refused
}

// owner returns the rule of the module that defines the findings of pkg:
// the module of that package, or else of the closest package above it
// (package platc.custom can define custom.team.deny).
func (e *Engine) owner(pkg string) *Rule {
	for p := pkg; ; {
		if r := e.byPackage[p]; r != nil {
			return r
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return nil
		}
		p = p[:i]
	}
}

// pathLabels reads a finding's path: an array of labels or a dotted string.
func pathLabels(v any) ([]string, bool) {
	switch p := v.(type) {
	case string:
		if p == "" {
			return nil, false
		}
		return source.ParsePath(p), true
	case []any:
		if len(p) == 0 {
			return nil, false
		}
		out := make([]string, len(p))
		for i, l := range p {
			switch l := l.(type) {
			case string:
				out[i] = l
			case json.Number:
				out[i] = l.String()
			case float64:
				out[i] = fmt.Sprint(int64(l))
			case int, int64:
				out[i] = fmt.Sprint(l)
			default:
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
