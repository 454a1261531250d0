package gpu

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/platc-dev/platc/compiler/model"
)

// Resources the NVIDIA device plugin reports in a Node's capacity and
// allocatable: whole GPUs, and with the mixed MIG strategy one resource
// per MIG profile.
const (
	ResourceGPU       = "nvidia.com/gpu"
	resourceMIGPrefix = "nvidia.com/mig-"
)

// migSlices is how many GPU-instance slices an A100 or H100 has: a MIG
// profile of g slices fits 7/g times on one GPU ("1g.10gb" seven times,
// "3g.40gb" twice).
const migSlices = 7

// NodeProblem is what the cluster says about a GPU node that makes it
// count for less than its hardware: GPUs the device plugin no longer
// offers (lost after XID errors), a cordoned node, a node GPU Feature
// Discovery has not labelled.
type NodeProblem struct {
	Environment string `json:"environment"`
	Node        string `json:"node"`
	// Kind is "unhealthy", "cordoned" or "unlabelled".
	Kind string `json:"kind"`
	// Missing is how many of Unit (GPUs, or MIG devices of a profile) do
	// not count.
	Missing int    `json:"missing"`
	Unit    string `json:"unit"`
}

func (p NodeProblem) String() string {
	switch p.Kind {
	case "unhealthy":
		return fmt.Sprintf("node %s offers %d fewer %s than it has (allocatable below capacity: lost after errors); they count as missing", p.Node, p.Missing, p.Unit)
	case "cordoned":
		return fmt.Sprintf("node %s is cordoned: its %d %s count as missing", p.Node, p.Missing, p.Unit)
	default:
		return fmt.Sprintf("node %s has %d %s and no GPU Feature Discovery labels: their product is unknown, so they back no GPU model", p.Node, p.Missing, p.Unit)
	}
}

// LabelError is a GPU Feature Discovery label platc cannot read.
type LabelError struct {
	Node, Label, Value, Want string
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("node %s: label %s=%q: want %s", e.Node, e.Label, e.Value, e.Want)
}

// FromNodes turns the Nodes of an environment's cluster into inventory
// hosts, reading them as GPU Feature Discovery labels them and the device
// plugin reports them:
//
//   - without MIG, nvidia.com/gpu.product and gpu.count name the GPUs;
//   - with the single strategy, those labels describe the MIG devices
//     (product "<GPU>-MIG-<profile>", count the MIG devices), and the
//     GPUs are as many as the devices need (a profile of g slices fits
//     7/g times on one);
//   - with the mixed strategy, gpu.product and gpu.count name the GPUs and
//     nvidia.com/mig-<profile>.count the MIG devices of each profile.
//
// What the node offers counts: GPUs missing from allocatable, every GPU
// of a cordoned node, and the GPUs of a node without labels (counted from
// its capacity, of unknown product) are reported as problems and left
// out. Nodes with no GPUs are skipped. A label that does not parse is a
// *LabelError.
func FromNodes(spec *model.Spec, env string, nodes []corev1.Node, now time.Time) ([]*HostInventory, []NodeProblem, error) {
	var hosts []*HostInventory
	var problems []NodeProblem
	products := productIndex(spec)
	for i := range nodes {
		n := &nodes[i]
		doc, probs, err := fromNode(spec, products, env, n, now)
		if err != nil {
			return nil, nil, err
		}
		problems = append(problems, probs...)
		if doc != nil {
			hosts = append(hosts, &HostInventory{File: "node/" + n.Name, Document: doc})
		}
	}
	slices.SortFunc(hosts, func(a, b *HostInventory) int { return strings.Compare(a.Host.Name, b.Host.Name) })
	return hosts, problems, nil
}

