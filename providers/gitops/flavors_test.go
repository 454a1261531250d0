package gitops_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kueue "sigs.k8s.io/kueue/apis/kueue/v1beta2"
	"sigs.k8s.io/yaml"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
)

// products is an inventory as compiler.Compile sees one: the GPUs per
// environment, model and product label.
type products map[string]map[string]map[string]int

func (p products) ProductLabels(*model.Spec) map[string]map[string]map[string]int { return p }

// TestFlavorsFromInventory renders acme-shop with an inventory that found
// two H100 products in prod and the L4s under their usual label: the
// ResourceFlavors, the ClusterQueues and the pods' node affinity agree.
func TestFlavorsFromInventory(t *testing.T) {
	const (
		hbm3   = "NVIDIA-H100-80GB-HBM3"
		shared = "NVIDIA-H100-80GB-HBM3-SHARED"
	)
	inv := products{"prod": {"h100": {hbm3: 27, shared: 9}, "l4": {"NVIDIA-L4": 64}}}
	_, p, ds, err := compiler.Compile(context.Background(), compiler.CheckConfig{
		Config: compiler.Config{Dir: "../../examples/acme-shop"}, Now: now, Inventory: inv,
	})
	if err != nil || ds.HasErrors() || p == nil {
		t.Fatalf("compile: %v %v", err, ds)
	}
	tree, err := emitTree(p)
	if err != nil {
		t.Fatal(err)
	}

	h100Flavors := []string{"gpu-h100-nvidia-h100-80gb-hbm3", "gpu-h100-nvidia-h100-80gb-hbm3-shared"}
	// ResourceFlavors: one per H100 product, each selecting its label.
	labels := map[string]string{}
	for _, d := range docs(tree["clusters/prod/cluster/resourceflavors.yaml"]) {
		var rf kueue.ResourceFlavor
		if err := yaml.UnmarshalStrict(d, &rf); err != nil {
			t.Fatal(err)
		}
		labels[rf.Name] = rf.Spec.NodeLabels[plan.LabelProduct]
	}
	want := map[string]string{"default": "", h100Flavors[0]: hbm3, h100Flavors[1]: shared, "gpu-l4": "NVIDIA-L4"}
	if d := cmp.Diff(want, labels); d != "" {
		t.Errorf("prod ResourceFlavors (-want +got):\n%s", d)
	}
	// Other environments keep the table's labels.
	if !strings.Contains(string(tree["clusters/dev/cluster/resourceflavors.yaml"]), "name: gpu-h100\nspec:\n  nodeLabels:\n    nvidia.com/gpu.product: "+hbm3+"\n") {
		t.Errorf("dev's gpu-h100 flavor changed:\n%s", tree["clusters/dev/cluster/resourceflavors.yaml"])
	}

	reserved := map[string]int{} // team → h100 reserved in prod
	for _, e := range p.Environments {
		for _, ns := range e.Namespaces {
			if e.Name == "prod" && ns.Queue != nil {
				for _, g := range ns.Queue.GPUs {
					if g.Model == "h100" {
						reserved[ns.Team] += g.Nominal
					}
				}
			}
		}
	}
	queues, pods := 0, 0
	for _, path := range tree.Paths() {
		if !strings.HasPrefix(path, "clusters/prod/teams/") {
			continue
		}
		for _, d := range docs(tree[path]) {
			var tm struct{ Kind string }
			yaml.Unmarshal(d, &tm)
			switch tm.Kind {
			case "ClusterQueue":
				var cq kueue.ClusterQueue
				if err := yaml.UnmarshalStrict(d, &cq); err != nil {
					t.Fatal(err)
				}
				// Both H100 flavors are in the GPU resource group, and
				// their nominal quotas add up to what the team reserves.
				var names []string
				nominal := int64(0)
				for _, rg := range cq.Spec.ResourceGroups {
					for _, f := range rg.Flavors {
						if _, ok := want[string(f.Name)]; !ok {
							t.Errorf("%s: ClusterQueue names flavor %s, which prod does not have", path, f.Name)
						}
						if strings.HasPrefix(string(f.Name), "gpu-h100") {
							names = append(names, string(f.Name))
							nominal += f.Resources[0].NominalQuota.Value()
						}
					}
				}
				slices.Sort(names)
				if len(names) == 0 && len(cq.Spec.ResourceGroups) == 1 {
					continue // CPU and memory only
				}
				if !slices.Equal(names, h100Flavors) {
					t.Errorf("%s: ClusterQueue %s has H100 flavors %v, want %v", path, cq.Name, names, h100Flavors)
				}
				if nominal != int64(reserved[cq.Name]) {
					t.Errorf("%s: ClusterQueue %s has %d H100s of nominal quota, the team reserves %d", path, cq.Name, nominal, reserved[cq.Name])
				}
				queues++
			case "Deployment", "Job", "Rollout":
				var obj struct {
					Spec struct {
						Template corev1.PodTemplateSpec `json:"template"`
					} `json:"spec"`
				}
				if err := yaml.Unmarshal(d, &obj); err != nil {
					t.Fatal(err)
				}
				aff := obj.Spec.Template.Spec.Affinity
				if aff == nil || aff.NodeAffinity == nil {
					continue
				}
				for _, term := range aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
					for _, r := range term.MatchExpressions {
						if r.Key != plan.LabelProduct || !strings.HasPrefix(r.Values[0], "NVIDIA-H100") {
							continue
						}
						pods++
						if r.Operator != corev1.NodeSelectorOpIn || !slices.Equal(r.Values, []string{hbm3, shared}) {
							t.Errorf("%s: H100 pods select %s %v, want In both products", path, r.Operator, r.Values)
						}
					}
				}
			}
		}
	}
	if queues == 0 || pods == 0 {
		t.Errorf("checked %d ClusterQueues and %d H100 workloads in prod, want some of each", queues, pods)
	}
}
