package docs

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/model"
)

type poolRow struct {
	Name, CPU, Memory, GPUs, Instance, Nodes string
	Spot                                     bool
}

// bar is a declared quota against the pool it draws from.
type bar struct {
	Label, Used, Total string
	// Width is the bar's filled share, capped at 100; Pct the real share.
	Width, Pct float64
	Over       bool
	Note       string
}

// PctLabel writes the share: "75 %".
func (b bar) PctLabel() string { return fmt.Sprintf("%.0f %%", b.Pct) }

type quotaRow struct {
	Team, CPU, Memory, GPUs, Priority, Anchor string
	Findings                                  []*finding
}

type hostRow struct {
	Name, GPUs, MIG, Driver, File string
}

type hardwareRow struct {
	Model                                string
	Declared, Reserved, Discovered, Idle int
	IdlePercent                          string
	Status                               string
	Bad                                  bool
}

type envRow struct {
	Name, Tier, Owner, Cluster, Description string
	CPU, Memory, Bandwidth, GPUs            string
	Anchor                                  string
	Pools                                   []poolRow
	Bars                                    []bar
	Quotas                                  []quotaRow
	// Folded: too many teams to show the quota table open.
	Folded   bool
	Hosts    []hostRow
	Hardware []hardwareRow
	// HardwareNote explains missing hardware rows.
	HardwareNote string
	Findings     []*finding
}

var tierOrder = map[string]int{"dev": 0, "test": 1, "staging": 2, "prod": 3}