func fromNode(spec *model.Spec, products map[string]string, env string, n *corev1.Node, now time.Time) (*Document, []NodeProblem, error) {
	labels := n.Labels
	capacity, allocatable := quantity(n.Status.Capacity, ResourceGPU), quantity(n.Status.Allocatable, ResourceGPU)
	migCapacity := map[string]int{}
	for name, q := range n.Status.Capacity {
		if p, ok := strings.CutPrefix(string(name), resourceMIGPrefix); ok {
			migCapacity[p] = int(q.Value())
		}
	}
	product, labelled := labels[LabelProduct]
	if !labelled {
		if capacity == 0 {
			return nil, nil, nil // no GPUs
		}
		return nil, []NodeProblem{{Environment: env, Node: n.Name, Kind: "unlabelled", Missing: capacity, Unit: "GPUs"}}, nil
	}
	count, err := intLabel(n, LabelCount, capacity)
	if err != nil {
		return nil, nil, err
	}
	doc := &Document{APIVersion: APIVersion, Time: now.UTC().Truncate(time.Second), Devices: []Device{},
		Host: Host{Name: n.Name, Environment: env, Labels: gfdSubset(labels)}}
	var problems []NodeProblem
	problem := func(kind string, missing int, unit string) {
		if missing > 0 {
			problems = append(problems, NodeProblem{Environment: env, Node: n.Name, Kind: kind, Missing: missing, Unit: unit})
		}
	}
	strategy := labels[LabelMIGStrategy]
	switch strategy {
	case "", "none", "mixed":
		base := productName(products, product)
		gpus := count
		if capacity > 0 && allocatable < capacity && strategy != "mixed" {
			problem("unhealthy", capacity-allocatable, "GPUs")
			gpus = min(gpus, allocatable)
		}
		if n.Spec.Unschedulable {
			problem("cordoned", gpus, "GPUs")
			return nil, problems, nil
		}
		var migs []MIGDevice
		if strategy == "mixed" {
			for _, p := range slices.Sorted(maps.Keys(labels)) {
				profile, ok := strings.CutSuffix(strings.TrimPrefix(p, resourceMIGPrefix), ".count")
				if !strings.HasPrefix(p, resourceMIGPrefix) || !ok {
					continue
				}
				if _, err := profileSlices(profile); err != nil {
					return nil, nil, &LabelError{Node: n.Name, Label: p, Value: labels[p], Want: "a MIG profile such as nvidia.com/mig-1g.10gb.count in the label's name"}
				}
				k, err := intLabel(n, p, 0)
				if err != nil {
					return nil, nil, err
				}
				if c, ok := migCapacity[profile]; ok {
					if a := quantity(n.Status.Allocatable, corev1.ResourceName(resourceMIGPrefix+profile)); a < c {
						problem("unhealthy", c-a, profile+" MIG devices")
						k = min(k, a)
					}
				}
				for j := range k {
					migs = append(migs, MIGDevice{UUID: fmt.Sprintf("k8s://%s/mig-%s-%d", n.Name, profile, j), Profile: profile})
				}
			}
		}
		for g := range gpus {
			d := Device{Index: g, UUID: fmt.Sprintf("k8s://%s/gpu-%d", n.Name, g), Product: base}
			d.Model, _ = spec.GPUModelOf(base)
			doc.Devices = append(doc.Devices, d)
		}
		placeMIGs(doc.Devices, migs)
	case "single":
		gpuProduct, profile, ok := strings.Cut(product, "-MIG-")
		if !ok {
			return nil, nil, &LabelError{Node: n.Name, Label: LabelProduct, Value: product, Want: `"<product>-MIG-<profile>" with the single MIG strategy`}
		}
		slicesPer, err := profileSlices(profile)
		if err != nil {
			return nil, nil, &LabelError{Node: n.Name, Label: LabelProduct, Value: product, Want: "a MIG profile such as 1g.10gb after -MIG-"}
		}
		devices := count
		if capacity > 0 && allocatable < capacity {
			problem("unhealthy", capacity-allocatable, profile+" MIG devices")
			devices = min(devices, allocatable)
		}
		if n.Spec.Unschedulable {
			problem("cordoned", devices, profile+" MIG devices")
			return nil, problems, nil
		}
		per := max(migSlices/slicesPer, 1)
		gpus := (devices + per - 1) / per
		base := productName(products, gpuProduct)
		var migs []MIGDevice
		for j := range devices {
			migs = append(migs, MIGDevice{UUID: fmt.Sprintf("k8s://%s/mig-%s-%d", n.Name, profile, j), Profile: profile})
		}
		for g := range gpus {
			d := Device{Index: g, UUID: fmt.Sprintf("k8s://%s/gpu-%d", n.Name, g), Product: base, MIGMode: true}
			d.Model, _ = spec.GPUModelOf(base)
			doc.Devices = append(doc.Devices, d)
		}
		placeMIGs(doc.Devices, migs)
	default:
		return nil, nil, &LabelError{Node: n.Name, Label: LabelMIGStrategy, Value: strategy, Want: "none, single or mixed"}
	}
	if err := doc.Validate(); err != nil {
		return nil, nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	return doc, problems, nil
}

// placeMIGs puts MIG devices on the GPUs in order, each GPU taking as many
// as its seven slices hold; what does not fit goes on the last GPU.
func placeMIGs(devs []Device, migs []MIGDevice) {
	if len(devs) == 0 {
		return
	}
	g, used := 0, 0
	for _, m := range migs {
		s, _ := profileSlices(m.Profile)
		if used+s > migSlices && g < len(devs)-1 {
			g, used = g+1, 0
		}
		used += s
		devs[g].MIGMode = true
		devs[g].MIGDevices = append(devs[g].MIGDevices, m)
	}
}

// profileSlices is the GPU-instance slices of a MIG profile ("3g.40gb": 3).
func profileSlices(profile string) (int, error) {
	g, _, ok := strings.Cut(profile, "g.")
	n, err := strconv.Atoi(g)
	if !ok || err != nil || n < 1 || n > migSlices {
		return 0, fmt.Errorf("invalid MIG profile %q", profile)
	}
	return n, nil
}

// productIndex maps the GFD product labels of the products the spec's
// table and platc's name (and the names themselves) to those products,
// the spec's first, built once for all the nodes.
func productIndex(spec *model.Spec) map[string]string {
	idx := map[string]string{}
	add := func(t map[string]string) {
		for _, p := range slices.Sorted(maps.Keys(t)) {
			for _, k := range []string{p, model.ProductLabel(p)} {
				if _, ok := idx[k]; !ok {
					idx[k] = p
				}
			}
		}
	}
	if spec != nil && spec.Platform != nil {
		add(spec.Platform.GPUModels)
	}
	add(model.GPUProducts)
	return idx
}

// productName is the NVML product name a GFD product label stands for,
// when the index has it; otherwise the label itself (with its '-' for
// spaces), which maps to no model.
func productName(products map[string]string, label string) string {
	label = strings.TrimSuffix(label, "-SHARED")
	if p, ok := products[label]; ok {
		return p
	}
	return label
}

// gfdSubset is what a document keeps of a node's labels: NVIDIA's and the
// environment label.
func gfdSubset(labels map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		if strings.HasPrefix(k, "nvidia.com/") || k == LabelEnvironment {
			out[k] = v
		}
	}
	return out
}

func intLabel(n *corev1.Node, label string, fallback int) (int, error) {
	v, ok := n.Labels[label]
	if !ok {
		return fallback, nil
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || i > maxNodeDevices {
		return 0, &LabelError{Node: n.Name, Label: label, Value: v, Want: fmt.Sprintf("a count (a whole number from 0 to %d)", maxNodeDevices)}
	}
	return i, nil
}

// maxNodeDevices bounds the GPUs or MIG devices one node may claim: a
// label claiming millions would otherwise cost as many devices' memory.
const maxNodeDevices = 1024

func quantity(l corev1.ResourceList, name corev1.ResourceName) int {
	q, ok := l[name]
	if !ok {
		return 0
	}
	return int(min(max(q.Value(), 0), maxNodeDevices))
}
