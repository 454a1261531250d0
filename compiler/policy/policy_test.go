package policy

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
)

// paths positions every path at line 1 of spec.cue.
type paths struct{}

func (paths) Lookup(labels []string) (diag.Pos, bool) {
	return diag.Pos{File: "spec.cue", Line: 1, Column: 1}, true
}

func TestSettle(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	finding := func(rule, path string) diag.Diagnostic {
		return diag.Diagnostic{Severity: diag.Warning, Rule: rule, Path: path, Message: rule + " at " + path}
	}
	tests := map[string]struct {
		disabled   []string
		exceptions map[string]*model.Exception
		in         diag.Diagnostics
		want       []string // rule IDs of what remains
	}{
		"nothing to settle": {
			in:   diag.Diagnostics{finding("gpu-cost", "environments.prod")},
			want: []string{"gpu-cost"},
		},
		"a disabled rule is dropped": {
			disabled: []string{"gpu-cost"},
			in:       diag.Diagnostics{finding("gpu-cost", "environments.prod"), finding("quota-fit", "environments.prod")},
			want:     []string{"quota-fit"},
		},
		"an unknown disabled rule is a warning": {
			disabled: []string{"gpu-costs"},
			want:     []string{RulePolicyConfig},
		},
		"an exception silences its rule at its path and below": {
			exceptions: map[string]*model.Exception{"x": {Rule: "gpu-islands", Path: "teams.search", Expires: "2027-01-01"}},
			in: diag.Diagnostics{
				finding("gpu-islands", "teams.search.quotas.prod.gpus.h100"),
				finding("gpu-islands", "teams.searcher"),
				finding("gpu-cost", "teams.search"),
			},
			want: []string{"gpu-cost", "gpu-islands"},
		},
		"an expired exception is an error and silences nothing": {
			exceptions: map[string]*model.Exception{"x": {Rule: "gpu-islands", Path: "teams.search", Expires: "2026-11-23"}},
			in:         diag.Diagnostics{finding("gpu-islands", "teams.search")},
			want:       []string{RuleExceptionExpired, "gpu-islands"},
		},
		"an exception that expires today still holds": {
			exceptions: map[string]*model.Exception{"x": {Rule: "gpu-islands", Path: "teams.search", Expires: "2026-11-24"}},
			in:         diag.Diagnostics{finding("gpu-islands", "teams.search")},
		},
		"an unused exception is a warning": {
			exceptions: map[string]*model.Exception{"x": {Rule: "gpu-islands", Path: "teams.search", Expires: "2027-01-01"}},
			want:       []string{RuleExceptionUnused},
		},
	}
	known := map[string]bool{"gpu-cost": true, "gpu-islands": true, "quota-fit": true}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			spec := &model.Spec{Platform: &model.Platform{}, Exceptions: tt.exceptions}
			spec.Platform.Policies.Disabled = tt.disabled
			var got []string
			for _, d := range Settle(tt.in, spec, known, now, paths{}) {
				got = append(got, d.Rule)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("remaining rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindingsContract(t *testing.T) {
	srcs := []Source{{Name: "p.rego", Src: []byte(`# METADATA
# title: Test
# custom:
#   id: test-rule
package platc.custom.test

deny contains {"msg": "bad team", "path": ["teams", "a", "onCall"]} if true
warn contains {"msg": "dotted", "path": "teams.a", "hint": "h"} if true
deny contains {"path": "teams.a"} if true
deny contains {"msg": "nowhere", "path": "teams.zz.onCall"} if true
deny contains {"msg": "other id", "path": "teams", "rule": "named-in-finding"} if true
deny contains "just a string" if true
`)}}
	eng, ds := Compile(context.Background(), srcs, false)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	spec := &model.Spec{Teams: map[string]*model.Team{"a": {Name: "a", OnCall: "@a"}}}
	in, err := NewInput(spec, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := eng.Eval(context.Background(), in.Value)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Sev, Rule, Path, Msg string }
	var got []row
	for _, d := range eng.Findings(raw, in, paths{}).Sorted() {
		got = append(got, row{d.Severity.String(), d.Rule, d.Path, d.Message})
	}
	want := []row{
		// Malformed findings are errors of the rule, at its package clause.
		{"error", "test-rule", "", `policy platc.custom.test: finding "just a string" is not an object`},
		{"error", "test-rule", "", `policy platc.custom.test: finding "nowhere" names path teams.zz.onCall, which the spec does not have`},
		{"error", "test-rule", "", `policy platc.custom.test: finding {"path":"teams.a"} has no msg`},
		// The rest at the spec paths they name.
		{"error", "named-in-finding", "teams", "other id"},
		{"error", "test-rule", "teams.a.onCall", "bad team"},
		{"warning", "test-rule", "teams.a", "dotted"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestInputHas(t *testing.T) {
	spec := &model.Spec{Services: map[string]*model.Service{"api": {Routes: []model.Route{{Path: "/"}}}}}
	in, err := NewInput(spec, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"services.api":                 true,
		"services.api.routes.0.path":   true,
		"services.api.routes.1":        false,
		"services.api.rateLimit":       true, // a missing field of an object that is there
		"services.api.rateLimit.burst": false,
		"services.nope.team":           false,
		"now":                          true,
		"inventory":                    true,
	} {
		labels, _ := pathLabels(path)
		if got := in.Has(labels); got != want {
			t.Errorf("Has(%s) = %v, want %v", path, got, want)
		}
	}
}
