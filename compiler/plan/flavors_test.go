package plan_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
)

// flavorSpec has two environments with A100 and H100 pools, a team with
// GPU quotas in prod and a training job on A100s in both.
func flavorSpec() *model.Spec {
	lend := 3
	env := func(name string) *model.Environment {
		return &model.Environment{Name: name, Tier: name, Cohort: "gpu", Pools: map[string]*model.Pool{
			"gpu-a100": {Name: "gpu-a100", GPUs: map[string]*model.GPUPool{"a100": {Model: "a100", Count: 16, Burst: 2}}},
			"gpu-h100": {Name: "gpu-h100", GPUs: map[string]*model.GPUPool{"h100": {Model: "h100", Count: 8}}},
		}}
	}
	return &model.Spec{
		Environments: map[string]*model.Environment{"prod": env("prod"), "dev": env("dev")},
		Teams: map[string]*model.Team{"vision": {Name: "vision", Owners: []string{"@alice"}, Quotas: map[string]*model.Quota{
			"prod": {Environment: "prod", Priority: "high", GPUs: map[string]*model.GPUQuota{
				"a100": {Model: "a100", Reserved: 6, BorrowingLimit: 2, LendingLimit: &lend},
				"h100": {Model: "h100", Reserved: 4},
			}},
		}}},
		Services: map[string]*model.Service{"trainer": {Name: "trainer", Team: "vision", Kind: "training", Image: "trainer:1",
			Environments: map[string]*model.Placement{"prod": {Environment: "prod", Replicas: 1}, "dev": {Environment: "dev", Replicas: 1}},
			Resources:    model.Resources{GPU: &model.GPURequest{Model: "a100", Count: 1}},
		}},
	}
}

// flavor is what the tests compare of a plan.Flavor.
type flavor struct {
	Name, Label, Source string
	Discovered          int
	Count, Burst        int
}

type queueGPUs struct {
	Flavor                    string
	Nominal, Borrowing, Lends int
}

