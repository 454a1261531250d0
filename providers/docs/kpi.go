package docs

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
)

// depList is what a KPI depends on, of one kind.
type depList struct {
	What  string
	Items []string
	More  int
}

// liveValue is one current value of a KPI, judged against its target.
type liveValue struct {
	Labels, Value string
	// State is "ok", "bad" or "none" (no comparable value).
	State string
}

type kpiCard struct {
	Key, Title, Target, Anchor string
	Meaning                    string
	Implications               []string
	Deps                       []depList
	// Rule is the recording rule the GitOps tree emits for it.
	Rule     string
	Live     []liveValue
	LiveNote string
	Findings []*finding
}

type budgetRow struct {
	Service, Team, Objective, Window, Budget30, BudgetWindow, Latency, Anchor string
	Findings                                                                  []*finding
}

type budgetGroup struct {
	Objective, Budget30 string
	Count               int
	Services            []string
	More                int
}

type kpiView struct {
	Cards        []kpiCard
	Budgets      []budgetRow
	BudgetGroups []budgetGroup
	Listed       bool
	LiveSource   string
	LiveError    string
}

// maxDeps is the most names a dependency list shows.
const maxDeps = 12

func deps(what string, items []string) depList {
	slices.Sort(items)
	d := depList{What: what, Items: items}
	if len(items) > maxDeps {
		d.Items, d.More = items[:maxDeps], len(items)-maxDeps
	}
	return d
}

// kpiJudge compares a current value with the target.
type kpiJudge struct {
	rule          string
	target        float64
	lowerIsBetter bool
	format        func(float64) string
}

