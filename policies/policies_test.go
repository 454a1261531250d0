package policies_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/platc-dev/platc/compiler/policy"
	"github.com/platc-dev/platc/policies"
)

// TestBuiltinPolicies runs the Rego unit tests of every built-in policy.
func TestBuiltinPolicies(t *testing.T) {
	srcs, err := policy.Sources(policies.FS(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng, ds := policy.Compile(context.Background(), srcs, true)
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds)
	}
	ch, err := tester.NewRunner().SetCompiler(eng.Compiler()).SetModules(eng.Modules()).RaiseBuiltinErrors(true).RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		if r.Error != nil {
			t.Errorf("%s.%s: error: %v", r.Package, r.Name, r.Error)
		} else if r.Fail {
			t.Errorf("%s.%s: FAIL (%s)\n%s", r.Package, r.Name, r.Location, r.Output)
		}
	}
	if n == 0 {
		t.Fatal("no Rego tests ran")
	}
}

// TestBuiltinPoliciesFollowTheContract: every built-in module declares a
// rule ID and a rationale, and has a test file with passing and failing
// cases.
func TestBuiltinPoliciesFollowTheContract(t *testing.T) {
	srcs, err := policy.Sources(policies.FS(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng, ds := policy.Compile(context.Background(), srcs, false)
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds)
	}
	files := map[string]bool{}
	fs.WalkDir(policies.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		files[p] = true
		return err
	})
	rules := 0
	for id, r := range eng.Rules {
		if !strings.HasPrefix(r.Package, "platc.builtin.") {
			continue
		}
		rules++
		if r.Description == "" || r.Title == "" {
			t.Errorf("%s (%s) has no METADATA title or description", id, r.Package)
		}
		if id == strings.TrimPrefix(r.Package, "platc.") {
			t.Errorf("%s has no custom.id in its METADATA", r.Package)
		}
		base := strings.TrimPrefix(r.Package, "platc.builtin.")
		if !files[base+"_test.rego"] {
			t.Errorf("%s has no %s_test.rego", id, base)
		}
	}
	if rules < 13 {
		t.Errorf("only %d built-in rules", rules)
	}
}