func (b *builder) environments() []*envRow {
	s := b.spec
	names := slices.SortedFunc(maps.Keys(s.Environments), func(x, y string) int {
		tx, ok := tierOrder[s.Environments[x].Tier]
		if !ok {
			tx = 9
		}
		ty, ok := tierOrder[s.Environments[y].Tier]
		if !ok {
			ty = 9
		}
		return cmp.Or(cmp.Compare(tx, ty), cmp.Compare(x, y))
	})
	hw := b.in.Hardware
	var out []*envRow
	for _, name := range names {
		e := s.Environments[name]
		row := &envRow{
			Name: name, Tier: e.Tier, Owner: e.Owner, Description: e.Description,
			Bandwidth: formatBandwidth(e.Bandwidth), Anchor: anchorID("env", name),
			Findings: b.fx.under("environments", name),
		}
		cl := e.Cluster
		mesh := ""
		if cl.Mesh != "" && cl.Mesh != "none" {
			mesh = cl.Mesh + " mesh"
		}
		row.Cluster = strings.Join(nonEmpty(cl.Provider, cl.Region, cl.Name, kube(cl.KubernetesVersion), mesh), ", ")
		var cpu model.CPU
		var mem model.Bytes
		gpus, burst := map[string]int{}, map[string]int{}
		for _, pn := range slices.Sorted(maps.Keys(e.Pools)) {
			p := e.Pools[pn]
			cpu += p.CPU
			mem += p.Memory
			pr := poolRow{Name: pn, CPU: formatCPU(p.CPU), Memory: formatBytes(p.Memory), Instance: p.InstanceType, Spot: p.Spot}
			var g []string
			for _, m := range slices.Sorted(maps.Keys(p.GPUs)) {
				gp := p.GPUs[m]
				model := cmp.Or(gp.Model, m)
				gpus[model] += gp.Count
				burst[model] += gp.Burst
				txt := fmt.Sprintf("%d %s", gp.Count, model)
				if gp.Burst > 0 {
					txt += fmt.Sprintf(" (+%d burst)", gp.Burst)
				}
				if len(gp.MIG) > 0 {
					var mig []string
					for _, prof := range slices.Sorted(maps.Keys(gp.MIG)) {
						mig = append(mig, fmt.Sprintf("%d× %s", gp.MIG[prof], prof))
					}
					txt += ", MIG " + strings.Join(mig, ", ")
				}
				g = append(g, txt)
			}
			pr.GPUs = strings.Join(g, "; ")
			if p.Nodes != nil {
				pr.Nodes = fmt.Sprintf("%d-%d", p.Nodes.Min, p.Nodes.Max)
				if p.Nodes.Min == p.Nodes.Max {
					pr.Nodes = fmt.Sprint(p.Nodes.Min)
				}
				if p.Nodes.Burst > 0 {
					pr.Nodes += fmt.Sprintf(" (+%d burst)", p.Nodes.Burst)
				}
			}
			row.Pools = append(row.Pools, pr)
		}
		row.CPU, row.Memory = formatCPU(cpu), formatBytes(mem)
		var g []string
		for _, m := range slices.Sorted(maps.Keys(gpus)) {
			txt := fmt.Sprintf("%d %s", gpus[m], m)
			if burst[m] > 0 {
				txt += fmt.Sprintf(" (+%d burst)", burst[m])
			}
			g = append(g, txt)
		}
		row.GPUs = strings.Join(g, ", ")
		if row.GPUs == "" {
			row.GPUs = "none"
		}

		// Quotas of the teams in this environment.
		var qcpu model.CPU
		var qmem model.Bytes
		reserved, borrow := map[string]int{}, map[string]int{}
		for _, tn := range slices.Sorted(maps.Keys(s.Teams)) {
			q := s.Teams[tn].Quotas[name]
			if q == nil {
				continue
			}
			qcpu += q.CPU
			qmem += q.Memory
			var qg []string
			for _, m := range slices.Sorted(maps.Keys(q.GPUs)) {
				gq := q.GPUs[m]
				model := cmp.Or(gq.Model, m)
				reserved[model] += gq.Reserved
				borrow[model] += gq.BorrowingLimit
				txt := fmt.Sprintf("%d %s", gq.Reserved, model)
				if gq.BorrowingLimit > 0 {
					txt += fmt.Sprintf(" (borrow %d)", gq.BorrowingLimit)
				}
				qg = append(qg, txt)
			}
			row.Quotas = append(row.Quotas, quotaRow{
				Team: tn, CPU: formatCPU(q.CPU), Memory: formatBytes(q.Memory), GPUs: strings.Join(qg, ", "),
				Priority: q.Priority, Anchor: anchorID("quota", name, tn), Findings: b.fx.under("teams", tn, "quotas", name),
			})
		}
		row.Folded = len(row.Quotas) > 20
		mk := func(label string, used, total float64, fmtv func(float64) string, note string) bar {
			pct, over := share(used, total)
			return bar{Label: label, Used: fmtv(used), Total: fmtv(total), Pct: pct, Width: min(pct, 100), Over: over, Note: note}
		}
		row.Bars = append(row.Bars,
			mk("CPU cores", float64(qcpu), float64(cpu), func(f float64) string { return trimFloat(f) }, ""),
			mk("Memory", float64(qmem), float64(mem), func(f float64) string { return formatBytes(model.Bytes(f)) }, ""))
		models := slices.Sorted(maps.Keys(gpus))
		for _, m := range slices.Sorted(maps.Keys(reserved)) {
			if !slices.Contains(models, m) {
				models = append(models, m)
			}
		}
		for _, m := range models {
			note := ""
			if borrow[m] > 0 || burst[m] > 0 {
				note = fmt.Sprintf("borrowing limits add up to %d; the pools burst by %d", borrow[m], burst[m])
			}
			row.Bars = append(row.Bars, mk("GPUs "+m+" reserved", float64(reserved[m]), float64(gpus[m]), func(f float64) string { return trimFloat(f) }, note))
		}

		// Discovered hardware.
		if hw != nil {
			for _, h := range hw.Hosts[name] {
				var parts []string
				for _, p := range slices.Sorted(maps.Keys(h.GPUs)) {
					parts = append(parts, fmt.Sprintf("%d× %s", h.GPUs[p], p))
				}
				hr := hostRow{Name: h.Name, GPUs: strings.Join(parts, ", "), Driver: h.Driver}
				if h.MIGDevices > 0 {
					hr.MIG = plural(h.MIGDevices, "MIG device")
				}
				row.Hosts = append(row.Hosts, hr)
			}
			slices.SortFunc(row.Hosts, func(x, y hostRow) int { return cmp.Compare(x.Name, y.Name) })
			for _, r := range hw.Rows {
				if r.Environment != name {
					continue
				}
				row.Hardware = append(row.Hardware, hardwareRow{
					Model: r.Model, Declared: r.Declared, Reserved: r.Reserved, Discovered: r.Discovered, Idle: r.Idle,
					IdlePercent: trimFloat(r.IdlePercent) + " %", Status: r.Status, Bad: r.Status != "ok",
				})
			}
			switch {
			case hw.Err != nil:
				row.HardwareNote = "The inventory could not be reconciled: " + hw.Err.Error()
			case len(row.Hosts) == 0:
				row.HardwareNote = "No inventory document covers this environment."
			}
		}
		out = append(out, row)
	}
	return out
}

func kube(v string) string {
	if v == "" {
		return ""
	}
	return "Kubernetes " + v
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
