package gitops

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platc-dev/platc/compiler/plan"
	"k8s.io/utils/ptr"
)

// sloWindows are the rate windows of Sloth's multi-window multi-burn-rate
// alerts: page on 14.4× (5m and 1h) or 6× (30m and 6h) the budget burn,
// ticket on 3× (2h and 1d) or 1× (6h and 3d).
var sloWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}

func serviceMonitor(wl *plan.Workload, ns *plan.Namespace, labels map[string]string) *monitoringv1.ServiceMonitor {
	return &monitoringv1.ServiceMonitor{
		TypeMeta:   typeMeta("monitoring.coreos.com/v1", "ServiceMonitor"),
		ObjectMeta: meta(wl.Name, ns.Name, labels),
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector:  metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}},
			Endpoints: []monitoringv1.Endpoint{{Port: "http", Path: "/metrics", Interval: "30s"}},
		},
	}
}

// sloRules writes a workload's SLOs as Sloth-style rules: the error ratio
// over each window (slo:sli_error:ratio_rate5m …), the objective and
// budget metadata, and the page and ticket burn-rate alerts. Budget
// guardrails of paid upstreams become alerts too, at the spend share the
// spec names and at exhaustion, labelled with the action to take.
func sloRules(p *plan.Plan, env *plan.Environment, wl *plan.Workload, ns *plan.Namespace, labels map[string]string) *monitoringv1.PrometheusRule {
	var groups []monitoringv1.RuleGroup
	for _, s := range wl.SLOs {
		id := wl.Name + "-" + s.Name
		sel := map[string]string{"sloth_id": id, "sloth_service": wl.Name, "sloth_slo": s.Name, "platc_slo_kind": s.Kind}
		selector := "sloth_id=" + strconv.Quote(id) + ", sloth_service=" + strconv.Quote(wl.Name) + ", sloth_slo=" + strconv.Quote(s.Name)
		budget := 1 - s.Objective/100
		days := int(s.WindowSeconds / 86400)
		if days < 1 {
			days = 30
		}
		period := strconv.Itoa(days) + "d"
		rec := monitoringv1.RuleGroup{Name: "sloth-slo-sli-recordings-" + id}
		for _, w := range sloWindows {
			rec.Rules = append(rec.Rules, monitoringv1.Rule{
				Record: "slo:sli_error:ratio_rate" + w,
				Expr:   intstr.FromString("(" + window(s.ErrorQuery, w) + ")\n/\n(" + window(s.TotalQuery, w) + ")"),
				Labels: withWindow(sel, w),
			})
		}
		rec.Rules = append(rec.Rules, monitoringv1.Rule{
			Record: "slo:sli_error:ratio_rate" + period,
			Expr: intstr.FromString(fmt.Sprintf("sum_over_time(slo:sli_error:ratio_rate5m{%s}[%s])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{%s}[%s])",
				selector, period, selector, period)),
			Labels: withWindow(sel, period),
		})
		meta := monitoringv1.RuleGroup{Name: "sloth-slo-meta-recordings-" + id}
		for _, r := range []struct{ name, expr string }{
			{"slo:objective:ratio", "vector(" + trimFloat(s.Objective/100) + ")"},
			{"slo:error_budget:ratio", "vector(1-" + trimFloat(s.Objective/100) + ")"},
			{"slo:time_period:days", "vector(" + strconv.Itoa(days) + ")"},
		} {
			meta.Rules = append(meta.Rules, monitoringv1.Rule{Record: r.name, Expr: intstr.FromString(r.expr), Labels: sel})
		}
		b := trimFloat(budget)
		rate := func(w string) string { return "slo:sli_error:ratio_rate" + w + "{" + selector + "}" }
		alerts := monitoringv1.RuleGroup{Name: "sloth-slo-alerts-" + id, Rules: []monitoringv1.Rule{{
			Alert: "SLOBurnRatePage",
			Expr: intstr.FromString(fmt.Sprintf("(\n  (%s > (14.4 * %s)) and ignoring (sloth_window) (%s > (14.4 * %s))\n)\nor ignoring (sloth_window)\n(\n  (%s > (6 * %s)) and ignoring (sloth_window) (%s > (6 * %s))\n)",
				rate("5m"), b, rate("1h"), b, rate("30m"), b, rate("6h"), b)),
			Labels:      merge(sel, map[string]string{"severity": "page", "sloth_severity": "page", "team": wl.Team, "environment": env.Name, "namespace": ns.Name}),
			Annotations: map[string]string{"summary": fmt.Sprintf("%s is burning its %s error budget too fast", wl.Name, s.Name), "title": fmt.Sprintf("(page) %s %s SLO error budget burn rate is too fast", wl.Name, s.Name)},
		}, {
			Alert: "SLOBurnRateTicket",
			Expr: intstr.FromString(fmt.Sprintf("(\n  (%s > (3 * %s)) and ignoring (sloth_window) (%s > (3 * %s))\n)\nor ignoring (sloth_window)\n(\n  (%s > (1 * %s)) and ignoring (sloth_window) (%s > (1 * %s))\n)",
				rate("2h"), b, rate("1d"), b, rate("6h"), b, rate("3d"), b)),
			Labels:      merge(sel, map[string]string{"severity": "ticket", "sloth_severity": "ticket", "team": wl.Team, "environment": env.Name, "namespace": ns.Name}),
			Annotations: map[string]string{"summary": fmt.Sprintf("%s is slowly burning its %s error budget", wl.Name, s.Name), "title": fmt.Sprintf("(ticket) %s %s SLO error budget burn rate is over expected", wl.Name, s.Name)},
		}}}
		groups = append(groups, rec, meta, alerts)
	}
	var budgets []monitoringv1.Rule
	for _, u := range wl.Upstreams {
		if u.Budget == nil {
			continue
		}
		labels := map[string]string{"team": wl.Team, "environment": env.Name, "namespace": ns.Name, "upstream": u.Name, "service": wl.Name}
		ratio := fmt.Sprintf("%s{%s}", BudgetRatioSeries, budgetSelector(wl, ns, u))
		budgets = append(budgets, monitoringv1.Rule{
			// The share of the budget spent over its period (a rolling
			// window): the alerts and the guard's switch read it.
			Record: BudgetRatioSeries,
			Expr:   intstr.FromString(fmt.Sprintf("%s / %s", spendQuery(wl, ns, u), trimFloat(u.Budget.Amount))),
			Labels: map[string]string{"namespace": ns.Name, "service": wl.Name, "upstream": u.Name},
		}, monitoringv1.Rule{
			Alert:       "UpstreamBudgetNearlySpent",
			Expr:        intstr.FromString(fmt.Sprintf("%s > %s", ratio, trimFloat(u.Budget.AlertAt/100))),
			Labels:      merge(labels, map[string]string{"severity": "ticket"}),
			Annotations: map[string]string{"summary": fmt.Sprintf("%s has spent %s%% of its %s budget for %s", wl.Name, trimFloat(u.Budget.AlertAt), u.Budget.Period, u.Name)},
		}, monitoringv1.Rule{
			Alert:       "UpstreamBudgetExhausted",
			Expr:        intstr.FromString(fmt.Sprintf("%s >= 1", ratio)),
			Labels:      merge(labels, map[string]string{"severity": "page", "platc_action": u.Budget.OnExhausted, "platc_fallback": u.Budget.Fallback}),
			Annotations: map[string]string{"summary": fmt.Sprintf("%s has spent its %s %s budget for %s: %s", wl.Name, u.Budget.Period, u.Budget.Currency, u.Name, exhaustedText(u))},
		})
	}
	if len(budgets) > 0 {
		groups = append(groups, monitoringv1.RuleGroup{Name: "platc-budgets-" + wl.Name, Rules: budgets})
	}
	if len(groups) == 0 {
		return nil
	}
	return &monitoringv1.PrometheusRule{
		TypeMeta:   typeMeta("monitoring.coreos.com/v1", "PrometheusRule"),
		ObjectMeta: meta(wl.Name+"-slos", ns.Name, labels),
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: groups},
	}
}

