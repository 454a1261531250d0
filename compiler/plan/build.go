package plan

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

// Options carry what the plan needs beyond the spec.
type Options struct {
	// Files returns the spec files (relative, slash-separated) that write
	// at a spec path; it feeds CODEOWNERS. Nil means none are known.
	Files func(path ...string) []string
	// Discovered is the GPU hardware an inventory found; the GPU flavors
	// select the discovered products' labels. Nil means no inventory: every
	// flavor takes its label from the GPU-model table.
	Discovered Discovered
	// Now is the time the tree is rendered at. A freeze's deny window is
	// rendered only from a year before it starts until it ends (see
	// buildSyncWindows); the zero time renders every freeze.
	Now time.Time
}

// priorityValues are the PriorityClass values of the priority tiers:
// inference at critical or high pre-empts batch training.
var priorityValues = map[string]int32{
	"critical": 1000000,
	"high":     100000,
	"medium":   10000,
	"low":      1000,
	"batch":    100,
}

// PriorityClassName names the PriorityClass of a tier.
func PriorityClassName(tier string) string { return "platc-" + tier }

// FlavorName names the Kueue ResourceFlavor of a GPU model.
func FlavorName(gpuModel string) string { return "gpu-" + gpuModel }

// DefaultFlavor is the ResourceFlavor of CPU and memory.
const DefaultFlavor = "default"

// GPUResource is the extended resource of whole NVIDIA GPUs.
const GPUResource = "nvidia.com/gpu"

// MIGResource is the extended resource of a MIG profile (mixed strategy).
func MIGResource(profile string) string { return "nvidia.com/mig-" + profile }

// Build turns a checked spec into the plan.
func Build(spec *model.Spec, opts Options) *Plan {
	if opts.Files == nil {
		opts.Files = func(...string) []string { return nil }
	}
	ix := newIndex(spec)
	p := &Plan{APIVersion: APIVersion, Platform: buildPlatform(spec)}
	for _, name := range sortedKeys(spec.Environments) {
		e := buildEnvironment(spec, ix, spec.Environments[name], opts.Discovered[name], opts.Now)
		e.VerifyImages = verifies(&p.Platform, e.Tier)
		p.Environments = append(p.Environments, e)
	}
	for _, name := range ix.teams {
		t := spec.Teams[name]
		files := opts.Files("teams", name)
		for _, s := range ix.servicesOf[name] {
			files = append(files, opts.Files("services", s)...)
		}
		for _, m := range sortedKeys(spec.Models) {
			if spec.Models[m].Team == name {
				files = append(files, opts.Files("models", m)...)
			}
		}
		slices.Sort(files)
		p.Teams = append(p.Teams, &Team{
			Name: name, DisplayName: t.DisplayName, Owners: nonNil(t.Owners), OnCall: t.OnCall, Slack: t.Slack,
			Files: nonNil(slices.Compact(files)),
		})
	}
	p.Catalog = buildCatalog(spec)
	return p
}

