package policy

import (
	"context"
	"slices"
	"strings"
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
	in := oneTeamInput(t)
	raw, err := eng.Eval(context.Background(), in.Value)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Sev, Rule, Path, Msg string }
	var got []row
	found, refused := eng.Findings(raw, in, paths{})
	if len(refused) > 0 {
		t.Errorf("refused findings: %v", refused)
	}
	for _, d := range found.Sorted() {
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

// TestUserPoliciesCannotClaimPlatcsRuleIDs: a user's policy may not
// report under the ID of platc's own checks or of a built-in policy, in
// its METADATA, its package or a finding's rule, nor define findings in a
// built-in policy's package, as its findings would pass for theirs.
func TestUserPoliciesCannotClaimPlatcsRuleIDs(t *testing.T) {
	builtin := Source{Name: BuiltinPrefix + "b.rego", Builtin: true, Src: []byte(`# METADATA
# custom:
#   id: gpu-cost
package platc.builtin.gpu_cost

deny contains {"msg": "builtin", "path": "teams", "rule": "gpu-cost"} if false
`)}
	tests := map[string]struct {
		policy  string
		compile string // the compile error, "" for none
		refused string // the refused finding, "" for none
	}{
		"a custom.id of platc's own check": {
			policy:  "# METADATA\n# custom:\n#   id: schema\npackage platc.custom.x\n",
			compile: "u.rego:4:1: rule ID schema is reserved for platc's own checks: give policy platc.custom.x a custom.id of its own in its METADATA",
		},
		"a custom.id platc's caller reserves": {
			policy:  "# METADATA\n# custom:\n#   id: gpu-idle\npackage platc.custom.x\n",
			compile: "u.rego:4:1: rule ID gpu-idle is reserved for platc's own checks",
		},
		"a custom.id of the policy package's own check": {
			policy:  "# METADATA\n# custom:\n#   id: exception-expired\npackage platc.custom.x\n",
			compile: "u.rego:4:1: rule ID exception-expired is reserved for platc's own checks",
		},
		"a package whose name is a reserved ID": {
			policy:  "package platc.schema\n",
			compile: "u.rego:1:1: rule ID schema is reserved for platc's own checks: give policy platc.schema a custom.id of its own",
		},
		"a custom.id of a built-in policy": {
			policy:  "# METADATA\n# custom:\n#   id: gpu-cost\npackage platc.custom.x\n",
			compile: "u.rego:4:1: rule ID gpu-cost is reserved for the built-in policy platc.builtin.gpu_cost",
		},
		"a rule defined in a built-in policy's package": {
			policy:  "package platc\n\nbuiltin.gpu_cost.deny contains {\"msg\": \"m\", \"path\": \"teams\"} if true\n",
			compile: "u.rego:3:1: rule builtin.gpu_cost.deny defines platc.builtin.gpu_cost.deny, which is reserved for platc's built-in policies",
		},
		"a rule defined in the built-in library": {
			policy:  "package platc\n\nlib.capabilities.has contains \"gitops\" if true\n",
			compile: "u.rego:3:1: rule lib.capabilities.has defines platc.lib.capabilities.has, which is reserved",
		},
		"a finding with the rule of platc's own check": {
			policy:  "package platc.custom.x\n\ndeny contains {\"msg\": \"pwned\", \"path\": \"teams\", \"rule\": \"schema\"} if true\n",
			refused: `u.rego:1:1: policy platc.custom.x: finding "pwned" claims rule ID schema, which is reserved for platc's own checks`,
		},
		"a finding with the rule of a built-in policy": {
			policy:  "package platc.custom.x\n\nwarn contains {\"msg\": \"pwned\", \"path\": \"teams\", \"rule\": \"gpu-cost\"} if true\n",
			refused: `u.rego:1:1: policy platc.custom.x: finding "pwned" claims rule ID gpu-cost, which is reserved for the built-in policy platc.builtin.gpu_cost`,
		},
		"a finding of a nested document with a reserved rule": {
			policy:  "package platc.custom\n\nx.deny contains {\"msg\": \"pwned\", \"path\": \"teams\", \"rule\": \"rego\"} if true\n",
			refused: `u.rego:1:1: policy platc.custom.x: finding "pwned" claims rule ID rego, which is reserved for platc's own checks`,
		},
		"a document below the package named like a reserved ID": {
			policy:  "package platc\n\nschema.deny contains {\"msg\": \"pwned\", \"path\": \"teams\"} if true\n",
			refused: `u.rego:1:1: policy platc.schema: its findings are reported under rule ID schema, which is reserved for platc's own checks`,
		},
		"a finding with a rule of its own": {
			policy: "package platc.custom.x\n\ndeny contains {\"msg\": \"fine\", \"path\": \"teams\", \"rule\": \"my-rule\"} if true\n",
		},
	}
	in := oneTeamInput(t)
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srcs := []Source{builtin, {Name: "u.rego", Src: []byte(tt.policy)}}
			eng, ds := CompileWith(context.Background(), srcs, Options{Reserved: []string{"schema", "gpu-idle"}})
			if got := line(ds); !strings.HasPrefix(got, tt.compile) || (tt.compile == "") != (got == "") {
				t.Fatalf("compile errors %q, want %q", got, tt.compile)
			}
			if eng == nil {
				return
			}
			raw, err := eng.Eval(context.Background(), in.Value)
			if err != nil {
				t.Fatal(err)
			}
			found, refused := eng.Findings(raw, in, paths{})
			if got := line(refused); !strings.HasPrefix(got, tt.refused) || (tt.refused == "") != (got == "") {
				t.Errorf("refused %q, want %q", got, tt.refused)
			}
			if len(refused) > 0 && len(found) > 0 {
				t.Errorf("a refused finding was reported too: %v", found)
			}
		})
	}
}

// line shows the first diagnostic as FILE:LINE:COL: message.
func line(ds diag.Diagnostics) string {
	if len(ds) == 0 {
		return ""
	}
	return ds[0].Pos.String() + ": " + ds[0].Message
}

// oneTeamInput is the input of a spec with one team, a, as of 2026-11-24.
func oneTeamInput(t *testing.T) *Input {
	t.Helper()
	spec := &model.Spec{Teams: map[string]*model.Team{"a": {Name: "a", OnCall: "@a"}}}
	in, err := NewInput(spec, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	return in
}
