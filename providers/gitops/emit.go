package gitops

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	kueue "sigs.k8s.io/kueue/apis/kueue/v1beta2"

	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/kubeyaml"
)

// encoder is one worker's YAML encoder and the buffer it reuses.
type encoder struct {
	enc *kubeyaml.Encoder
	buf *bytes.Buffer
}

// Label keys platc sets on everything it renders.
const (
	LabelManagedBy  = "app.kubernetes.io/managed-by"
	LabelPartOf     = "app.kubernetes.io/part-of"
	LabelName       = "app.kubernetes.io/name"
	LabelTeam       = "platc.dev/team"
	LabelOwner      = "platc.dev/owner"
	LabelCostCentre = "platc.dev/cost-centre"
	LabelEnv        = "platc.dev/environment"
	LabelQueue      = "kueue.x-k8s.io/queue-name"
	// SystemNamespace holds platc's platform-wide objects (KPI rules, dashboard).
	SystemNamespace = "platc-system"
)

// Emitter renders the plan's GitOps tree under platform.gitops.path
// (gitops/ by default): per environment a kustomize tree, and the GitOps
// engine's objects that sync it.
type Emitter struct{}

// Name implements [emit.Emitter].
func (Emitter) Name() string { return "GitOps tree" }

// Emit implements [emit.Emitter]. Teams are encoded on every core; the
// first failure (the sink refusing a file, ctx ending) ends the work.
func (Emitter) Emit(ctx context.Context, p *plan.Plan, s emit.Sink) error {
	w := newWriter(s.Put)
	root := p.Platform.GitOps.Path
	type job struct {
		env *plan.Environment
		ns  *plan.Namespace
	}
	var jobs []job
	for _, env := range p.Environments {
		dir := path.Join(root, env.Name)
		emitCluster(w, p, env, path.Join(dir, "cluster"))
		w.subdir(dir, "cluster")
		emitObservability(w, p, env, path.Join(dir, "observability"))
		w.subdir(dir, "observability")
		for _, ns := range env.Namespaces {
			jobs = append(jobs, job{env, ns})
		}
		if len(env.Namespaces) > 0 {
			w.subdir(dir, "teams")
		}
	}
	if w.err != nil {
		return w.err
	}
	// Who calls whom, per environment: "namespace/service" → callers'
	// namespace and name, for the ingress network policies.
	callers := map[string]map[string][][2]string{}
	for _, env := range p.Environments {
		c := map[string][][2]string{}
		for _, other := range env.Namespaces {
			for _, caller := range other.Workloads {
				for _, d := range caller.Dependencies {
					if d.Kind == "service" && d.Namespace != "" {
						k := d.Namespace + "/" + d.Name
						c[k] = append(c[k], [2]string{other.Name, caller.Name})
					}
				}
				// A guard that degrades to a fallback service calls it.
				for _, u := range caller.Upstreams {
					if g := u.Guard; g != nil && g.Exhausted != nil && g.Exhausted.Fallback != nil && g.Exhausted.Fallback.Service != "" {
						f := g.Exhausted.Fallback
						k := f.Namespace + "/" + f.Service
						c[k] = append(c[k], [2]string{other.Name, g.Exhausted.Name})
					}
				}
			}
		}
		callers[env.Name] = c
	}
	// Teams are independent: encode their files on every core, each
	// worker with its own encoder and buffer.
	parts := make([]*writer, len(jobs))
	encoders := sync.Pool{New: func() any { return &encoder{kubeyaml.NewEncoder(), &bytes.Buffer{}} }}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, j := range jobs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			e := encoders.Get().(*encoder)
			defer encoders.Put(e)
			pw := newWriterWith(e.enc, e.buf, s.Put)
			emitNamespace(pw, p, j.env, callers[j.env.Name], j.ns, path.Join(root, j.env.Name, "teams", j.ns.Name+".yaml"))
			parts[i] = pw
			return pw.err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, pw := range parts {
		for d, res := range pw.dirs {
			w.dirs[d] = append(w.dirs[d], res...)
		}
	}
	emitEngine(w, p)
	// The root lists only the engine's objects: each environment is
	// synced by its own Application or Kustomization.
	w.dirs[root] = []string{p.Platform.GitOps.Engine}
	w.kustomizations()
	return w.err
}