func buildPlatform(spec *model.Spec) Platform {
	pl := spec.Platform
	if pl == nil {
		pl = &model.Platform{}
	}
	k := spec.KPIs
	return Platform{
		Name:  pl.Name,
		Owner: pl.Owner,
		GitOps: GitOps{
			Engine: pl.GitOps.Engine, Repo: pl.GitOps.Repo, Branch: pl.GitOps.Branch,
			Path: path.Clean(cmp.Or(pl.GitOps.Path, "gitops")), Namespace: pl.GitOps.Namespace,
			KubectlImage: fluxOnly(pl.GitOps.Engine, pl.GitOps.KubectlImage),
		},
		Gateway: Gateway{
			Implementation: pl.Gateway.Implementation, Name: pl.Gateway.Name,
			Namespace: pl.Gateway.Namespace, Hostnames: nonNil(pl.Gateway.Hostnames),
		},
		Observability: Metrics{
			Metrics: pl.Observability.Metrics, Logs: pl.Observability.Logs, Traces: pl.Observability.Traces,
			PrometheusServer: cmp.Or(pl.Observability.PrometheusServer, DefaultPrometheusServer),
		},
		KPIs: KPIs{
			LeadTimeSeconds: k.Delivery.LeadTime.Seconds(), Availability: k.Reliability.Availability,
			GPUUtilisation: k.Cost.GPUUtilisation, MTTRSeconds: k.Resilience.MTTR.Seconds(),
			PipelineObjective: k.Data.PipelineObjective, LatencyTargetSeconds: k.Data.LatencyTarget.Seconds(),
			Series: KPISeriesNames,
		},
		Registry:    pl.SupplyChain.Registry,
		EgressImage: cmp.Or(pl.Egress.Image, DefaultEgressImage),
		Verify:      nonNil(pl.SupplyChain.Verify.Enforce),
		Admission:   AdmissionFor(pl.SupplyChain),
		Secrets: Secrets{
			Store: cmp.Or(pl.Secrets.Store, "platc"), StoreKind: cmp.Or(pl.Secrets.StoreKind, "ClusterSecretStore"),
			RefreshSeconds: cmp.Or(pl.Secrets.Refresh.Seconds(), 3600),
		},
		Pulumi: Pulumi{
			Project: cmp.Or(pl.Pulumi.Project, pl.Name), Backend: pl.Pulumi.Backend,
			SecretsProvider: cmp.Or(pl.Pulumi.SecretsProvider, "passphrase"),
		},
		Lakehouse: buildLakehouse(spec),
		Alerting:  buildAlerting(spec),
	}
}

// buildAlerting is the platform's alert routing: nil unless the spec names
// the Slack webhook to post with.
func buildAlerting(spec *model.Spec) *Alerting {
	pl := spec.Platform
	if pl == nil || pl.Observability.Alertmanager == nil || pl.Observability.Alertmanager.SlackWebhook == "" {
		return nil
	}
	return &Alerting{
		SlackWebhookRef: pl.Observability.Alertmanager.SlackWebhook,
		Secret:          AlertingSecret,
		Owner:           teamAlerts(spec, pl.Owner),
	}
}

// DefaultPrometheusServer is the schema's default in-cluster Prometheus.
const DefaultPrometheusServer = "http://prometheus-operated.monitoring.svc:9090"

// AlertingSecret is the Secret the Slack webhook URL is synced to.
const AlertingSecret = "platc-alerting-slack"

// teamAlerts is where a team's alerts go, or nil when it has no channel.
func teamAlerts(spec *model.Spec, name string) *Alerts {
	t, ok := spec.Teams[name]
	if !ok || t.Slack == "" {
		return nil
	}
	return &Alerts{Team: name, Channel: t.Slack, OnCall: t.OnCall}
}

func buildLakehouse(spec *model.Spec) *Lakehouse {
	if spec.Data == nil || spec.Data.Lakehouse == nil {
		return nil
	}
	l := spec.Data.Lakehouse
	return &Lakehouse{
		Format: l.Format, Storage: l.Storage, Bucket: l.Bucket, Engine: l.Engine,
		Owner: l.Owner, RetentionSeconds: l.Retention.Seconds(),
	}
}

// index holds what the builder looks up repeatedly, computed once: a
// spec of a thousand teams has fifteen thousand services.
type index struct {
	teams      []string
	services   []string
	servicesOf map[string][]string // team → its services, sorted
}

func newIndex(spec *model.Spec) *index {
	ix := &index{teams: sortedKeys(spec.Teams), services: sortedKeys(spec.Services), servicesOf: map[string][]string{}}
	for _, s := range ix.services {
		t := spec.Services[s].Team
		ix.servicesOf[t] = append(ix.servicesOf[t], s)
	}
	return ix
}