func withWindow(labels map[string]string, w string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	maps.Copy(out, labels)
	out["sloth_window"] = w
	return out
}

func merge(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	for k, v := range b {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// emitObservability writes the environment's platform-wide rules: the
// five KPIs recorded and alerted on against their targets, freshness
// alerts per data pipeline, drift alerts per model, and the KPI dashboard.
// IncidentSeries is 1 in each minute a page alert fires anywhere in the
// environment, else 0: the MTTR KPI is derived from it.
const IncidentSeries = "platc:incidents_firing:bool"

func emitObservability(w *writer, p *plan.Plan, env *plan.Environment, dir string) {
	labels := map[string]string{LabelEnv: env.Name, LabelPartOf: p.Platform.Name}
	k := p.Platform.KPIs
	series := k.Series
	kpi := monitoringv1.RuleGroup{Name: "platc-kpis", Interval: ptr.To(monitoringv1.Duration("1m")), Rules: []monitoringv1.Rule{
		{Record: series.LeadTime, Expr: intstr.FromString(`histogram_quantile(0.5, sum by (le) (rate(platc_delivery_lead_time_seconds_bucket[7d])))`)},
		{Record: series.Availability, Expr: intstr.FromString(`1 - avg(slo:sli_error:ratio_rate30d{platc_slo_kind="availability"})`)},
		{Record: series.GPUUtilisation, Expr: intstr.FromString(`avg(DCGM_FI_DEV_GPU_UTIL) / 100`)},
		// MTTR from the alerts themselves: an incident is a stretch of
		// minutes in which a page fires; its recovery time the stretch's
		// length. The mean over 30 days is the firing minutes over the
		// stretches begun (each rise and fall is a change of the 0/1
		// series; one still firing has risen only). No incident, no value.
		{Record: IncidentSeries, Expr: intstr.FromString(`(count(ALERTS{alertstate="firing",severity="page"}) > bool 0) or vector(0)`)},
		{Record: series.MTTR, Expr: intstr.FromString(`sum_over_time(` + IncidentSeries + `[30d]) * 60 / (ceil(changes(` + IncidentSeries + `[30d]) / 2) > 0)`)},
		{Record: series.PipelinesWithinTarget, Expr: intstr.FromString(`sum(increase(platc_pipeline_runs_within_target_total{mode="stream"}[1d])) / sum(increase(platc_pipeline_runs_total{mode="stream"}[1d]))`)},
	}}
	target := func(name, expr, summary string) monitoringv1.Rule {
		return monitoringv1.Rule{Alert: name, Expr: intstr.FromString(expr), For: ptr.To(monitoringv1.Duration("1h")),
			Labels: map[string]string{"severity": "ticket", "environment": env.Name, "namespace": SystemNamespace}, Annotations: map[string]string{"summary": summary}}
	}
	kpiAlerts := monitoringv1.RuleGroup{Name: "platc-kpi-targets", Rules: []monitoringv1.Rule{
		target("KPILeadTimeOverTarget", fmt.Sprintf("%s > %s", series.LeadTime, trimFloat(k.LeadTimeSeconds)), fmt.Sprintf("median lead time from commit to production is over %s", durationString(k.LeadTimeSeconds))),
		target("KPIAvailabilityUnderTarget", fmt.Sprintf("%s < %s", series.Availability, trimFloat(k.Availability/100)), fmt.Sprintf("availability is under %s%%", trimFloat(k.Availability))),
		target("KPIGPUUtilisationUnderTarget", fmt.Sprintf("%s < %s", series.GPUUtilisation, trimFloat(k.GPUUtilisation/100)), fmt.Sprintf("GPUs are busy less than %s%% of the time", trimFloat(k.GPUUtilisation))),
		target("KPIMTTROverTarget", fmt.Sprintf("%s > %s", series.MTTR, trimFloat(k.MTTRSeconds)), fmt.Sprintf("mean time to recovery is over %s", durationString(k.MTTRSeconds))),
		target("KPIPipelinesUnderTarget", fmt.Sprintf("%s < %s", series.PipelinesWithinTarget, trimFloat(k.PipelineObjective/100)), fmt.Sprintf("fewer than %s%% of real-time pipeline runs meet their latency target", trimFloat(k.PipelineObjective))),
	}}
	groups := []monitoringv1.RuleGroup{kpi, kpiAlerts}
	if len(env.Pipelines) > 0 {
		g := monitoringv1.RuleGroup{Name: "platc-data-freshness"}
		for _, pl := range env.Pipelines {
			sel := fmt.Sprintf(`pipeline=%q`, pl.Name)
			lbl := map[string]string{"severity": "ticket", "team": pl.Owner, "namespace": alertNamespace(env, pl.Owner), "pipeline": pl.Name, "environment": env.Name}
			g.Rules = append(g.Rules, monitoringv1.Rule{
				Alert: "DataPipelineStale",
				Expr:  intstr.FromString(staleExpr(pl, alertNamespace(env, pl.Owner))),
				For:   ptr.To(monitoringv1.Duration("5m")), Labels: lbl,
				Annotations: map[string]string{"summary": staleSummary(pl)},
			}, monitoringv1.Rule{
				Alert: "DataPipelineObjectiveMissed",
				Expr: intstr.FromString(fmt.Sprintf("sum(increase(platc_pipeline_runs_within_target_total{%s}[1d])) / sum(increase(platc_pipeline_runs_total{%s}[1d])) < %s",
					sel, sel, trimFloat(pl.Objective/100))),
				For: ptr.To(monitoringv1.Duration("30m")), Labels: lbl,
				Annotations: map[string]string{"summary": fmt.Sprintf("fewer than %s%% of %s runs met the %s target in the last day", trimFloat(pl.Objective), pl.Name, durationString(pl.LatencyTargetSeconds))},
			})
		}
		groups = append(groups, g)
	}
	if len(env.Models) > 0 {
		g := monitoringv1.RuleGroup{Name: "platc-model-drift"}
		for _, m := range env.Models {
			for _, d := range m.Drift {
				g.Rules = append(g.Rules, monitoringv1.Rule{
					Alert: "ModelDrift",
					Expr:  intstr.FromString(fmt.Sprintf("%s > %s", d.Query, trimFloat(d.Threshold))),
					For:   ptr.To(monitoringv1.Duration(durationString(min(d.WindowSeconds, 3600)))),
					Labels: map[string]string{"severity": "ticket", "team": m.Team, "namespace": alertNamespace(env, m.Team), "model": m.Name, "monitor": d.Name, "metric": d.Metric,
						"environment": env.Name, "platc_action": "retrain"},
					Annotations: map[string]string{"summary": fmt.Sprintf("%s drifted from its baseline %s on %s (%s above %s)", m.Name, d.Baseline, cmpOr(d.Target, d.Name), d.Metric, trimFloat(d.Threshold))},
				})
			}
		}
		groups = append(groups, g)
	}
	w.file(path.Join(dir, "rules.yaml"), &monitoringv1.PrometheusRule{
		TypeMeta:   typeMeta("monitoring.coreos.com/v1", "PrometheusRule"),
		ObjectMeta: meta("platc-platform", SystemNamespace, labels),
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: groups},
	})
	w.file(path.Join(dir, "dashboard.yaml"), dashboard(p, env, labels))
	if al := p.Platform.Alerting; al != nil {
		if routing := alertRouting(p, al.Owner, SystemNamespace, labels); routing != nil {
			w.file(path.Join(dir, "alerting.yaml"), routing...)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dashboard is the KPI board as a Grafana dashboard ConfigMap, which the
// Grafana sidecar picks up by its grafana_dashboard label.
func dashboard(p *plan.Plan, env *plan.Environment, labels map[string]string) *corev1.ConfigMap {
	k := p.Platform.KPIs
	series := k.Series
	type panel struct {
		title, expr, unit string
		target            float64
		lowerIsBetter     bool
	}
	panels := []panel{
		{"Lead time (commit → production)", series.LeadTime, "s", k.LeadTimeSeconds, true},
		{"Availability", series.Availability, "percentunit", k.Availability / 100, false},
		{"GPU utilisation", series.GPUUtilisation, "percentunit", k.GPUUtilisation / 100, false},
		{"MTTR", series.MTTR, "s", k.MTTRSeconds, true},
		{"Real-time pipelines within target", series.PipelinesWithinTarget, "percentunit", k.PipelineObjective / 100, false},
	}
	var ps []map[string]any
	for i, pn := range panels {
		good, bad := "green", "red"
		if pn.lowerIsBetter {
			good, bad = bad, good
		}
		ps = append(ps, map[string]any{
			"id": i + 1, "type": "stat", "title": pn.title,
			"gridPos":    map[string]int{"h": 6, "w": 8, "x": (i % 3) * 8, "y": (i / 3) * 6},
			"datasource": map[string]string{"type": "prometheus", "uid": "prometheus"},
			"targets":    []map[string]string{{"refId": "A", "expr": pn.expr}},
			"fieldConfig": map[string]any{"defaults": map[string]any{
				"unit": pn.unit,
				"thresholds": map[string]any{"mode": "absolute", "steps": []map[string]any{
					{"color": bad, "value": nil}, {"color": good, "value": pn.target},
				}},
			}},
		})
	}
	board := map[string]any{
		"title":         fmt.Sprintf("%s KPIs (%s)", p.Platform.Name, env.Name),
		"uid":           strings.ReplaceAll(fmt.Sprintf("platc-kpis-%s", env.Name), ".", "-"),
		"schemaVersion": 39,
		"tags":          []string{"platc", "kpi"},
		"time":          map[string]string{"from": "now-30d", "to": "now"},
		"panels":        ps,
	}
	b, err := json.MarshalIndent(board, "", "  ")
	if err != nil {
		panic(err) // built from plain values
	}
	cmLabels := merge(labels, map[string]string{"grafana_dashboard": "1"})
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: meta("platc-kpi-dashboard", SystemNamespace, cmLabels),
		Data:       map[string]string{"platc-kpis.json": string(b) + "\n"},
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// staleExpr is true when a pipeline's last success is older than it may
// be: the last successful run of the CronJob platc runs it as, or the
// success the pipeline reports itself.
func staleExpr(pl *plan.Pipeline, namespace string) string {
	last := fmt.Sprintf("max(platc_pipeline_last_success_timestamp_seconds{pipeline=%q})", pl.Name)
	if pl.CronJob != "" {
		last = fmt.Sprintf("max(kube_cronjob_status_last_successful_time{namespace=%q,cronjob=%q})", namespace, pl.CronJob)
	}
	return "time() - " + last + " > " + trimFloat(pl.StaleAfterSeconds)
}

func staleSummary(pl *plan.Pipeline) string {
	if pl.StaleAfterSeconds > pl.LatencyTargetSeconds {
		return fmt.Sprintf("%s has not succeeded for over %s: the longest gap between its scheduled runs plus its %s run-time target", pl.Name, spokenDuration(pl.StaleAfterSeconds), spokenDuration(pl.LatencyTargetSeconds))
	}
	return fmt.Sprintf("%s has delivered no data for longer than its %s target", pl.Name, durationString(pl.LatencyTargetSeconds))
}

// spokenDuration writes seconds as days, hours, minutes and seconds,
// leaving out the parts that are zero: "7d50m", "6h45m", "26h" under two
// days.
func spokenDuration(seconds float64) string {
	s := int64(seconds + 0.5)
	if s <= 0 {
		return "0s"
	}
	var b strings.Builder
	if s >= 2*86400 {
		fmt.Fprintf(&b, "%dd", s/86400)
		s %= 86400
	}
	for _, u := range []struct {
		n    int64
		name string
	}{{3600, "h"}, {60, "m"}, {1, "s"}} {
		if s >= u.n {
			fmt.Fprintf(&b, "%d%s", s/u.n, u.name)
			s %= u.n
		}
	}
	return b.String()
}

// exhaustedText says what happens to the calls once a budget is spent.
func exhaustedText(u *plan.Upstream) string {
	if u.Guard == nil || u.Guard.Exhausted == nil {
		return u.Budget.OnExhausted + " (not delivered: no egress guard acts on it)"
	}
	x := u.Guard.Exhausted
	if x.Fallback != nil {
		return "its calls go to the fallback " + u.Budget.Fallback
	}
	return fmt.Sprintf("%s: its calls are answered %d", x.Action, x.Status)
}
