package plan

import (
	"slices"
	"strconv"
	"strings"

	"github.com/platc-dev/platc/compiler/model"
)

// Discovered is the GPU hardware an inventory found: per environment and
// spec GPU model, how many GPUs carry each nvidia.com/gpu.product label
// value. An environment or a model it lacks keeps the table's label.
type Discovered map[string]map[string]map[string]int

// Where a flavor's product label comes from (Flavor.Source).
const (
	SourceTable     = "table"
	SourceInventory = "inventory"
)

// LabelProduct is the node label GPU Feature Discovery names a node's GPU
// product with.
const LabelProduct = model.GPUProductLabel

// buildFlavors returns the Kueue ResourceFlavors of GPU model m in env,
// whose pools declare count (and burst) GPUs of it.
//
// Without discovered hardware the flavor selects the model's product from
// the GPU-model table. With it, it selects the product label the hosts
// really carry. When one model maps to several discovered products (A100
// 40GB and 80GB boards, say) there is one flavor per product, named
// gpu-<model>-<product>, because a ResourceFlavor's nodeLabels are an exact
// match and Kueue treats a flavor as one homogeneous kind of node: it
// injects the flavor's labels into the admitted pods, so a single flavor
// (or one without the product label, which Kueue would then match to any
// workload's GPU request) cannot stand for both. The team's ClusterQueue
// lists every flavor of the model, with the quota shared out by the
// discovered GPUs (splitQuota), and the model's workloads accept the nodes
// of any of them (WorkloadGPU.NodeAffinity), so Kueue admits them on
// whichever has quota, as it does for any multi-flavor resource group.
// Flavors are in product-label order: the plan stays deterministic.
func buildFlavors(spec *model.Spec, found map[string]int, m string, count, burst int) []*Flavor {
	if len(found) == 0 {
		_, label := spec.GPUProductOf(m)
		return []*Flavor{{Name: FlavorName(m), Model: m, NodeLabels: map[string]string{LabelProduct: label},
			Source: SourceTable, Count: count, Burst: burst}}
	}
	labels := sortedKeys(found)
	if len(labels) == 1 {
		return []*Flavor{{Name: FlavorName(m), Model: m, NodeLabels: map[string]string{LabelProduct: labels[0]},
			Source: SourceInventory, Discovered: found[labels[0]], Count: count, Burst: burst}}
	}
	weights := make([]int, len(labels))
	for i, l := range labels {
		weights[i] = found[l]
	}
	counts, bursts := apportion(count, weights), apportion(burst, weights)
	out := make([]*Flavor, len(labels))
	names := map[string]bool{}
	for i, l := range labels {
		name := FlavorName(m) + "-" + slug(l)
		for n := 2; names[name]; n++ {
			name = FlavorName(m) + "-" + slug(l) + "-" + strconv.Itoa(n)
		}
		names[name] = true
		out[i] = &Flavor{Name: name, Model: m, NodeLabels: map[string]string{LabelProduct: l},
			Source: SourceInventory, Discovered: found[l], Count: counts[i], Burst: bursts[i]}
	}
	return out
}

// splitQuota shares a team's quota of a model out over the model's
// flavors, by the GPUs discovered of each, so that the ClusterQueue's
// quotas add up to what the spec reserves: nominal quota, borrowing limit
// and lending limit alike (a flavor's lending limit at most its nominal
// quota, as Kueue requires). One flavor keeps the quota whole.
func splitQuota(q *QueueGPUs, flavors []*Flavor) []*QueueGPUs {
	if len(flavors) < 2 {
		if len(flavors) == 1 {
			q.Flavor = flavors[0].Name
		}
		return []*QueueGPUs{q}
	}
	weights := make([]int, len(flavors))
	for i, f := range flavors {
		weights[i] = f.Discovered
	}
	nominal, borrowing := apportion(q.Nominal, weights), apportion(q.BorrowingLimit, weights)
	var lending []int
	if q.LendingLimit != nil {
		lending = apportion(*q.LendingLimit, weights)
	}
	out := make([]*QueueGPUs, len(flavors))
	for i, f := range flavors {
		g := *q
		g.Flavor, g.Nominal, g.BorrowingLimit = f.Name, nominal[i], borrowing[i]
		if lending != nil {
			l := min(lending[i], nominal[i])
			g.LendingLimit = &l
		}
		out[i] = &g
	}
	return out
}

// workloadNodeAffinity is every value each node label of flavors takes,
// for a workload that may run on the nodes of any of them; nil for one.
func workloadNodeAffinity(flavors []*Flavor) map[string][]string {
	if len(flavors) < 2 {
		return nil
	}
	out := map[string][]string{}
	for _, f := range flavors {
		for k, v := range f.NodeLabels {
			if !slices.Contains(out[k], v) {
				out[k] = append(out[k], v)
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// apportion divides total by weights, largest remainder first (the
// earlier on a tie), so the parts always add up to total. Without any
// weight the first part takes it all.
func apportion(total int, weights []int) []int {
	parts := make([]int, len(weights))
	if len(weights) == 0 {
		return parts
	}
	sum := 0
	for _, w := range weights {
		sum += max(w, 0)
	}
	if sum == 0 {
		parts[0] = total
		return parts
	}
	rems := make([]int, len(weights))
	given := 0
	for i, w := range weights {
		w = max(w, 0)
		parts[i] = total * w / sum
		rems[i] = total * w % sum
		given += parts[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b] - rems[a] })
	for i := 0; given < total; i++ {
		parts[order[i%len(order)]]++
		given++
	}
	return parts
}

// slug makes a product label part of a Kubernetes object name: lower
// case, runs of anything but letters and digits as one '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