func buildEnvironment(spec *model.Spec, ix *index, env *model.Environment, found map[string]map[string]int, now time.Time) *Environment {
	e := &Environment{
		Name: env.Name, Tier: env.Tier, Owner: env.Owner, Cohort: env.Cohort,
		Cluster: Cluster{
			Name: cmp.Or(env.Cluster.Name, clusterName(spec, env.Name)), Provider: env.Cluster.Provider,
			Region: env.Cluster.Region, KubernetesVersion: env.Cluster.KubernetesVersion, Mesh: env.Cluster.Mesh,
			KubeContext: env.Cluster.KubeContext, SubnetIDs: nonNil(env.Cluster.SubnetIDs),
		},
		Bandwidth: float64(env.Bandwidth),
	}
	type gpus struct{ count, burst int }
	declared := map[string]*gpus{}
	for _, name := range sortedKeys(env.Pools) {
		pool := env.Pools[name]
		pp := &Pool{
			Name: name, CPUMilli: pool.CPU.Milli(), MemoryBytes: int64(pool.Memory),
			InstanceType: pool.InstanceType, Spot: pool.Spot, GPUs: []*PoolGPUs{},
		}
		if pool.Nodes != nil {
			pp.MinNodes, pp.MaxNodes, pp.BurstNodes = pool.Nodes.Min, pool.Nodes.Max, pool.Nodes.Burst
		}
		for _, m := range sortedKeys(pool.GPUs) {
			g := pool.GPUs[m]
			product, _ := spec.GPUProductOf(m)
			pp.GPUs = append(pp.GPUs, &PoolGPUs{
				Model: m, Product: product, Count: g.Count, Burst: g.Burst, MIG: g.MIG, MIGStrategy: g.MIGStrategy,
			})
			d, ok := declared[m]
			if !ok {
				d = &gpus{}
				declared[m] = d
			}
			d.count += g.Count
			d.burst += g.Burst
		}
		e.Pools = append(e.Pools, pp)
	}
	flavors := map[string][]*Flavor{} // by model
	for _, m := range sortedKeys(declared) {
		flavors[m] = buildFlavors(spec, found[m], m, declared[m].count, declared[m].burst)
		e.Flavors = append(e.Flavors, flavors[m]...)
	}

	// Teams with a quota here or a workload here.
	present := map[string]bool{}
	for _, t := range ix.teams {
		if _, ok := spec.Teams[t].Quotas[env.Name]; ok {
			present[t] = true
		}
	}
	for _, s := range ix.services {
		if _, ok := spec.Services[s].Environments[env.Name]; ok {
			present[spec.Services[s].Team] = true
		}
	}
	// The pipelines platc runs here, by owner: worked out once, not per team.
	pipelinesOf := map[string][]*model.Pipeline{}
	for _, pl := range scheduledPipelines(spec, env) {
		if _, ok := spec.Teams[pl.Owner]; ok {
			present[pl.Owner] = true
			pipelinesOf[pl.Owner] = append(pipelinesOf[pl.Owner], pl)
		}
	}
	priorities := map[string]bool{}
	for _, t := range sortedKeys(present) {
		ns := buildNamespace(spec, ix, env, flavors, spec.Teams[t], t, pipelinesOf[t])
		priorities[ns.PriorityClass] = true
		if ns.Queue != nil {
			for _, g := range ns.Queue.GPUs {
				priorities[g.PriorityClass] = true
			}
		}
		for _, w := range ns.Workloads {
			priorities[w.PriorityClass] = true
		}
		e.Namespaces = append(e.Namespaces, ns)
	}
	for _, tier := range []string{"critical", "high", "medium", "low", "batch"} {
		if priorities[PriorityClassName(tier)] {
			e.PriorityClasses = append(e.PriorityClasses, &PriorityClass{Name: PriorityClassName(tier), Priority: tier, Value: priorityValues[tier]})
		}
	}
	guardUpstreams(spec, e)
	e.SyncWindows = buildSyncWindows(env, now)
	e.Pipelines, e.Models = buildWatches(spec, env)
	nonNilEnv(e)
	return e
}

func clusterName(spec *model.Spec, env string) string {
	if spec.Platform != nil && spec.Platform.Name != "" {
		return spec.Platform.Name + "-" + env
	}
	return env
}