func meta(name, namespace string, labels map[string]string) metav1.ObjectMeta {
	l := map[string]string{LabelManagedBy: "platc"}
	for k, v := range labels {
		if v != "" {
			l[k] = v
		}
	}
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: l}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func qty(n int64) resource.Quantity      { return *resource.NewQuantity(n, resource.DecimalSI) }
func milli(n int64) resource.Quantity    { return *resource.NewMilliQuantity(n, resource.DecimalSI) }
func bytesQty(n int64) resource.Quantity { return *resource.NewQuantity(n, resource.BinarySI) }

// emitCluster writes the cluster-scoped objects of an environment:
// priority classes, Kueue flavors, and the system namespace.
func emitCluster(w *writer, p *plan.Plan, env *plan.Environment, dir string) {
	envLabels := map[string]string{LabelEnv: env.Name, LabelPartOf: p.Platform.Name}
	w.file(path.Join(dir, "namespace.yaml"), &corev1.Namespace{
		TypeMeta:   typeMeta("v1", "Namespace"),
		ObjectMeta: meta(SystemNamespace, "", envLabels),
	})
	var pcs []any
	for _, pc := range env.PriorityClasses {
		pcs = append(pcs, &schedulingv1.PriorityClass{
			TypeMeta:         typeMeta("scheduling.k8s.io/v1", "PriorityClass"),
			ObjectMeta:       meta(pc.Name, "", envLabels),
			Value:            pc.Value,
			PreemptionPolicy: ptr.To(corev1.PreemptLowerPriority),
			Description:      fmt.Sprintf("platc priority tier %s: workloads of higher tiers pre-empt lower ones when GPUs are contended.", pc.Priority),
		})
	}
	w.file(path.Join(dir, "priorityclasses.yaml"), pcs...)
	flavors := []any{&kueue.ResourceFlavor{
		TypeMeta:   typeMeta("kueue.x-k8s.io/v1beta2", "ResourceFlavor"),
		ObjectMeta: meta(plan.DefaultFlavor, "", envLabels),
	}}
	for _, f := range env.Flavors {
		flavors = append(flavors, &kueue.ResourceFlavor{
			TypeMeta:   typeMeta("kueue.x-k8s.io/v1beta2", "ResourceFlavor"),
			ObjectMeta: meta(f.Name, "", envLabels),
			Spec:       kueue.ResourceFlavorSpec{NodeLabels: f.NodeLabels},
		})
	}
	w.file(path.Join(dir, "resourceflavors.yaml"), flavors...)
	if policy := admissionPolicy(p, env, envLabels); policy != nil {
		w.file(path.Join(dir, "admission.yaml"), policy)
	}
}

// emitNamespace writes a team's file: its namespace, quota, limits,
// queues and network policies, then each workload's objects. One file per
// team and environment keeps a team's change in one place (and a large
// organisation's tree to one file per team, not one per object).
func emitNamespace(w *writer, p *plan.Plan, env *plan.Environment, callers map[string][][2]string, ns *plan.Namespace, file string) {
	labels := map[string]string{LabelTeam: ns.Team, LabelOwner: labelValue(ns.Owner), LabelCostCentre: labelValue(ns.CostCentre), LabelEnv: env.Name, LabelPartOf: p.Platform.Name}
	nsLabels := map[string]string{
		"pod-security.kubernetes.io/enforce": "baseline",
		"pod-security.kubernetes.io/warn":    "restricted",
	}
	for k, v := range labels {
		nsLabels[k] = v
	}
	maps.Copy(nsLabels, meshNamespaceLabels(env))
	maps.Copy(nsLabels, admissionNamespaceLabels(p, env))
	objs := []any{&corev1.Namespace{
		TypeMeta:   typeMeta("v1", "Namespace"),
		ObjectMeta: meta(ns.Name, "", nsLabels),
	}}

	hard := corev1.ResourceList{}
	if ns.Quota.CPUMilli > 0 {
		hard[corev1.ResourceRequestsCPU] = milli(ns.Quota.CPUMilli)
	}
	if ns.Quota.MemoryBytes > 0 {
		hard[corev1.ResourceRequestsMemory] = bytesQty(ns.Quota.MemoryBytes)
	}
	if ns.Queue != nil {
		// Reserved GPUs plus what the team may borrow: Kueue admits
		// borrowed GPUs, so the namespace must not refuse them.
		total := 0
		for _, g := range ns.Queue.GPUs {
			total += g.Nominal + g.BorrowingLimit
		}
		hard["requests."+corev1.ResourceName(plan.GPUResource)] = qty(int64(total))
	}
	if len(hard) > 0 {
		objs = append(objs, &corev1.ResourceQuota{
			TypeMeta:   typeMeta("v1", "ResourceQuota"),
			ObjectMeta: meta("platc-quota", ns.Name, labels),
			Spec:       corev1.ResourceQuotaSpec{Hard: hard},
		})
	}
	objs = append(objs, &corev1.LimitRange{
		TypeMeta:   typeMeta("v1", "LimitRange"),
		ObjectMeta: meta("platc-defaults", ns.Name, labels),
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: milli(100), corev1.ResourceMemory: bytesQty(128 << 20)},
			Default:        corev1.ResourceList{corev1.ResourceCPU: milli(1000), corev1.ResourceMemory: bytesQty(1 << 30)},
		}}},
	})
	if q := ns.Queue; q != nil {
		objs = append(objs, clusterQueue(env, ns, q, labels), &kueue.LocalQueue{
			TypeMeta:   typeMeta("kueue.x-k8s.io/v1beta2", "LocalQueue"),
			ObjectMeta: meta(q.LocalQueue, ns.Name, labels),
			Spec:       kueue.LocalQueueSpec{ClusterQueue: kueue.ClusterQueueReference(q.ClusterQueue)},
		})
	}
	objs = append(objs, networkPolicies(p, callers, ns, labels)...)
	objs = append(objs, meshPolicies(p, env, callers, ns, labels)...)
	objs = append(objs, externalSecrets(p, ns, labels)...)
	objs = append(objs, alertRouting(p, ns.Alerts, ns.Name, labels)...)
	for _, wl := range ns.Workloads {
		objs = append(objs, workload(p, env, ns, wl, labels)...)
	}
	w.file(file, objs...)
}

