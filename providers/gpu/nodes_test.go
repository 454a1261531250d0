package gpu_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/providers/gpu"
)

// node is a Node as GPU Feature Discovery and the device plugin leave it.
func node(name string, labels map[string]string, capacity, allocatable map[string]int64) corev1.Node {
	n := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Status: corev1.NodeStatus{Capacity: corev1.ResourceList{}, Allocatable: corev1.ResourceList{}}}
	for k, v := range capacity {
		n.Status.Capacity[corev1.ResourceName(k)] = *resource.NewQuantity(v, resource.DecimalSI)
	}
	for k, v := range allocatable {
		n.Status.Allocatable[corev1.ResourceName(k)] = *resource.NewQuantity(v, resource.DecimalSI)
	}
	return n
}

// summary is a host as "product x count [profile:n ...]".
func summary(h *gpu.HostInventory) string {
	var b strings.Builder
	b.WriteString(h.Host.Name + ":")
	migs := map[string]int{}
	var order []string
	for _, d := range h.Devices {
		b.WriteString(" " + d.Product + "/" + d.Model)
		for _, m := range d.MIGDevices {
			if migs[m.Profile] == 0 {
				order = append(order, m.Profile)
			}
			migs[m.Profile]++
		}
	}
	for _, p := range order {
		b.WriteString(" " + p + "=" + strconv.Itoa(migs[p]))
	}
	return b.String()
}

func TestFromNodes(t *testing.T) {
	h100 := map[string]string{gpu.LabelProduct: "NVIDIA-H100-80GB-HBM3", gpu.LabelCount: "8", gpu.LabelMIGStrategy: "none"}
	cordoned := node("h100-c", h100, map[string]int64{"nvidia.com/gpu": 8}, map[string]int64{"nvidia.com/gpu": 8})
	cordoned.Spec.Unschedulable = true
	nodes := []corev1.Node{
		node("h100-a", h100, map[string]int64{"nvidia.com/gpu": 8}, map[string]int64{"nvidia.com/gpu": 8}),
		// Two GPUs lost after XID errors: the device plugin stops offering them.
		node("h100-b", h100, map[string]int64{"nvidia.com/gpu": 8}, map[string]int64{"nvidia.com/gpu": 6}),
		cordoned,
		// single: the labels describe the 14 MIG devices of two GPUs.
		node("a100-single", map[string]string{gpu.LabelProduct: "NVIDIA-A100-SXM4-80GB-MIG-1g.10gb", gpu.LabelCount: "14", gpu.LabelMIGStrategy: "single"},
			map[string]int64{"nvidia.com/gpu": 14}, map[string]int64{"nvidia.com/gpu": 14}),
		// mixed: two GPUs, split into 3g.40gb twice and 1g.10gb seven times.
		node("a100-mixed", map[string]string{gpu.LabelProduct: "NVIDIA-A100-SXM4-80GB", gpu.LabelCount: "2", gpu.LabelMIGStrategy: "mixed",
			"nvidia.com/mig-3g.40gb.count": "2", "nvidia.com/mig-1g.10gb.count": "7", "nvidia.com/mig-1g.10gb.memory": "9856"},
			map[string]int64{"nvidia.com/mig-3g.40gb": 2, "nvidia.com/mig-1g.10gb": 7}, map[string]int64{"nvidia.com/mig-3g.40gb": 2, "nvidia.com/mig-1g.10gb": 7}),
		// No labels: the capacity says 4 GPUs of an unknown product.
		node("bare", nil, map[string]int64{"nvidia.com/gpu": 4}, map[string]int64{"nvidia.com/gpu": 4}),
		// A CPU node.
		node("cpu", map[string]string{"kubernetes.io/os": "linux"}, map[string]int64{"cpu": 64}, map[string]int64{"cpu": 63}),
		// A product no table maps.
		node("x1", map[string]string{gpu.LabelProduct: "NVIDIA-X1-Prototype", gpu.LabelCount: "1"}, map[string]int64{"nvidia.com/gpu": 1}, map[string]int64{"nvidia.com/gpu": 1}),
	}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	hosts, problems, err := gpu.FromNodes(&model.Spec{}, "prod", nodes, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hosts {
		if h.Host.Environment != "prod" || !h.Time.Equal(now) || h.File != "node/"+h.Host.Name {
			t.Errorf("host %s: environment %q, time %v, file %q", h.Host.Name, h.Host.Environment, h.Time, h.File)
		}
		got = append(got, summary(h))
	}
	h := " NVIDIA H100 80GB HBM3/h100"
	a := " NVIDIA A100-SXM4-80GB/a100-80gb"
	want := []string{
		"a100-mixed:" + a + a + " 1g.10gb=7 3g.40gb=2",
		"a100-single:" + a + a + " 1g.10gb=14",
		"h100-a:" + strings.Repeat(h, 8),
		"h100-b:" + strings.Repeat(h, 6),
		"x1: NVIDIA-X1-Prototype/",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	wantProblems := []gpu.NodeProblem{
		{Environment: "prod", Node: "h100-b", Kind: "unhealthy", Missing: 2, Unit: "GPUs"},
		{Environment: "prod", Node: "h100-c", Kind: "cordoned", Missing: 8, Unit: "GPUs"},
		{Environment: "prod", Node: "bare", Kind: "unlabelled", Missing: 4, Unit: "GPUs"},
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got, want := problems[0].String(), "node h100-b offers 2 fewer GPUs than it has (allocatable below capacity: lost after errors); they count as missing"; got != want {
		t.Errorf("problem text %q, want %q", got, want)
	}
}

func TestFromNodesRefusesMalformedLabels(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{gpu.LabelProduct: "NVIDIA-H100-80GB-HBM3", gpu.LabelCount: "eight"}, `node n: label nvidia.com/gpu.count="eight": want a count (a whole number from 0 to 1024)`},
		{map[string]string{gpu.LabelProduct: "NVIDIA-H100-80GB-HBM3", gpu.LabelCount: "-1"}, `label nvidia.com/gpu.count="-1"`},
		{map[string]string{gpu.LabelProduct: "NVIDIA-H100-80GB-HBM3", gpu.LabelCount: "99999999999"}, `label nvidia.com/gpu.count="99999999999"`},
		{map[string]string{gpu.LabelProduct: "NVIDIA-H100-80GB-HBM3", gpu.LabelMIGStrategy: "half"}, `label nvidia.com/mig.strategy="half": want none, single or mixed`},
		{map[string]string{gpu.LabelProduct: "NVIDIA-A100-SXM4-80GB", gpu.LabelMIGStrategy: "single"}, `with the single MIG strategy`},
		{map[string]string{gpu.LabelProduct: "NVIDIA-A100-SXM4-80GB-MIG-big", gpu.LabelMIGStrategy: "single"}, `a MIG profile such as 1g.10gb after -MIG-`},
		{map[string]string{gpu.LabelProduct: "NVIDIA-A100-SXM4-80GB", gpu.LabelMIGStrategy: "mixed", "nvidia.com/mig-9g.1gb.count": "1"}, `label nvidia.com/mig-9g.1gb.count="1"`},
	} {
		_, _, err := gpu.FromNodes(nil, "prod", []corev1.Node{node("n", tc.labels, map[string]int64{"nvidia.com/gpu": 8}, map[string]int64{"nvidia.com/gpu": 8})}, time.Now())
		var le *gpu.LabelError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want a LabelError containing %q", tc.labels, err, tc.want)
		}
	}
}