func buildNamespace(spec *model.Spec, ix *index, env *model.Environment, flavors map[string][]*Flavor, team *model.Team, name string, pipelines []*model.Pipeline) *Namespace {
	ns := &Namespace{Name: name, Team: name, PriorityClass: PriorityClassName("medium"), Workloads: []*Workload{}}
	if p := spec.Platform; p != nil && p.Observability.Alertmanager != nil && p.Observability.Alertmanager.SlackWebhook != "" {
		ns.Alerts = teamAlerts(spec, name)
	}
	if team != nil {
		if len(team.Owners) > 0 {
			ns.Owner = team.Owners[0]
		}
		ns.CostCentre = team.CostCentre
		if q, ok := team.Quotas[env.Name]; ok {
			ns.PriorityClass = PriorityClassName(q.Priority)
			ns.Quota = Quota{CPUMilli: q.CPU.Milli(), MemoryBytes: int64(q.Memory)}
			queue := &Queue{ClusterQueue: name, LocalQueue: name, Cohort: env.Cohort, CPUMilli: q.CPU.Milli(), MemoryBytes: int64(q.Memory), GPUs: []*QueueGPUs{}}
			for _, m := range sortedKeys(q.GPUs) {
				g := q.GPUs[m]
				ns.Quota.GPUs += g.Reserved
				queue.GPUs = append(queue.GPUs, splitQuota(&QueueGPUs{
					Flavor: FlavorName(m), Model: m, Nominal: g.Reserved, BorrowingLimit: g.BorrowingLimit,
					LendingLimit: g.LendingLimit, PriorityClass: PriorityClassName(cmp.Or(g.Priority, q.Priority)),
				}, flavors[m])...)
			}
			ns.Queue = queue
		}
	}
	for _, s := range ix.servicesOf[name] {
		svc := spec.Services[s]
		if pl, ok := svc.Environments[env.Name]; ok {
			ns.Workloads = append(ns.Workloads, buildWorkload(spec, env, flavors, svc, pl, ns))
		}
	}
	for _, pl := range pipelines {
		ns.Workloads = append(ns.Workloads, pipelineWorkload(spec, env, pl, ns))
	}
	return ns
}

// watchesHere reports whether env is where the platform watches its
// pipelines (and runs those platc schedules): production, or every
// environment when there is none.
func watchesHere(spec *model.Spec, env *model.Environment) bool {
	if env.Tier == "prod" {
		return true
	}
	for _, e := range spec.Environments {
		if e.Tier == "prod" {
			return false
		}
	}
	return true
}

// scheduledPipelines are the batch pipelines platc runs in env, as
// CronJobs: those with an image, where pipelines are watched; in name
// order.
func scheduledPipelines(spec *model.Spec, env *model.Environment) []*model.Pipeline {
	if spec.Data == nil || !watchesHere(spec, env) {
		return nil
	}
	var out []*model.Pipeline
	for _, name := range sortedKeys(spec.Data.Pipelines) {
		if p := spec.Data.Pipelines[name]; p.Mode == "batch" && p.Image != "" && p.Schedule != "" {
			out = append(out, p)
		}
	}
	return out
}

// pipelineWorkload is the CronJob that runs a batch pipeline in its
// owner's namespace. Its sources that are integrations are called as a
// service's are (their credentials mounted); it reaches the lakehouse's
// object storage over HTTPS.
func pipelineWorkload(spec *model.Spec, env *model.Environment, pl *model.Pipeline, ns *Namespace) *Workload {
	w := &Workload{
		Name: pl.Name, Pipeline: pl.Name, Team: pl.Owner, Namespace: ns.Name, Kind: "cronjob",
		Image: pl.Image, CPUMilli: pl.Resources.CPU.Milli(), MemoryBytes: int64(pl.Resources.Memory),
		PriorityClass: ns.PriorityClass, Labels: map[string]string{}, Signed: true,
		Routes: []*Route{}, Upstreams: []*Upstream{}, SLOs: []*SLO{}, Dependencies: []*Dependency{},
		Schedule: pl.Schedule, TimeZone: pl.TimeZone, Command: nonNil(slices.Clone(pl.Command)), Args: nonNil(slices.Clone(pl.Args)),
		ExternalStorage: true,
	}
	for _, src := range pl.Sources {
		kind, name, ok := strings.Cut(src, "/")
		if !ok || kind != "integration" {
			continue
		}
		if in, ok := spec.Integrations[name]; ok {
			w.Upstreams = append(w.Upstreams, integrationUpstream(name, in))
			w.Dependencies = append(w.Dependencies, &Dependency{Kind: "integration", Name: name})
		}
	}
	slices.SortFunc(w.Upstreams, func(a, b *Upstream) int { return cmp.Compare(a.Name, b.Name) })
	w.Upstreams = slices.CompactFunc(w.Upstreams, func(a, b *Upstream) bool { return a.Name == b.Name })
	slices.SortFunc(w.Dependencies, func(a, b *Dependency) int { return cmp.Compare(a.Name, b.Name) })
	w.Dependencies = slices.CompactFunc(w.Dependencies, func(a, b *Dependency) bool { return a.Name == b.Name })
	return w
}