// labelValue makes an owner such as "@alice" or "a@b.c" a valid label value.
func labelValue(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) < 63; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			out = append(out, c)
		case c == '@' && i > 0:
			out = append(out, '_')
		}
	}
	for len(out) > 0 && !isAlnum(out[0]) {
		out = out[1:]
	}
	for len(out) > 0 && !isAlnum(out[len(out)-1]) {
		out = out[:len(out)-1]
	}
	return string(out)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// clusterQueue builds a team's ClusterQueue in the environment's cohort:
// CPU and memory on the default flavor, GPUs of each model on that
// model's flavor with nominal quota = reserved and the borrowing and
// lending limits from the spec, so idle GPUs are lent rather than islands.
func clusterQueue(env *plan.Environment, ns *plan.Namespace, q *plan.Queue, labels map[string]string) *kueue.ClusterQueue {
	cq := &kueue.ClusterQueue{
		TypeMeta:   typeMeta("kueue.x-k8s.io/v1beta2", "ClusterQueue"),
		ObjectMeta: meta(q.ClusterQueue, "", labels),
		Spec: kueue.ClusterQueueSpec{
			CohortName:        kueue.CohortReference(q.Cohort),
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns.Name}},
			QueueingStrategy:  kueue.BestEffortFIFO,
			Preemption: &kueue.ClusterQueuePreemption{
				ReclaimWithinCohort: kueue.PreemptionPolicyAny,
				WithinClusterQueue:  kueue.PreemptionPolicyLowerPriority,
				BorrowWithinCohort: &kueue.BorrowWithinCohort{
					Policy: kueue.BorrowWithinCohortPolicyLowerPriority,
				},
			},
		},
	}
	cpu, mem := q.CPUMilli, q.MemoryBytes
	cq.Spec.ResourceGroups = append(cq.Spec.ResourceGroups, kueue.ResourceGroup{
		CoveredResources: []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory},
		Flavors: []kueue.FlavorQuotas{{
			Name: plan.DefaultFlavor,
			Resources: []kueue.ResourceQuota{
				{Name: corev1.ResourceCPU, NominalQuota: milli(cpu)},
				{Name: corev1.ResourceMemory, NominalQuota: bytesQty(mem)},
			},
		}},
	})
	if len(q.GPUs) > 0 {
		rg := kueue.ResourceGroup{CoveredResources: []corev1.ResourceName{plan.GPUResource}}
		for _, g := range q.GPUs {
			rq := kueue.ResourceQuota{Name: plan.GPUResource, NominalQuota: qty(int64(g.Nominal)), BorrowingLimit: ptr.To(qty(int64(g.BorrowingLimit)))}
			if g.LendingLimit != nil {
				rq.LendingLimit = ptr.To(qty(int64(*g.LendingLimit)))
			}
			rg.Flavors = append(rg.Flavors, kueue.FlavorQuotas{Name: kueue.ResourceFlavorReference(g.Flavor), Resources: []kueue.ResourceQuota{rq}})
		}
		// Flavors of the environment the team reserves nothing of can
		// still be borrowed: list them with a zero nominal quota.
		for _, f := range env.Flavors {
			found := false
			for _, g := range q.GPUs {
				found = found || g.Flavor == f.Name
			}
			if !found {
				rg.Flavors = append(rg.Flavors, kueue.FlavorQuotas{Name: kueue.ResourceFlavorReference(f.Name), Resources: []kueue.ResourceQuota{{Name: plan.GPUResource, NominalQuota: qty(0)}}})
			}
		}
		cq.Spec.ResourceGroups = append(cq.Spec.ResourceGroups, rg)
	}
	return cq
}

