package policy

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/source"
	"github.com/platc-dev/platc/internal/suggest"
)

// Rule IDs of the checks on the spec's own policy settings.
const (
	RuleExceptionExpired = "exception-expired"
	RuleExceptionUnused  = "exception-unused"
	RulePolicyConfig     = "policy-config"
)

// Settle applies the spec's policy settings to the findings: rules the
// platform disables are dropped (an ID that is neither declared by a
// policy's METADATA nor seen in a finding is a warning), and each
// exception silences its rule at its path and below until it expires. An
// expired exception is an error and silences nothing; an exception that
// silenced nothing is a warning, so stale ones get cleaned up.
func Settle(ds diag.Diagnostics, spec *model.Spec, known map[string]bool, now time.Time, pos Positioner) diag.Diagnostics {
	disabled := map[string]bool{}
	var out diag.Diagnostics
	if spec.Platform != nil {
		for i, id := range spec.Platform.Policies.Disabled {
			disabled[id] = true
			if !known[id] {
				path := []string{"platform", "policies", "disabled", fmt.Sprint(i)}
				p, _ := pos.Lookup(path)
				d := diag.Diagnostic{
					Severity: diag.Warning, Rule: RulePolicyConfig, Pos: p, Path: source.FormatPath(path),
					Message: fmt.Sprintf("platform.policies.disabled names rule %q, which no policy has", id),
				}
				if s := suggest.Closest(id, slices.Collect(maps.Keys(known))); s != "" {
					d.Hint = fmt.Sprintf("did you mean %q?", s)
				}
				out = append(out, d)
			}
		}
	}
	today := now.UTC().Format("2006-01-02")
	type exc struct {
		id     string
		ex     *model.Exception
		labels []string
		used   bool
	}
	var active []*exc
	for _, id := range slices.Sorted(maps.Keys(spec.Exceptions)) {
		ex := spec.Exceptions[id]
		if ex.Expires < today {
			path := []string{"exceptions", id, "expires"}
			p, _ := pos.Lookup(path)
			out = append(out, diag.Diagnostic{
				Severity: diag.Error, Rule: RuleExceptionExpired, Pos: p, Path: source.FormatPath(path),
				Message: fmt.Sprintf("exception %s for rule %s at %s expired on %s", id, ex.Rule, ex.Path, ex.Expires),
				Hint:    "fix what it excused and remove the exception, or renew it with a new expiry and reason",
			})
			continue
		}
		active = append(active, &exc{id: id, ex: ex, labels: source.ParsePath(ex.Path)})
	}
	for _, d := range ds {
		if disabled[d.Rule] {
			continue
		}
		silenced := false
		if d.Severity != diag.Info {
			labels := source.ParsePath(d.Path)
			for _, e := range active {
				if e.ex.Rule == d.Rule && hasPrefix(labels, e.labels) {
					e.used, silenced = true, true
				}
			}
		}
		if !silenced {
			out = append(out, d)
		}
	}
	for _, e := range active {
		if !e.used {
			path := []string{"exceptions", e.id}
			p, _ := pos.Lookup(path)
			out = append(out, diag.Diagnostic{
				Severity: diag.Warning, Rule: RuleExceptionUnused, Pos: p, Path: source.FormatPath(path),
				Message: fmt.Sprintf("exception %s silences nothing: rule %s reports no finding at %s", e.id, e.ex.Rule, e.ex.Path),
				Hint:    "remove the exception, or correct its rule or path",
			})
		}
	}
	return out
}

func hasPrefix(labels, prefix []string) bool {
	return len(prefix) > 0 && len(labels) >= len(prefix) && slices.Equal(labels[:len(prefix)], prefix)
}