func TestFlavorLabels(t *testing.T) {
	const (
		a100    = "NVIDIA-A100-SXM4-40GB"
		a100x80 = "NVIDIA-A100-SXM4-80GB"
		h100    = "NVIDIA-H100-80GB-HBM3"
		h100MIG = "NVIDIA-H100-80GB-HBM3-MIG-1g.10gb"
	)
	tableA100 := flavor{Name: "gpu-a100", Label: a100, Source: plan.SourceTable, Count: 16, Burst: 2}
	tableH100 := flavor{Name: "gpu-h100", Label: h100, Source: plan.SourceTable, Count: 8}
	tests := []struct {
		name       string
		discovered plan.Discovered
		// What prod gets: its flavors, the team's ClusterQueue GPU
		// quotas, and the training job's node affinity.
		flavors  []flavor
		queue    []queueGPUs
		affinity map[string][]string
	}{{
		name:     "no inventory: the table's labels",
		flavors:  []flavor{tableA100, tableH100},
		queue:    []queueGPUs{{"gpu-a100", 6, 2, 3}, {"gpu-h100", 4, 0, -1}},
		affinity: map[string][]string{plan.LabelProduct: {a100}},
	}, {
		name: "one product per model: the discovered labels",
		discovered: plan.Discovered{"prod": {
			"a100": {a100x80: 8},
			"h100": {h100MIG: 8},
		}},
		flavors: []flavor{
			{Name: "gpu-a100", Label: a100x80, Source: plan.SourceInventory, Discovered: 8, Count: 16, Burst: 2},
			{Name: "gpu-h100", Label: h100MIG, Source: plan.SourceInventory, Discovered: 8, Count: 8},
		},
		queue:    []queueGPUs{{"gpu-a100", 6, 2, 3}, {"gpu-h100", 4, 0, -1}},
		affinity: map[string][]string{plan.LabelProduct: {a100x80}},
	}, {
		name: "two products for one model: a flavor each, the quota shared out",
		discovered: plan.Discovered{"prod": {
			"a100": {a100x80: 4, a100: 8},
			"h100": {h100: 8},
		}},
		flavors: []flavor{
			{Name: "gpu-a100-nvidia-a100-sxm4-40gb", Label: a100, Source: plan.SourceInventory, Discovered: 8, Count: 11, Burst: 1},
			{Name: "gpu-a100-nvidia-a100-sxm4-80gb", Label: a100x80, Source: plan.SourceInventory, Discovered: 4, Count: 5, Burst: 1},
			{Name: "gpu-h100", Label: h100, Source: plan.SourceInventory, Discovered: 8, Count: 8},
		},
		queue: []queueGPUs{
			{"gpu-a100-nvidia-a100-sxm4-40gb", 4, 1, 2},
			{"gpu-a100-nvidia-a100-sxm4-80gb", 2, 1, 1},
			{"gpu-h100", 4, 0, -1},
		},
		affinity: map[string][]string{plan.LabelProduct: {a100, a100x80}},
	}, {
		name:       "model absent from the inventory: the table's label",
		discovered: plan.Discovered{"prod": {"h100": {h100: 8}}},
		flavors: []flavor{tableA100,
			{Name: "gpu-h100", Label: h100, Source: plan.SourceInventory, Discovered: 8, Count: 8}},
		queue:    []queueGPUs{{"gpu-a100", 6, 2, 3}, {"gpu-h100", 4, 0, -1}},
		affinity: map[string][]string{plan.LabelProduct: {a100}},
	}, {
		name:       "environment absent from the inventory: the table's labels",
		discovered: plan.Discovered{"dev": {"a100": {a100x80: 8, a100: 8}}},
		flavors:    []flavor{tableA100, tableH100},
		queue:      []queueGPUs{{"gpu-a100", 6, 2, 3}, {"gpu-h100", 4, 0, -1}},
		affinity:   map[string][]string{plan.LabelProduct: {a100}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan.Build(flavorSpec(), plan.Options{Discovered: tt.discovered})
			var prod *plan.Environment
			for _, e := range p.Environments {
				if e.Name == "prod" {
					prod = e
				}
			}
			var got []flavor
			for _, f := range prod.Flavors {
				got = append(got, flavor{f.Name, f.NodeLabels[plan.LabelProduct], f.Source, f.Discovered, f.Count, f.Burst})
			}
			if d := cmp.Diff(tt.flavors, got); d != "" {
				t.Errorf("flavors (-want +got):\n%s", d)
			}
			ns := prod.Namespaces[0]
			var queue []queueGPUs
			nominal := 0
			for _, g := range ns.Queue.GPUs {
				lends := -1
				if g.LendingLimit != nil {
					lends = *g.LendingLimit
				}
				queue = append(queue, queueGPUs{g.Flavor, g.Nominal, g.BorrowingLimit, lends})
				nominal += g.Nominal
			}
			if d := cmp.Diff(tt.queue, queue); d != "" {
				t.Errorf("ClusterQueue GPUs (-want +got):\n%s", d)
			}
			if nominal != ns.Quota.GPUs {
				t.Errorf("nominal quotas add up to %d, the ResourceQuota has %d", nominal, ns.Quota.GPUs)
			}
			w := ns.Workloads[0].GPU
			if w.Flavor != prod.Flavors[0].Name || w.NodeLabels[plan.LabelProduct] != tt.flavors[0].Label {
				t.Errorf("workload flavor %s %v, want the first a100 flavor's", w.Flavor, w.NodeLabels)
			}
			affinity := w.NodeAffinity
			if affinity == nil {
				affinity = map[string][]string{plan.LabelProduct: {w.NodeLabels[plan.LabelProduct]}}
			}
			if d := cmp.Diff(tt.affinity, affinity); d != "" {
				t.Errorf("workload node affinity (-want +got):\n%s", d)
			}
			// Every flavor a queue names exists.
			names := map[string]bool{}
			for _, f := range prod.Flavors {
				names[f.Name] = true
			}
			for _, g := range ns.Queue.GPUs {
				if !names[g.Flavor] {
					t.Errorf("queue names flavor %s, which prod does not have", g.Flavor)
				}
			}
			// The same input gives the same plan, byte for byte.
			a, _ := json.Marshal(p)
			b, _ := json.Marshal(plan.Build(flavorSpec(), plan.Options{Discovered: tt.discovered}))
			if string(a) != string(b) {
				t.Error("two builds of the same spec and inventory differ")
			}
		})
	}
}