// networkPolicies denies all traffic by default and allows what the spec
// declares: DNS, the gateway to routed services, callers among declared
// dependencies, Prometheus scraping, and egress to dependencies.
func networkPolicies(p *plan.Plan, callers map[string][][2]string, ns *plan.Namespace, labels map[string]string) []any {
	tcp := corev1.ProtocolTCP
	udp := corev1.ProtocolUDP
	out := []any{&networkingv1.NetworkPolicy{
		TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: meta("default-deny", ns.Name, labels),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}, &networkingv1.NetworkPolicy{
		TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: meta("allow-dns", ns.Name, labels),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}}}},
				Ports: []networkingv1.NetworkPolicyPort{
					{Protocol: &udp, Port: ptr.To(intstr.FromInt32(53))},
					{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(53))},
				},
			}},
		},
	}}
	for _, wl := range ns.Workloads {
		if wl.RunsToCompletion() {
			continue
		}
		port := []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(int32(wl.Port)))}}
		var from []networkingv1.NetworkPolicyPeer
		if len(wl.Routes) > 0 {
			from = append(from, networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": p.Platform.Gateway.Namespace}}})
		}
		// Callers: workloads anywhere in the environment that declare this one as a dependency.
		for _, c := range callers[ns.Name+"/"+wl.Service] {
			from = append(from, networkingv1.NetworkPolicyPeer{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": c[0]}},
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: c[1]}},
			})
		}
		if len(from) > 0 {
			out = append(out, &networkingv1.NetworkPolicy{
				TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
				ObjectMeta: meta("allow-ingress-"+wl.Name, ns.Name, labels),
				Spec: networkingv1.NetworkPolicySpec{
					PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}},
					PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
					Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: from, Ports: port}},
				},
			})
		}
		// Prometheus scrapes every workload.
		out = append(out, &networkingv1.NetworkPolicy{
			TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: meta("allow-scrape-"+wl.Name, ns.Name, labels),
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "monitoring"}}}},
					Ports: port,
				}},
			},
		})
	}
	for _, wl := range ns.Workloads {
		var to []networkingv1.NetworkPolicyEgressRule
		for _, d := range wl.Dependencies {
			if d.Kind == "service" && d.Namespace != "" {
				to = append(to, networkingv1.NetworkPolicyEgressRule{
					To: []networkingv1.NetworkPolicyPeer{{
						NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": d.Namespace}},
						PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: d.Name}},
					}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(int32(d.Port)))}},
				})
			}
		}
		unguarded := wl.ExternalStorage
		for _, u := range wl.Upstreams {
			if u.Guard == nil {
				unguarded = true
				continue
			}
			// A guarded upstream is reached through its guard only.
			to = append(to, networkingv1.NetworkPolicyEgressRule{
				To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelEgress: u.Guard.Name}}}},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(plan.GuardPort))}},
			})
		}
		if unguarded {
			// External APIs and object storage: HTTPS to anywhere outside
			// the cluster's private ranges.
			to = append(to, networkingv1.NetworkPolicyEgressRule{
				To:    []networkingv1.NetworkPolicyPeer{publicInternet()},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(443))}},
			})
		}
		out = append(out, guardNetworkPolicies(wl, ns, labels)...)
		if len(to) > 0 {
			out = append(out, &networkingv1.NetworkPolicy{
				TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
				ObjectMeta: meta("allow-egress-"+wl.Name, ns.Name, labels),
				Spec: networkingv1.NetworkPolicySpec{
					PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}},
					PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
					Egress:      to,
				},
			})
		}
	}
	return out
}

