package compiler

import (
	"context"
	"errors"
	"testing"

	"github.com/platc-dev/platc/compiler/model"
)

type fakeInventory map[string]map[string]map[string]int

func (f fakeInventory) ProductLabels(*model.Spec) map[string]map[string]map[string]int { return f }

// TestLoadInventory: an inventory found through the decoded spec is loaded
// once, from the spec the check decoded (no second decode), becomes the
// result's inventory, and its error ends the check.
func TestLoadInventory(t *testing.T) {
	calls := 0
	inv := fakeInventory{"dev": {"h100": {"NVIDIA-H100-80GB-HBM3": 8}}}
	res, _, err := Check(context.Background(), CheckConfig{
		Config: Config{Dir: "../examples/minimal"},
		Now:    checkNow,
		LoadInventory: func(spec *model.Spec) (Inventory, error) {
			calls++
			if spec == nil || spec.Environments["dev"] == nil {
				t.Errorf("LoadInventory got spec %v, want the decoded one", spec)
			}
			return inv, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("LoadInventory called %d times, want once", calls)
	}
	if got, ok := res.Inventory.(fakeInventory); !ok || got["dev"] == nil {
		t.Errorf("the result's inventory is %v, want the loaded one", res.Inventory)
	}

	boom := errors.New("no context gpu-prod")
	_, _, err = Check(context.Background(), CheckConfig{
		Config:        Config{Dir: "../examples/minimal"},
		Now:           checkNow,
		LoadInventory: func(*model.Spec) (Inventory, error) { return nil, boom },
	})
	if !errors.Is(err, boom) {
		t.Errorf("Check returned %v, want the loader's error", err)
	}
}