func buildWorkload(spec *model.Spec, env *model.Environment, flavors map[string][]*Flavor, svc *model.Service, pl *model.Placement, ns *Namespace) *Workload {
	w := &Workload{
		Name: svc.Name, Service: svc.Name, Team: svc.Team, Namespace: ns.Name, ServiceKind: svc.Kind,
		Image: svc.Image, Port: svc.Port, Replicas: pl.Replicas,
		CPUMilli: svc.Resources.CPU.Milli(), MemoryBytes: int64(svc.Resources.Memory),
		PriorityClass: ns.PriorityClass, Labels: map[string]string{}, Signed: svc.Signed,
		Routes: []*Route{}, Upstreams: []*Upstream{}, SLOs: []*SLO{}, Dependencies: []*Dependency{},
		Rollout: Rollout{
			Strategy: svc.Rollout.Strategy, Steps: nonNil(svc.Rollout.Steps), AutoRollback: svc.Rollout.AutoRollback,
			IntervalSeconds: svc.Rollout.AnalysisInterval.Seconds(),
		},
	}
	maps.Copy(w.Labels, svc.Labels)
	switch {
	case svc.Kind == "batch" || svc.Kind == "training":
		w.Kind = "job"
	case svc.Rollout.Strategy == "canary" || svc.Rollout.Strategy == "blue-green":
		w.Kind = "rollout"
	case svc.Rollout.AutoRollback && len(svc.SLOs) > 0:
		// A rolling update that rolls back on an SLO breach: a Deployment
		// cannot, an Argo Rollout can (providers/gitops).
		w.Kind = "rollout"
	default:
		w.Kind = "deployment"
	}
	if pl.Queue || w.Kind == "job" {
		if ns.Queue != nil {
			w.Queue = ns.Queue.LocalQueue
		}
	}
	if a := pl.Autoscaling; a != nil {
		w.Autoscaling = &Autoscaling{Min: a.Min, Max: a.Max, TargetCPU: a.TargetCPU, TargetGPU: a.TargetGPU, TargetRPS: a.TargetRPS}
	}
	if g := svc.Resources.GPU; g != nil {
		// The pods go where the model's flavors select, so Kueue's and the
		// scheduler's choices agree; a model no pool here declares has no
		// flavor and keeps the table's label.
		fs := flavors[g.Model]
		if len(fs) == 0 {
			fs = buildFlavors(spec, nil, g.Model, 0, 0)
		}
		wg := &WorkloadGPU{Model: g.Model, Flavor: fs[0].Name, Count: g.Count, Resource: GPUResource,
			NodeLabels: maps.Clone(fs[0].NodeLabels), NodeAffinity: workloadNodeAffinity(fs)}
		if g.MIG != "" {
			wg.Resource = MIGResource(g.MIG)
		}
		w.GPU = wg
		if q := ns.Queue; q != nil {
			for _, qg := range q.GPUs {
				if qg.Model == g.Model {
					w.PriorityClass = qg.PriorityClass
				}
			}
		}
	}
	for _, r := range svc.Routes {
		rl := r.RateLimit
		if rl == nil {
			rl = svc.RateLimit
		}
		w.Routes = append(w.Routes, &Route{
			Host: r.Host, Path: r.Path, Methods: nonNil(r.Methods), RateLimit: rateLimit(rl), TimeoutSeconds: r.Timeout.Seconds(),
		})
	}
	for _, u := range sortedKeys(svc.Upstreams) {
		up := svc.Upstreams[u]
		w.Upstreams = append(w.Upstreams, &Upstream{Name: u, URL: up.URL, Host: hostOf(up.URL), Paid: up.Paid, RateLimit: rateLimit(up.RateLimit), Budget: budget(up.Budget)})
	}
	for _, slo := range sortedKeys(svc.SLOs) {
		w.SLOs = append(w.SLOs, buildSLO(svc, ns.Name, svc.SLOs[slo]))
	}
	for _, dep := range svc.Dependencies {
		kind, name, ok := strings.Cut(dep, "/")
		if !ok {
			kind, name = "service", dep
		}
		d := &Dependency{Kind: kind, Name: name}
		switch kind {
		case "service":
			if other, ok := spec.Services[name]; ok {
				if _, placed := other.Environments[env.Name]; placed {
					d.Namespace, d.Port = other.Team, other.Port
				}
			}
		case "integration":
			if in, ok := spec.Integrations[name]; ok {
				w.Upstreams = append(w.Upstreams, integrationUpstream(name, in))
			}
		}
		w.Dependencies = append(w.Dependencies, d)
	}
	slices.SortFunc(w.Dependencies, func(a, b *Dependency) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name)) })
	w.Dependencies = slices.CompactFunc(w.Dependencies, func(a, b *Dependency) bool { return a.Kind == b.Kind && a.Name == b.Name })
	slices.SortFunc(w.Upstreams, func(a, b *Upstream) int { return cmp.Compare(a.Name, b.Name) })
	return w
}