// podSpec is the pod template of a workload: the image, resources with
// GPUs, node affinity to the GPU flavor, and hardened defaults.
func podTemplate(wl *plan.Workload, labels map[string]string) corev1.PodTemplateSpec {
	req := corev1.ResourceList{corev1.ResourceCPU: milli(wl.CPUMilli), corev1.ResourceMemory: bytesQty(wl.MemoryBytes)}
	lim := corev1.ResourceList{corev1.ResourceMemory: bytesQty(wl.MemoryBytes)}
	var affinity *corev1.Affinity
	var tolerations []corev1.Toleration
	if g := wl.GPU; g != nil {
		req[corev1.ResourceName(g.Resource)] = qty(int64(g.Count))
		lim[corev1.ResourceName(g.Resource)] = qty(int64(g.Count))
		var terms []corev1.NodeSelectorRequirement
		for _, k := range sortedKeys(g.NodeLabels) {
			values := []string{g.NodeLabels[k]}
			if vs := g.NodeAffinity[k]; len(vs) > 0 {
				// The model has a flavor per discovered product: any will do.
				values = vs
			}
			terms = append(terms, corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpIn, Values: values})
		}
		affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: terms}}},
		}}
		tolerations = []corev1.Toleration{{Key: plan.GPUResource, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
	}
	podLabels := map[string]string{LabelName: wl.Name, LabelTeam: wl.Team}
	if wl.Queue != "" {
		podLabels[LabelQueue] = wl.Queue
	}
	c := corev1.Container{
		Name:      wl.Name,
		Image:     wl.Image,
		Command:   wl.Command,
		Args:      wl.Args,
		Resources: corev1.ResourceRequirements{Requests: req, Limits: lim},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			RunAsNonRoot:             ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	if !wl.RunsToCompletion() {
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: int32(wl.Port), Protocol: corev1.ProtocolTCP}}
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}}
	}
	vols, mounts := secretMounts(wl)
	c.VolumeMounts = mounts
	c.Env = guardEnv(wl)
	spec := corev1.PodSpec{
		ServiceAccountName:           wl.Name,
		Volumes:                      vols,
		Containers:                   []corev1.Container{c},
		PriorityClassName:            wl.PriorityClass,
		Affinity:                     affinity,
		Tolerations:                  tolerations,
		AutomountServiceAccountToken: ptr.To(false),
	}
	if wl.RunsToCompletion() {
		spec.RestartPolicy = corev1.RestartPolicyNever
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels}, Spec: spec}
}

func replicas(wl *plan.Workload) *int32 {
	if wl.Autoscaling != nil {
		return nil // the HorizontalPodAutoscaler owns the count
	}
	return ptr.To(int32(wl.Replicas))
}