// BenchmarkFromNodes5000 reads and reconciles 5,000 GPU nodes (8 H100s
// each, every tenth short of a GPU, every hundredth cordoned) against a
// pool of their size: the part of --inventory k8s after the API's answer
// (issue bar: listing and reconciling 5,000 nodes in under 2 s).
func BenchmarkFromNodes5000(b *testing.B) {
	labels := map[string]string{gpu.LabelProduct: "NVIDIA-H100-80GB-HBM3", gpu.LabelCount: "8", gpu.LabelMIGStrategy: "none"}
	nodes := make([]corev1.Node, 5000)
	for i := range nodes {
		alloc := int64(8)
		if i%10 == 0 {
			alloc = 7
		}
		nodes[i] = node("gpu-"+strconv.Itoa(i), labels, map[string]int64{"nvidia.com/gpu": 8}, map[string]int64{"nvidia.com/gpu": alloc})
		nodes[i].Spec.Unschedulable = i%100 == 0
	}
	spec := &model.Spec{Environments: map[string]*model.Environment{"prod": {Name: "prod", Pools: map[string]*model.Pool{
		"h100": {Name: "h100", GPUs: map[string]*model.GPUPool{"h100": {Count: 40000}}},
	}}}}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		hosts, problems, err := gpu.FromNodes(spec, "prod", nodes, now)
		if err != nil {
			b.Fatal(err)
		}
		inv := &gpu.Inventory{Environments: map[string]*gpu.EnvironmentInventory{"prod": {Hosts: hosts}}, Problems: problems}
		if _, err := gpu.Reconcile(spec, inv, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzFromNodes: whatever labels and capacities a node carries, reading it
// gives hosts that validate, or an error; never a panic.
func FuzzFromNodes(f *testing.F) {
	f.Add("NVIDIA-H100-80GB-HBM3", "8", "none", "nvidia.com/mig-1g.10gb.count", "7", int64(8), int64(6), false)
	f.Add("NVIDIA-A100-SXM4-80GB-MIG-1g.10gb", "14", "single", "", "", int64(14), int64(14), false)
	f.Add("NVIDIA-A100-SXM4-80GB", "2", "mixed", "nvidia.com/mig-3g.40gb.count", "2", int64(0), int64(0), true)
	f.Add("x-MIG-7g.80gb", "0", "single", "nvidia.com/mig-0g.1gb.count", "-3", int64(-1), int64(5), false)
	f.Fuzz(func(t *testing.T, product, count, strategy, migLabel, migCount string, capacity, allocatable int64, cordoned bool) {
		labels := map[string]string{gpu.LabelProduct: product, gpu.LabelCount: count, gpu.LabelMIGStrategy: strategy}
		if migLabel != "" {
			labels[migLabel] = migCount
		}
		n := node("n", labels, map[string]int64{"nvidia.com/gpu": capacity % 1024, "nvidia.com/mig-1g.10gb": capacity % 64},
			map[string]int64{"nvidia.com/gpu": allocatable % 1024, "nvidia.com/mig-1g.10gb": allocatable % 64})
		n.Spec.Unschedulable = cordoned
		hosts, _, err := gpu.FromNodes(nil, "prod", []corev1.Node{n}, time.Now())
		if err != nil {
			return
		}
		for _, h := range hosts {
			if err := h.Validate(); err != nil {
				t.Fatalf("host does not validate: %v", err)
			}
		}
	})
}
