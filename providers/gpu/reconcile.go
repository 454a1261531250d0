package gpu

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
)

// Rule IDs of the reconciliation findings.
const (
	RuleOvercommit    = "gpu-overcommit"
	RulePoolUnbacked  = "gpu-pool-unbacked"
	RuleIdle          = "gpu-idle"
	RuleMIGMissing    = "gpu-mig-missing"
	RuleModelMismatch = "gpu-model-mismatch"
	// RuleNodeMissing: GPUs a cluster's node has but does not offer
	// (--inventory k8s).
	RuleNodeMissing = "gpu-node-missing"
)

// Row is the reconciliation of one GPU model in one environment.
type Row struct {
	Environment string `json:"environment"`
	Model       string `json:"model"`
	// Declared is the count the environment's pools declare.
	Declared int `json:"declared"`
	// Reserved is the sum of the teams' reserved quotas.
	Reserved int `json:"reserved"`
	// Discovered is the physical GPUs found.
	Discovered int `json:"discovered"`
	// Idle is discovered GPUs no quota reserves.
	Idle int `json:"idle"`
	// IdlePercent is Idle as a share of Discovered.
	IdlePercent float64 `json:"idlePercent"`
	Status      string  `json:"status"`
}

// Report is the outcome of a reconciliation.
type Report struct {
	Rows        []Row            `json:"rows"`
	Diagnostics diag.Diagnostics `json:"-"`
}

// EnvironmentError is an inventory for an environment the spec lacks.
type EnvironmentError struct {
	Environment string
	Files       string
}

func (e *EnvironmentError) Error() string {
	return fmt.Sprintf("%s: inventory for environment %q, which the spec does not declare", e.Files, e.Environment)
}

// Lookup finds the source position of a spec path.
type Lookup func(labels []string) diag.Pos

type key struct{ env, model string }