func (b *builder) kpis() kpiView {
	s := b.spec
	k := s.KPIs
	var v kpiView
	prodEnvs := map[string]bool{}
	for name, e := range s.Environments {
		if e.Tier == "prod" {
			prodEnvs[name] = true
		}
	}
	inProd := func(svc *model.Service) bool {
		for env := range svc.Environments {
			if prodEnvs[env] {
				return true
			}
		}
		return false
	}
	serving := func(svc *model.Service) bool { return svc.Kind != "batch" && svc.Kind != "training" }
	ratio := func(f float64) string { return trimFloat(f*100) + " %" }
	dur := func(f float64) string {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Sprint(f)
		}
		return FormatDuration(time.Duration(f * float64(time.Second)))
	}
	leadTime, mttr := seconds(k.Delivery.LeadTime), seconds(k.Resilience.MTTR)
	avail := k.Reliability.Availability

	// Delivery.
	var allProd []string
	for name, svc := range s.Services {
		if inProd(svc) {
			allProd = append(allProd, name)
		}
	}
	delivery := kpiCard{
		Key: "delivery", Title: "Delivery", Target: "≤ " + FormatDuration(leadTime) + " from commit to production",
		Meaning: "A merged pull request runs in production within the lead time, through the CI gates and the GitOps engine.",
	}
	if p := s.Platform; p != nil {
		if len(p.CI.Gates) > 0 {
			delivery.Implications = append(delivery.Implications, fmt.Sprintf("%s run before an image ships: %s.", plural(len(p.CI.Gates), "CI gate"), strings.Join(p.CI.Gates, ", ")))
		}
		if p.GitOps.Engine != "" {
			delivery.Implications = append(delivery.Implications, fmt.Sprintf("%s syncs each environment from the rendered tree%s.", p.GitOps.Engine, cond(p.GitOps.Repo != "", " in "+p.GitOps.Repo)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(prodEnvs)) {
		for _, w := range s.Environments[name].ChangeWindows {
			var days []string
			for _, d := range w.Days {
				days = append(days, cmp.Or(weekdays[d], d))
			}
			delivery.Implications = append(delivery.Implications, fmt.Sprintf("Changes reach %s only in its window %s (%s %s–%s %s): a merge outside it waits for the next one.", name, w.Name, strings.Join(days, ", "), w.Start, w.End, w.Timezone))
		}
	}
	delivery.Deps = []depList{deps("services in production", allProd)}

	// Reliability.
	var withAvail, servingProd []string
	for name, svc := range s.Services {
		if serving(svc) && inProd(svc) {
			servingProd = append(servingProd, name)
		}
		for _, slo := range svc.SLOs {
			if slo.Kind == "availability" {
				withAvail = append(withAvail, name)
				break
			}
		}
	}
	reliability := kpiCard{
		Key: "reliability", Title: "Reliability", Target: "≥ " + formatPercent(avail) + " availability",
		Meaning: "Every serving service is available at least this share of the time.",
		Implications: []string{
			fmt.Sprintf("At most %s of downtime a year (365 days).", FormatDuration(Downtime(avail, Year))),
			fmt.Sprintf("An error budget of %s per 30 days, %s per week, for each service held to it.", FormatDuration(Downtime(avail, BudgetWindow)), FormatDuration(Downtime(avail, 7*24*time.Hour))),
		},
	}
	reliability.Deps = []depList{deps("services with an availability SLO", withAvail), deps("serving services in production", servingProd)}
	var prodPools []string
	for _, name := range slices.Sorted(maps.Keys(prodEnvs)) {
		for pn := range s.Environments[name].Pools {
			prodPools = append(prodPools, name+"/"+pn)
		}
	}
	reliability.Deps = append(reliability.Deps, deps("production pools", prodPools))

	// Cost.
	gpuTarget := k.Cost.GPUUtilisation
	cost := kpiCard{
		Key: "cost", Title: "Cost", Target: "GPUs busy ≥ " + formatPercent(gpuTarget) + " of the time",
		Meaning: "Idle GPUs give way to work that needs them: reserved quotas, priorities and borrowing keep the pools busy.",
	}
	var gpuPools, gpuServices, gpuTeams []string
	for _, env := range slices.SortedFunc(maps.Keys(s.Environments), func(x, y string) int {
		return cmp.Or(cmp.Compare(tierRank(s.Environments[x].Tier), tierRank(s.Environments[y].Tier)), cmp.Compare(x, y))
	}) {
		e := s.Environments[env]
		count := map[string]int{}
		for _, pn := range slices.Sorted(maps.Keys(e.Pools)) {
			for m, g := range e.Pools[pn].GPUs {
				if g.Count > 0 {
					count[cmp.Or(g.Model, m)] += g.Count
				}
			}
			if len(e.Pools[pn].GPUs) > 0 {
				gpuPools = append(gpuPools, env+"/"+pn)
			}
		}
		reserved := map[string]int{}
		for _, t := range s.Teams {
			if q := t.Quotas[env]; q != nil {
				for m, g := range q.GPUs {
					reserved[cmp.Or(g.Model, m)] += g.Reserved
				}
			}
		}
		for _, m := range slices.Sorted(maps.Keys(count)) {
			idle := float64(count[m]) * (100 - gpuTarget) / 100
			line := fmt.Sprintf("%s: of %d %s GPUs, at most %s may be idle on average; teams reserve %d (%s).",
				env, count[m], m, trimFloat(math.Round(idle*10)/10), reserved[m], formatPercent(math.Round(1000*float64(reserved[m])/float64(count[m]))/10))
			cost.Implications = append(cost.Implications, line)
		}
	}
	for name, svc := range s.Services {
		if svc.Resources.GPU != nil && svc.Resources.GPU.Count > 0 {
			gpuServices = append(gpuServices, name)
		}
	}
	for name, t := range s.Teams {
		for _, q := range t.Quotas {
			if len(q.GPUs) > 0 {
				gpuTeams = append(gpuTeams, name)
				break
			}
		}
	}
	cost.Deps = []depList{deps("GPU pools", gpuPools), deps("services on GPUs", gpuServices), deps("teams with GPU quotas", gpuTeams)}

	// Resilience.
	var rollback, noRollback []string
	for _, name := range servingProd {
		if s.Services[name].Rollout.AutoRollback {
			rollback = append(rollback, name)
		} else {
			noRollback = append(noRollback, name)
		}
	}
	resilience := kpiCard{
		Key: "resilience", Title: "Resilience", Target: "MTTR ≤ " + FormatDuration(mttr),
		Meaning: "A failure is over within the MTTR: monitoring rolls a bad release back or scales out by itself.",
	}
	if mttr > 0 {
		resilience.Implications = append(resilience.Implications, fmt.Sprintf("The %s of downtime a year that %s allows is spent by %d incidents of %s each.",
			FormatDuration(Downtime(avail, Year)), formatPercent(avail), IncidentsPerYear(avail, mttr), FormatDuration(mttr)))
	}
	resilience.Implications = append(resilience.Implications, fmt.Sprintf("%d of %d serving services in production roll back automatically.", len(rollback), len(servingProd)))
	resilience.Deps = []depList{deps("services that roll back automatically", rollback), deps("serving services in production without automatic rollback", noRollback)}

	// Data.
	obj, lat := k.Data.PipelineObjective, seconds(k.Data.LatencyTarget)
	data := kpiCard{
		Key: "data", Title: "Data", Target: fmt.Sprintf("%s of real-time pipeline runs within %s", formatPercent(obj), FormatDuration(lat)),
		Meaning: "Real-time data arrives fresh enough for analysis and models.",
		Implications: []string{
			fmt.Sprintf("At most %s of every 100 runs of a real-time pipeline may deliver later than %s.", trimFloat(100-obj), FormatDuration(lat)),
		},
	}
	var stream, outputs []string
	if s.Data != nil {
		for _, name := range slices.Sorted(maps.Keys(s.Data.Pipelines)) {
			p := s.Data.Pipelines[name]
			if p.Mode != "stream" {
				continue
			}
			stream = append(stream, name)
			outputs = append(outputs, p.Outputs...)
			target := seconds(p.LatencyTarget)
			if target == 0 {
				target = lat
			}
			data.Implications = append(data.Implications, fmt.Sprintf("%s: %s of runs within %s.", name, formatPercent(cmp.Or(p.Objective, obj)), FormatDuration(target)))
		}
	}
	slices.Sort(outputs)
	data.Deps = []depList{deps("real-time pipelines", stream), deps("datasets they write", slices.Compact(outputs))}

	v.Cards = []kpiCard{delivery, reliability, cost, resilience, data}
	judges := []kpiJudge{
		{plan.KPISeriesNames.LeadTime, leadTime.Seconds(), true, dur},
		{plan.KPISeriesNames.Availability, avail / 100, false, ratio},
		{plan.KPISeriesNames.GPUUtilisation, gpuTarget / 100, false, ratio},
		{plan.KPISeriesNames.MTTR, mttr.Seconds(), true, dur},
		{plan.KPISeriesNames.PipelinesWithinTarget, obj / 100, false, ratio},
	}
	for i := range v.Cards {
		c := &v.Cards[i]
		c.Anchor = anchorID("kpi", c.Key)
		c.Rule = judges[i].rule
		c.Findings = b.fx.under("kpis", c.Key)
		if c.Key == "data" && s.Data != nil {
			c.Findings = append(c.Findings, b.fx.under("data", "pipelines")...)
		}
		if b.in.Live != nil {
			c.Live, c.LiveNote = judge(b.in.Live, judges[i])
		}
	}
	if b.in.Live != nil {
		v.LiveSource, v.LiveError = b.in.Live.Source, b.in.Live.Unreachable
	}

	// Error budgets.
	v.Listed = b.listBudgets
	groups := map[float64]*budgetGroup{}
	for _, name := range slices.Sorted(maps.Keys(s.Services)) {
		svc := s.Services[name]
		var av, latency []string
		var objective float64
		var window time.Duration
		for _, sn := range slices.Sorted(maps.Keys(svc.SLOs)) {
			slo := svc.SLOs[sn]
			switch slo.Kind {
			case "availability":
				if objective == 0 || slo.Objective > objective {
					objective, window = slo.Objective, seconds(slo.Window)
				}
				av = append(av, formatPercent(slo.Objective))
			case "latency":
				latency = append(latency, fmt.Sprintf("%s under %s", formatPercent(slo.Objective), FormatDuration(seconds(slo.Threshold))))
			}
		}
		if objective == 0 {
			continue
		}
		if window == 0 {
			window = BudgetWindow
		}
		if v.Listed {
			v.Budgets = append(v.Budgets, budgetRow{
				Service: name, Team: svc.Team, Objective: strings.Join(av, ", "), Window: FormatDuration(window),
				Budget30: FormatDuration(Downtime(objective, BudgetWindow)), BudgetWindow: FormatDuration(Downtime(objective, window)),
				Latency: strings.Join(latency, "; "), Anchor: anchorID("budget", name), Findings: b.fx.under("services", name, "slos"),
			})
			continue
		}
		g := groups[objective]
		if g == nil {
			g = &budgetGroup{Objective: formatPercent(objective), Budget30: FormatDuration(Downtime(objective, BudgetWindow))}
			groups[objective] = g
		}
		g.Count++
		if len(g.Services) < maxDeps {
			g.Services = append(g.Services, name)
		} else {
			g.More++
		}
	}
	for _, o := range slices.Sorted(maps.Keys(groups)) {
		v.BudgetGroups = append(v.BudgetGroups, *groups[o])
	}
	return v
}

// judge shows the current values of one KPI, green or red against its target.
func judge(live *LiveKPIs, j kpiJudge) ([]liveValue, string) {
	if live.Unreachable != "" {
		return nil, "not queried: Prometheus could not be reached"
	}
	if e, ok := live.Errors[j.rule]; ok {
		return nil, "query failed: " + e
	}
	samples := live.Values[j.rule]
	if len(samples) == 0 {
		return nil, "no data: Prometheus has no series " + j.rule + " (are the platc rules loaded?)"
	}
	var out []liveValue
	for _, s := range samples {
		lv := liveValue{Labels: labelString(s.Labels), Value: j.format(s.Value), State: "none"}
		if !math.IsNaN(s.Value) {
			ok := s.Value >= j.target
			if j.lowerIsBetter {
				ok = s.Value <= j.target
			}
			lv.State = map[bool]string{true: "ok", false: "bad"}[ok]
		}
		out = append(out, lv)
	}
	return out, ""
}

func cond(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}