// integrationUpstream is a called integration, with the Secret its
// credentials are synced into and where its callers mount them.
func integrationUpstream(name string, in *model.Integration) *Upstream {
	u := &Upstream{Name: name, URL: in.URL, Host: hostOf(in.URL), Paid: in.Paid,
		RateLimit: rateLimit(in.RateLimit), Budget: budget(in.Budget), Integration: true}
	if in.SecretRef != "" {
		u.SecretRef, u.Secret, u.MountPath = in.SecretRef, name+"-credentials", "/var/run/secrets/platc/"+name
	}
	return u
}

func hostOf(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func rateLimit(r *model.RateLimit) *RateLimit {
	if r == nil {
		return nil
	}
	unit := map[string]string{"second": "Second", "minute": "Minute", "hour": "Hour"}[r.Per]
	return &RateLimit{Requests: r.Requests, Unit: unit, Burst: r.Burst, By: r.By, Header: r.Header}
}

func budget(b *model.Budget) *Budget {
	if b == nil {
		return nil
	}
	return &Budget{Amount: b.Amount, Currency: b.Currency, Period: b.Period, AlertAt: b.AlertAt, OnExhausted: b.OnExhausted, Fallback: b.Fallback, PricePerRequest: b.PricePerRequest}
}

// WindowPlaceholder stands for the rate window in SLI query templates, as
// in Sloth's SLO specs.
const WindowPlaceholder = "{{.window}}"

// buildSLO fills in the SLI queries: the service's own, or the standard
// HTTP server metrics (http_requests_total, http_request_duration_seconds)
// selected by namespace and service.
func buildSLO(svc *model.Service, namespace string, s *model.SLO) *SLO {
	out := &SLO{Name: s.Name, Kind: s.Kind, Objective: s.Objective, WindowSeconds: s.Window.Seconds(), ThresholdSeconds: s.Threshold.Seconds()}
	if s.SLI != nil {
		out.ErrorQuery, out.TotalQuery = s.SLI.ErrorQuery, s.SLI.TotalQuery
		return out
	}
	sel := fmt.Sprintf(`namespace=%q,service=%q`, namespace, svc.Name)
	switch s.Kind {
	case "latency":
		le := formatSeconds(s.Threshold.Seconds())
		out.TotalQuery = fmt.Sprintf(`sum(rate(http_request_duration_seconds_count{%s}[%s]))`, sel, WindowPlaceholder)
		out.ErrorQuery = fmt.Sprintf(`(sum(rate(http_request_duration_seconds_count{%s}[%s])) - sum(rate(http_request_duration_seconds_bucket{%s,le=%q}[%s])))`, sel, WindowPlaceholder, sel, le, WindowPlaceholder)
	default:
		out.TotalQuery = fmt.Sprintf(`sum(rate(http_requests_total{%s}[%s]))`, sel, WindowPlaceholder)
		out.ErrorQuery = fmt.Sprintf(`sum(rate(http_requests_total{%s,code=~"5.."}[%s]))`, sel, WindowPlaceholder)
	}
	return out
}

func formatSeconds(s float64) string {
	if s == math.Trunc(s) {
		return fmt.Sprintf("%.0f", s)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", s), "0"), ".")
}

var dayNumbers = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

// buildSyncWindows turns the change calendar into Argo CD sync windows:
// each change window allows syncs on its days from start to end, each
// freeze denies them from its start for its length.
//
// A freeze is one date range, but an Argo CD window's schedule is a cron
// expression, which names no year: rendered for good, a freeze would deny
// the same dates every year. So a freeze's window is rendered only while
// its cron can fire for it alone: from a year before it starts (less its
// length) until it ends, judged at now (the zero time renders them all).
// The first render after a freeze ends drops its window; one more than a
// year ahead appears when a render comes within that year.
func buildSyncWindows(env *model.Environment, now time.Time) []*SyncWindow {
	out := []*SyncWindow{}
	for _, w := range env.ChangeWindows {
		var days []int
		for _, d := range w.Days {
			days = append(days, dayNumbers[d])
		}
		slices.Sort(days)
		var ds []string
		for _, d := range days {
			ds = append(ds, fmt.Sprint(d))
		}
		sh, sm := clock(w.Start)
		eh, em := clock(w.End)
		minutes := (eh*60 + em) - (sh*60 + sm)
		if minutes <= 0 {
			minutes += 24 * 60
		}
		out = append(out, &SyncWindow{
			Kind: "allow", Name: w.Name, Schedule: fmt.Sprintf("%d %d * * %s", sm, sh, strings.Join(ds, ",")),
			Duration: durationText(minutes), TimeZone: w.Timezone,
		})
	}
	for _, f := range env.Freezes {
		start, err1 := parseTime(f.Start)
		end, err2 := parseTime(f.End)
		if err1 != nil || err2 != nil || !end.After(start) {
			continue
		}
		start, end = start.UTC(), end.UTC()
		if !now.IsZero() && (!now.Before(end) || now.Before(start.AddDate(-1, 0, 0).Add(end.Sub(start)))) {
			continue
		}
		minutes := int(math.Ceil(end.Sub(start).Minutes()))
		out = append(out, &SyncWindow{
			Kind: "deny", Name: f.Name,
			Schedule: fmt.Sprintf("%d %d %d %d *", start.Minute(), start.Hour(), start.Day(), int(start.Month())),
			Duration: durationText(minutes), TimeZone: "UTC",
			Start: &start, End: &end,
		})
	}
	return out
}

// fluxOnly is v for the Flux engine, which alone reads it, and "" for
// Argo CD.
func fluxOnly(engine, v string) string {
	if engine != "flux" {
		return ""
	}
	return v
}

func durationText(minutes int) string {
	if minutes%60 == 0 {
		return fmt.Sprintf("%dh", minutes/60)
	}
	return fmt.Sprintf("%dm", minutes)
}

func clock(s string) (h, m int) {
	fmt.Sscanf(s, "%d:%d", &h, &m)
	return h, m
}

// buildWatches places the freshness alerts of pipelines and the drift
// alerts of models: pipelines in production (every environment when there
// is none), models where their serving service runs (production when it
// has none).
func buildWatches(spec *model.Spec, env *model.Environment) ([]*Pipeline, []*ModelWatch) {
	here := watchesHere(spec, env)
	pipes := []*Pipeline{}
	if spec.Data != nil && here {
		for _, name := range sortedKeys(spec.Data.Pipelines) {
			p := spec.Data.Pipelines[name]
			pl := &Pipeline{
				Name: name, Owner: p.Owner, Mode: p.Mode,
				LatencyTargetSeconds: cmp.Or(p.LatencyTarget.Seconds(), spec.KPIs.Data.LatencyTarget.Seconds()),
				Objective:            cmp.Or(p.Objective, spec.KPIs.Data.PipelineObjective),
			}
			pl.StaleAfterSeconds = pl.LatencyTargetSeconds
			if p.Mode == "batch" {
				// A batch pipeline's last success is as old as the longest
				// gap between two scheduled runs, plus a run's time.
				pl.StaleAfterSeconds += LongestGap(p.Schedule, p.TimeZone).Seconds()
				if p.Image != "" {
					pl.CronJob = name
				}
			}
			pipes = append(pipes, pl)
		}
	}
	models := []*ModelWatch{}
	for _, name := range sortedKeys(spec.Models) {
		m := spec.Models[name]
		placed := here
		if svc, ok := spec.Services[m.Service]; ok {
			_, placed = svc.Environments[env.Name]
		}
		if !placed || len(m.Drift) == 0 {
			continue
		}
		mw := &ModelWatch{Name: name, Team: m.Team, Service: m.Service, Drift: []*DriftMonitor{}}
		for _, d := range sortedKeys(m.Drift) {
			dm := m.Drift[d]
			q := dm.Query
			if q == "" {
				q = fmt.Sprintf(`max(platc_model_drift_score{model=%q,monitor=%q})`, name, d)
			}
			mw.Drift = append(mw.Drift, &DriftMonitor{Name: d, Metric: dm.Metric, Target: dm.Target, Baseline: dm.Baseline,
				Threshold: dm.Threshold, WindowSeconds: dm.Window.Seconds(), Query: q})
		}
		models = append(models, mw)
	}
	return pipes, models
}

func buildCatalog(spec *model.Spec) Catalog {
	c := Catalog{Services: []*CatalogService{}, Datasets: []*CatalogDataset{}, Topics: []*CatalogTopic{}, Models: []*CatalogModel{}}
	for _, name := range sortedKeys(spec.Services) {
		s := spec.Services[name]
		cs := &CatalogService{Name: name, Team: s.Team, Kind: s.Kind, Description: s.Description,
			Environments: sortedKeys(s.Environments), Routes: []string{}, DependsOn: nonNil(slices.Clone(s.Dependencies))}
		for _, r := range s.Routes {
			cs.Routes = append(cs.Routes, r.Path)
		}
		slices.Sort(cs.DependsOn)
		c.Services = append(c.Services, cs)
	}
	if spec.Data != nil {
		for _, name := range sortedKeys(spec.Data.Datasets) {
			d := spec.Data.Datasets[name]
			c.Datasets = append(c.Datasets, &CatalogDataset{Name: name, Owner: d.Owner, Description: d.Description,
				Classification: d.Classification, Upstreams: nonNil(d.Lineage.Upstreams)})
		}
	}
	if spec.Events != nil {
		for _, name := range sortedKeys(spec.Events.Topics) {
			t := spec.Events.Topics[name]
			c.Topics = append(c.Topics, &CatalogTopic{Name: name, Owner: t.Owner, Producers: nonNil(t.Producers), Consumers: nonNil(t.Consumers)})
		}
	}
	for _, name := range sortedKeys(spec.Models) {
		m := spec.Models[name]
		c.Models = append(c.Models, &CatalogModel{Name: name, Team: m.Team, Service: m.Service, TrainingData: nonNil(m.TrainingData)})
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilEnv(e *Environment) {
	e.Pools = nonNil(e.Pools)
	e.Flavors = nonNil(e.Flavors)
	e.PriorityClasses = nonNil(e.PriorityClasses)
	e.Namespaces = nonNil(e.Namespaces)
}