// emitWorkload writes one service's file in an environment.
// workload returns a workload's objects: the Deployment, Rollout or Job,
// its Service, autoscaler, routes, ServiceMonitor and SLO rules.
func workload(p *plan.Plan, env *plan.Environment, ns *plan.Namespace, wl *plan.Workload, nsLabels map[string]string) []any {
	labels := map[string]string{LabelName: wl.Name}
	for k, v := range nsLabels {
		labels[k] = v
	}
	for k, v := range wl.Labels {
		labels[k] = v
	}
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}}
	tpl := podTemplate(wl, labels)
	if env.Cluster.Mesh == MeshIstio && wl.RunsToCompletion() {
		// A sidecar that outlives the job's container keeps the Job from
		// completing; Istio's native sidecar (an init container that
		// restarts) ends with it.
		tpl.Annotations = map[string]string{"sidecar.istio.io/nativeSidecar": "true"}
	}
	objs := []any{serviceAccount(wl, ns, labels)}
	switch wl.Kind {
	case "cronjob":
		objs = append(objs, cronJob(wl, ns, labels, tpl))
	case "job":
		objs = append(objs, &batchv1.Job{
			TypeMeta:   typeMeta("batch/v1", "Job"),
			ObjectMeta: meta(wl.Name, ns.Name, withQueue(labels, wl.Queue)),
			Spec: batchv1.JobSpec{
				// Kueue admits the job when its quota allows and unsuspends it.
				Suspend:      ptr.To(wl.Queue != ""),
				Parallelism:  ptr.To(int32(max(wl.Replicas, 1))),
				Completions:  ptr.To(int32(max(wl.Replicas, 1))),
				BackoffLimit: ptr.To(int32(3)),
				Template:     tpl,
			},
		})
	case "rollout":
		objs = append(objs, rollout(wl, ns, labels, selector, tpl)...)
	default:
		objs = append(objs, &appsv1.Deployment{
			TypeMeta:   typeMeta("apps/v1", "Deployment"),
			ObjectMeta: meta(wl.Name, ns.Name, labels),
			Spec: appsv1.DeploymentSpec{
				Replicas: replicas(wl),
				Selector: selector,
				Template: tpl,
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr.To(intstr.FromInt32(0)), MaxSurge: ptr.To(intstr.FromString("25%")),
				}},
			},
		})
	}
	if !wl.RunsToCompletion() {
		objs = append(objs, &corev1.Service{
			TypeMeta:   typeMeta("v1", "Service"),
			ObjectMeta: meta(wl.Name, ns.Name, labels),
			Spec: corev1.ServiceSpec{
				Selector: map[string]string{LabelName: wl.Name},
				Ports:    []corev1.ServicePort{{Name: "http", Port: int32(wl.Port), TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
			},
		})
		if so := scaledObject(p, wl, ns, labels); so != nil {
			objs = append(objs, so)
		} else if hpa := autoscaler(wl, ns, labels); hpa != nil {
			objs = append(objs, hpa)
		}
		objs = append(objs, routes(p, wl, ns, labels)...)
		objs = append(objs, serviceMonitor(wl, ns, labels))
	}
	objs = append(objs, guardObjects(p, wl, ns, nsLabels)...)
	if rule := sloRules(p, env, wl, ns, labels); rule != nil {
		objs = append(objs, rule)
	}
	return objs
}

func withQueue(labels map[string]string, queue string) map[string]string {
	if queue == "" {
		return labels
	}
	out := map[string]string{LabelQueue: queue}
	for k, v := range labels {
		out[k] = v
	}
	return out
}

// autoscaler is the HorizontalPodAutoscaler of a workload that scales on
// CPU alone (80 % without a target); GPU utilisation and request rate
// scale through KEDA (scaledObject).
func autoscaler(wl *plan.Workload, ns *plan.Namespace, labels map[string]string) *autoscalingv2.HorizontalPodAutoscaler {
	a := wl.Autoscaling
	if a == nil {
		return nil
	}
	kind, apiVersion := "Deployment", "apps/v1"
	if wl.Kind == "rollout" {
		kind, apiVersion = "Rollout", "argoproj.io/v1alpha1"
	}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   typeMeta("autoscaling/v2", "HorizontalPodAutoscaler"),
		ObjectMeta: meta(wl.Name, ns.Name, labels),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: apiVersion, Kind: kind, Name: wl.Name},
			MinReplicas:    ptr.To(int32(max(a.Min, 1))),
			MaxReplicas:    int32(a.Max),
		},
	}
	if a.TargetCPU > 0 {
		hpa.Spec.Metrics = append(hpa.Spec.Metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{
				Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(int32(a.TargetCPU)),
			}},
		})
	}
	if len(hpa.Spec.Metrics) == 0 {
		hpa.Spec.Metrics = append(hpa.Spec.Metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{
				Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(int32(80)),
			}},
		})
	}
	return hpa
}

// cronJob runs a batch data pipeline on its schedule: one run at a time (a
// run still going when the next is due makes that one wait its turn, and
// a run missed by more than an hour is skipped), three of each kind of
// finished Job kept for their logs. Its last successful run is what the
// pipeline's staleness alert reads (kube-state-metrics'
// kube_cronjob_status_last_successful_time).
func cronJob(wl *plan.Workload, ns *plan.Namespace, labels map[string]string, tpl corev1.PodTemplateSpec) *batchv1.CronJob {
	cj := &batchv1.CronJob{
		TypeMeta:   typeMeta("batch/v1", "CronJob"),
		ObjectMeta: meta(wl.Name, ns.Name, labels),
		Spec: batchv1.CronJobSpec{
			Schedule:                   wl.Schedule,
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr.To(int64(3600)),
			SuccessfulJobsHistoryLimit: ptr.To(int32(3)),
			FailedJobsHistoryLimit:     ptr.To(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{LabelName: wl.Name, LabelTeam: wl.Team}},
				Spec: batchv1.JobSpec{
					BackoffLimit: ptr.To(int32(2)),
					Template:     tpl,
				},
			},
		},
	}
	if wl.TimeZone != "" {
		cj.Spec.TimeZone = ptr.To(wl.TimeZone)
	}
	return cj
}