// Reconcile compares the quotas and pools spec declares with the GPUs inv
// discovered, per environment and model.
func Reconcile(spec *model.Spec, inv *Inventory, lookup Lookup) (*Report, error) {
	if lookup == nil {
		lookup = func([]string) diag.Pos { return diag.Pos{} }
	}
	for _, env := range inv.EnvironmentNames() {
		if _, ok := spec.Environments[env]; !ok {
			return nil, &EnvironmentError{Environment: env, Files: inv.Environments[env].Files()}
		}
	}
	rep := &Report{}
	add := func(sev diag.Severity, rule string, labels []string, hint, format string, args ...any) {
		rep.Diagnostics = append(rep.Diagnostics, diag.Diagnostic{
			Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...),
			Path: strings.Join(labels, "."), Pos: lookup(labels), Hint: hint,
		})
	}

	discovered := map[key]int{}
	migFound := map[key]map[string]int{}
	unmapped := map[key]int{} // by environment and product
	for env, e := range inv.Environments {
		for _, h := range e.Hosts {
			for _, d := range h.Devices {
				m, ok := spec.GPUModelOf(d.Product)
				if !ok {
					unmapped[key{env, d.Product}]++
					continue
				}
				k := key{env, m}
				discovered[k]++
				for _, mig := range d.MIGDevices {
					if migFound[k] == nil {
						migFound[k] = map[string]int{}
					}
					migFound[k][mig.Profile]++
				}
			}
		}
	}

	type quotaRef struct {
		team     string
		reserved int
	}
	reserved := map[key]int{}
	quotas := map[key][]quotaRef{}
	for _, t := range slices.Sorted(maps.Keys(spec.Teams)) {
		for env, q := range spec.Teams[t].Quotas {
			if q == nil {
				continue
			}
			for m, g := range q.GPUs {
				if g == nil || g.Reserved == 0 {
					continue
				}
				k := key{env, m}
				reserved[k] += g.Reserved
				quotas[k] = append(quotas[k], quotaRef{t, g.Reserved})
			}
		}
	}
	declared := map[key]int{}
	pools := map[key][]string{}
	for env, e := range spec.Environments {
		for _, p := range slices.Sorted(maps.Keys(e.Pools)) {
			for m, g := range e.Pools[p].GPUs {
				if g == nil {
					continue
				}
				k := key{env, m}
				declared[k] += g.Count
				pools[k] = append(pools[k], p)
			}
		}
	}

	// Only environments an inventory covers can be reconciled.
	keys := map[key]bool{}
	for _, m := range []map[key]int{discovered, reserved, declared} {
		for k := range m {
			if inv.Environments[k.env] != nil {
				keys[k] = true
			}
		}
	}
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b key) int {
		return strings.Compare(a.env+"\x00"+a.model, b.env+"\x00"+b.model)
	})
	target := spec.KPIs.Cost.GPUUtilisation
	for _, k := range sorted {
		r := Row{Environment: k.env, Model: k.model, Declared: declared[k], Reserved: reserved[k], Discovered: discovered[k]}
		var status []string
		if r.Reserved > r.Discovered {
			status = append(status, "overcommitted")
			for _, q := range quotas[k] {
				add(diag.Error, RuleOvercommit, []string{"teams", q.team, "quotas", k.env, "gpus", k.model},
					"lower the reserved quotas or add GPUs to the environment",
					"team %s reserves %d %s GPU(s) in %s; the teams together reserve %d but only %d were discovered",
					q.team, q.reserved, k.model, k.env, r.Reserved, r.Discovered)
			}
		}
		if r.Declared > r.Discovered {
			status = append(status, "unbacked")
			for _, p := range pools[k] {
				add(diag.Error, RulePoolUnbacked, []string{"environments", k.env, "pools", p, "gpus", k.model},
					"correct the pool's count or provision the missing GPUs",
					"pool %s declares %d %s GPU(s) (the environment's pools %d in all) but only %d were discovered in %s",
					p, spec.Environments[k.env].Pools[p].GPUs[k.model].Count, k.model, r.Declared, r.Discovered, k.env)
			}
		}
		if r.Discovered > r.Reserved {
			r.Idle = r.Discovered - r.Reserved
			r.IdlePercent = round1(100 * float64(r.Idle) / float64(r.Discovered))
			if 100-r.IdlePercent < target || target == 0 {
				status = append(status, "idle")
				labels := []string{"environments", k.env}
				if ps := pools[k]; len(ps) > 0 {
					labels = append(labels, "pools", ps[0], "gpus", k.model)
				}
				add(diag.Warning, RuleIdle, labels,
					"reserve the GPUs in a team's quota or shrink the pool",
					"%d of %d %s GPU(s) in %s (%.1f%%) are reserved by no quota: at most %.1f%% can be busy, below the %.0f%% GPU-utilisation KPI",
					r.Idle, r.Discovered, k.model, k.env, r.IdlePercent, 100-r.IdlePercent, target)
			}
		}
		for _, p := range pools[k] {
			g := spec.Environments[k.env].Pools[p].GPUs[k.model]
			for _, prof := range slices.Sorted(maps.Keys(g.MIG)) {
				if found := migFound[k][prof]; found < g.MIG[prof] {
					status = append(status, "mig-missing")
					add(diag.Warning, RuleMIGMissing, []string{"environments", k.env, "pools", p, "gpus", k.model, "mig", prof},
						"configure the MIG profile on the hardware (nvidia-mig-parted) or drop it from the pool",
						"pool %s declares %d MIG %s instance(s) of %s, but %d are configured on the %s GPUs discovered in %s",
						p, g.MIG[prof], prof, k.model, found, k.model, k.env)
				}
			}
		}
		if r.Discovered > 0 && len(pools[k]) == 0 {
			status = append(status, "undeclared")
			add(diag.Warning, RuleModelMismatch, []string{"environments", k.env, "pools"},
				"declare the model in one of the environment's pools",
				"%d %s GPU(s) were discovered in %s, but none of its pools declares that model", r.Discovered, k.model, k.env)
		}
		if len(status) == 0 {
			status = []string{"ok"}
		}
		r.Status = strings.Join(slices.Compact(status), ",")
		rep.Rows = append(rep.Rows, r)
	}
	for _, k := range slices.SortedFunc(maps.Keys(unmapped), func(a, b key) int {
		return strings.Compare(a.env+"\x00"+a.model, b.env+"\x00"+b.model)
	}) {
		add(diag.Warning, RuleModelMismatch, []string{"environments", k.env},
			"map the product to a model in platform.gpuModels",
			"%d GPU(s) %q were discovered in %s, but no GPU model maps that product", unmapped[k], k.model, k.env)
	}
	for _, pr := range inv.Problems {
		add(diag.Warning, RuleNodeMissing, []string{"environments", pr.Environment, "pools"}, nodeHints[pr.Kind],
			"%s: %s", pr.Environment, pr)
	}
	return rep, nil
}

var nodeHints = map[string]string{
	"unhealthy":  "drain the node and look at its GPUs (nvidia-smi, XID errors in the kernel log); lower the pool's count while they are out",
	"cordoned":   "uncordon the node when its maintenance is over (kubectl uncordon NODE), or lower the pool's count",
	"unlabelled": "run GPU Feature Discovery (the GPU Operator does) so the node gets nvidia.com/gpu.product, or label it yourself",
}

func round1(f float64) float64 {
	return float64(int(f*10+0.5)) / 10
}
