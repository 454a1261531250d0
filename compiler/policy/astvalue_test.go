package policy_test

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/policy"
	"github.com/platc-dev/platc/internal/synth"
	"github.com/platc-dev/platc/providers/gpu"
)

// roundTrip is the policy input as it was built before NewInput encoded
// the spec straight into OPA's terms: through JSON and a generic map.
func roundTrip(t *testing.T, spec *model.Spec, now time.Time, inventory any) ast.Value {
	t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := util.UnmarshalJSON(b, &tree); err != nil {
		t.Fatal(err)
	}
	tree["now"] = now.UTC().Format(time.RFC3339)
	if inventory == nil {
		inventory = map[string]any{}
	}
	ib, err := json.Marshal(inventory)
	if err != nil {
		t.Fatal(err)
	}
	var inv any
	if err := util.UnmarshalJSON(ib, &inv); err != nil {
		t.Fatal(err)
	}
	tree["inventory"] = inv
	v, err := ast.InterfaceToValue(tree)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestInputMatchesJSON: the input NewInput builds is the value the
// spec's JSON encoding gives, for the shipped specs, a generated
// organisation and an inventory (whose documents embed a struct and carry
// times, which encode themselves).
func TestInputMatchesJSON(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	org := filepath.Join(t.TempDir(), "org")
	if err := synth.Write(org, synth.Config{Teams: 50}); err != nil {
		t.Fatal(err)
	}
	util50 := 50
	inventory := &gpu.Inventory{Environments: map[string]*gpu.EnvironmentInventory{"prod": {Hosts: []*gpu.HostInventory{{
		File: "node-1.json",
		Document: &gpu.Document{APIVersion: "platc.dev/inventory/v1", Host: gpu.Host{Name: "node-1", Environment: "prod"}, Time: now,
			Devices: []gpu.Device{{Index: 0, UUID: "GPU-1", Product: "NVIDIA H100 80GB HBM3", MemoryBytes: 85899345920, UtilisationPercent: &util50}}},
	}}}}}
	for _, c := range []struct {
		dir       string
		inventory any
	}{
		{"../../examples/acme-shop", nil},
		{"../../examples/minimal", inventory},
		{"../../blueprints/ai-foundation-90d", nil},
		{org, nil},
	} {
		res, ds, err := compiler.Vet(context.Background(), compiler.Config{Dir: c.dir, Decode: true})
		if err != nil || res == nil || res.Spec == nil {
			t.Fatalf("%s: %v %v", c.dir, err, ds)
		}
		in, err := policy.NewInput(res.Spec, now, c.inventory)
		if err != nil {
			t.Fatal(err)
		}
		if want := roundTrip(t, res.Spec, now, c.inventory); ast.Compare(in.Value, want) != 0 {
			t.Errorf("%s: the input differs from the JSON encoding's:\n got %.2000v\nwant %.2000v", c.dir, in.Value, want)
		}
	}
}

// TestInputNumbers: numbers read as encoding/json writes them, plain or
// with an exponent; and a value JSON cannot hold is an error.
func TestInputNumbers(t *testing.T) {
	for _, f := range []float64{0, 1, -2.5, 3600, 1e-7, 1.5e-300, 1e20, 1e21, 123456789.125, math.SmallestNonzeroFloat64} {
		spec := &model.Spec{Platform: &model.Platform{Name: "x"}, Services: map[string]*model.Service{"a": {Name: "a", Port: 8080}}}
		in, err := policy.NewInput(spec, time.Time{}, map[string]float64{"f": f})
		if err != nil {
			t.Fatal(err)
		}
		if want := roundTrip(t, spec, time.Time{}, map[string]float64{"f": f}); ast.Compare(in.Value, want) != 0 {
			t.Errorf("%v: got %v, want %v", f, in.Value.(ast.Object).Get(ast.StringTerm("inventory")), want.(ast.Object).Get(ast.StringTerm("inventory")))
		}
		got := in.Value.(ast.Object).Get(ast.StringTerm("inventory")).Value.(ast.Object).Get(ast.StringTerm("f")).Value.(ast.Number)
		b, _ := json.Marshal(f)
		if string(got) != string(b) {
			t.Errorf("%v reads %s, encoding/json writes %s", f, got, b)
		}
	}
	if _, err := policy.NewInput(&model.Spec{}, time.Time{}, map[string]float64{"f": math.Inf(1)}); err == nil {
		t.Error("an infinite number was accepted")
	}
}
