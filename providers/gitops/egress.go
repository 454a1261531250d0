package gitops

import (
	"fmt"
	"strconv"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	securityv1api "istio.io/api/security/v1"
	typev1beta1 "istio.io/api/type/v1beta1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/platc-dev/platc/compiler/plan"
)

// LabelEgress selects the pods of an egress guard, both its pools: the
// guard's Service sends calls to whichever runs.
const LabelEgress = "platc.dev/egress"

// envoyUID is the user of Envoy's distroless image (nonroot).
const envoyUID = 65532

// BudgetRatioSeries is the recording rule of the share of a budget spent
// over its period: the budget alerts and the guards' switch read it.
const BudgetRatioSeries = "platc:upstream_budget_spent:ratio"

// guardObjects are the objects of a workload's egress guards: per guard
// a ServiceAccount, the Envoy configuration and Deployment of the pool
// that forwards to the upstream, the Service the workload calls and the
// ServiceMonitor of Envoy's counters. A guard with a budget has a second
// pool that takes the calls once the budget is spent, and a KEDA
// ScaledObject per pool that switches them on the spent share (the
// forwarding pool runs while it is below 1, the other from 1 on).
func guardObjects(p *plan.Plan, wl *plan.Workload, ns *plan.Namespace, nsLabels map[string]string) []any {
	var out []any
	for _, u := range wl.Upstreams {
		g := u.Guard
		if g == nil {
			continue
		}
		labels := map[string]string{}
		for k, v := range nsLabels {
			labels[k] = v
		}
		labels[LabelName] = g.Name
		labels[LabelEgress] = g.Name
		primary := envoyConfig(g.Target, g.Cluster, g.RateLimit, 0)
		out = append(out,
			serviceAccountNamed(g.Name, ns.Name, labels),
			envoyConfigMap(g.Name, ns.Name, labels, primary),
			guardDeployment(p, g.Name, g.Name, ns.Name, labels, g.Exhausted == nil),
		)
		if x := g.Exhausted; x != nil {
			xl := map[string]string{}
			for k, v := range labels {
				xl[k] = v
			}
			xl[LabelName] = x.Name
			var cfg string
			if x.Fallback != nil {
				cfg = envoyConfig(*x.Fallback, "fallback", nil, 0)
			} else {
				cfg = envoyConfig(plan.GuardTarget{}, "", nil, x.Status)
			}
			ratio := fmt.Sprintf("max(%s{%s})", BudgetRatioSeries, budgetSelector(wl, ns, u))
			server := p.Platform.Observability.PrometheusServer
			out = append(out,
				serviceAccountNamed(x.Name, ns.Name, xl),
				envoyConfigMap(x.Name, ns.Name, xl, cfg),
				guardDeployment(p, x.Name, g.Name, ns.Name, xl, false),
				// Below the budget (or before the first spend is counted)
				// the guard forwards; Prometheus unreachable, it still does.
				guardSwitch(g.Name, ns.Name, labels, server, fmt.Sprintf("(%s < bool 1) or vector(1)", ratio), true),
				guardSwitch(x.Name, ns.Name, xl, server, fmt.Sprintf("(%s >= bool 1) or vector(0)", ratio), false),
			)
		}
		out = append(out, &corev1.Service{
			TypeMeta:   typeMeta("v1", "Service"),
			ObjectMeta: meta(g.Name, ns.Name, labels),
			Spec: corev1.ServiceSpec{
				Selector: map[string]string{LabelEgress: g.Name},
				Ports: []corev1.ServicePort{
					{Name: "http", Port: plan.GuardPort, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
					{Name: "metrics", Port: plan.GuardMetricsPort, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP},
				},
			},
		}, &monitoringv1.ServiceMonitor{
			TypeMeta:   typeMeta("monitoring.coreos.com/v1", "ServiceMonitor"),
			ObjectMeta: meta(g.Name, ns.Name, labels),
			Spec: monitoringv1.ServiceMonitorSpec{
				Selector:  metav1.LabelSelector{MatchLabels: map[string]string{LabelName: g.Name}},
				Endpoints: []monitoringv1.Endpoint{{Port: "metrics", Path: "/stats/prometheus", Interval: "30s"}},
			},
		})
	}
	return out
}

func serviceAccountNamed(name, namespace string, labels map[string]string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     typeMeta("v1", "ServiceAccount"),
		ObjectMeta:                   meta(name, namespace, labels),
		AutomountServiceAccountToken: ptr.To(false),
	}
}

func envoyConfigMap(name, namespace string, labels map[string]string, config string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: meta(name, namespace, labels),
		Data:       map[string]string{"envoy.yaml": config},
	}
}

// guardDeployment runs one Envoy of a guard's pool. One replica: Envoy
// counts the rate limit per process, so one process makes it exact. With
// a budget, KEDA sets the count (0 or 1) and the Deployment names none.
func guardDeployment(p *plan.Plan, name, guard, namespace string, labels map[string]string, fixed bool) *appsv1.Deployment {
	var replicas *int32
	if fixed {
		replicas = ptr.To(int32(1))
	}
	cpu, mem := milli(100), bytesQty(128<<20)
	c := corev1.Container{
		Name:  "envoy",
		Image: p.Platform.EgressImage,
		Args:  []string{"--config-path", "/etc/envoy/envoy.yaml", "--log-level", "warn"},
		Ports: []corev1.ContainerPort{
			{Name: "http", ContainerPort: plan.GuardPort, Protocol: corev1.ProtocolTCP},
			{Name: "metrics", ContainerPort: plan.GuardMetricsPort, Protocol: corev1.ProtocolTCP},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: mem},
		},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("metrics")}}},
		VolumeMounts:   []corev1.VolumeMount{{Name: "config", MountPath: "/etc/envoy", ReadOnly: true}},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			RunAsNonRoot:             ptr.To(true),
			RunAsUser:                ptr.To(int64(envoyUID)),
			ReadOnlyRootFilesystem:   ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	return &appsv1.Deployment{
		TypeMeta:   typeMeta("apps/v1", "Deployment"),
		ObjectMeta: meta(name, namespace, labels),
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{LabelName: name, LabelEgress: guard, LabelTeam: labels[LabelTeam]}},
				Spec: corev1.PodSpec{
					ServiceAccountName:           name,
					AutomountServiceAccountToken: ptr.To(false),
					Containers:                   []corev1.Container{c},
					Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
						ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}},
					}}},
				},
			},
		},
	}
}

// guardSwitch is the ScaledObject that runs a guard's pool (one replica)
// while query is 1 and none while it is 0. The forwarding pool fails
// open: while Prometheus cannot be read it keeps one replica.
func guardSwitch(name, namespace string, labels map[string]string, server, query string, failOpen bool) *kedav1alpha1.ScaledObject {
	so := &kedav1alpha1.ScaledObject{
		TypeMeta:   typeMeta("keda.sh/v1alpha1", "ScaledObject"),
		ObjectMeta: meta(name, namespace, labels),
		Spec: kedav1alpha1.ScaledObjectSpec{
			ScaleTargetRef:  &kedav1alpha1.ScaleTarget{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
			PollingInterval: ptr.To(int32(30)),
			CooldownPeriod:  ptr.To(int32(60)),
			MinReplicaCount: ptr.To(int32(0)),
			MaxReplicaCount: ptr.To(int32(1)),
			Triggers: []kedav1alpha1.ScaleTriggers{{
				Type: "prometheus", Name: "budget", MetricType: autoscalingv2.AverageValueMetricType,
				Metadata: map[string]string{
					"serverAddress":       server,
					"query":               query,
					"threshold":           "1",
					"activationThreshold": "0.5",
				},
			}},
		},
	}
	if failOpen {
		so.Spec.Fallback = &kedav1alpha1.Fallback{FailureThreshold: 3, Replicas: 1}
	}
	return so
}

// budgetSelector selects the spent share of an upstream's budget as the
// workload's rules record it.
func budgetSelector(wl *plan.Workload, ns *plan.Namespace, u *plan.Upstream) string {
	return fmt.Sprintf(`namespace=%q, service=%q, upstream=%q`, ns.Name, wl.Name, u.Name)
}

// spendQuery is the spend on an upstream over its budget's period. A
// priced budget counts the requests the guard (or, for an integration,
// every caller's guard) forwarded; otherwise the callers export
// platc_upstream_spend_total.
func spendQuery(wl *plan.Workload, ns *plan.Namespace, u *plan.Upstream) string {
	window := map[string]string{"day": "1d", "week": "7d"}[u.Budget.Period]
	if window == "" {
		window = "30d"
	}
	if g := u.Guard; g != nil && u.Budget.PricePerRequest > 0 {
		sel := fmt.Sprintf(`namespace=%q, service=%q, envoy_cluster_name=%q`, ns.Name, g.Name, g.Cluster)
		if u.Integration {
			sel = fmt.Sprintf(`envoy_cluster_name=%q`, g.Cluster)
		}
		return fmt.Sprintf("sum(increase(envoy_cluster_upstream_rq_total{%s}[%s])) * %s", sel, window, trimFloat(u.Budget.PricePerRequest))
	}
	sel := fmt.Sprintf(`namespace=%q, service=%q, upstream=%q`, ns.Name, wl.Name, u.Name)
	if u.Integration {
		sel = fmt.Sprintf(`upstream=%q`, u.Name)
	}
	return fmt.Sprintf("sum(increase(platc_upstream_spend_total{%s}[%s]))", sel, window)
}

// envoyConfig is an Envoy bootstrap: a listener on the guard's port that
// forwards every call to target (through the rate limit, when there is
// one), or answers every call with status when there is no target; and
// a listener on the metrics port that serves Envoy's Prometheus counters
// and readiness from its admin interface, which listens on loopback only.
func envoyConfig(target plan.GuardTarget, cluster string, rl *plan.RateLimit, status int) string {
	route := map[string]any{"match": map[string]any{"prefix": "/"}}
	if status != 0 {
		route["direct_response"] = map[string]any{
			"status": status,
			"body":   map[string]any{"inline_string": fmt.Sprintf("the upstream's budget is spent (%s)\n", httpStatusText(status))},
		}
	} else {
		route["route"] = map[string]any{"cluster": cluster, "host_rewrite_literal": target.Host, "timeout": "60s"}
	}
	var filters []any
	if rl != nil {
		fill := map[string]string{"Second": "1s", "Minute": "60s", "Hour": "3600s"}[rl.Unit]
		enabled := map[string]any{"numerator": 100, "denominator": "HUNDRED"}
		filters = append(filters, map[string]any{
			"name": "envoy.filters.http.local_ratelimit",
			"typed_config": map[string]any{
				"@type":           "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
				"stat_prefix":     "upstream_rate_limit",
				"token_bucket":    map[string]any{"max_tokens": rl.Requests + rl.Burst, "tokens_per_fill": rl.Requests, "fill_interval": fill},
				"filter_enabled":  map[string]any{"runtime_key": "upstream_rate_limit_enabled", "default_value": enabled},
				"filter_enforced": map[string]any{"runtime_key": "upstream_rate_limit_enforced", "default_value": enabled},
			},
		})
	}
	filters = append(filters, routerFilter())
	listeners := []any{
		listener("egress", plan.GuardPort, []any{map[string]any{"name": "guard", "domains": []string{"*"}, "routes": []any{route}}}, filters),
		listener("metrics", plan.GuardMetricsPort, []any{map[string]any{"name": "metrics", "domains": []string{"*"}, "routes": []any{
			map[string]any{"match": map[string]any{"path": "/stats/prometheus"}, "route": map[string]any{"cluster": "admin"}},
			map[string]any{"match": map[string]any{"path": "/ready"}, "route": map[string]any{"cluster": "admin"}},
		}}}, []any{routerFilter()}),
	}
	clusters := []any{staticCluster("admin", "127.0.0.1", 9901, false, "STATIC")}
	if status == 0 {
		clusters = append(clusters, staticCluster(cluster, target.Host, target.Port, target.TLS, "LOGICAL_DNS"))
	}
	boot := map[string]any{
		"admin": map[string]any{"address": socketAddress("127.0.0.1", 9901)},
		"static_resources": map[string]any{
			"listeners": listeners,
			"clusters":  clusters,
		},
	}
	out, err := yaml.Marshal(boot)
	if err != nil {
		panic(err) // maps of strings, numbers and lists always marshal
	}
	return string(out)
}

func httpStatusText(status int) string {
	switch status {
	case 503:
		return "503: the circuit is open"
	case 403:
		return "403: calls are blocked"
	}
	return strconv.Itoa(status)
}

func socketAddress(host string, port int) map[string]any {
	return map[string]any{"socket_address": map[string]any{"address": host, "port_value": port}}
}

func routerFilter() map[string]any {
	return map[string]any{
		"name":         "envoy.filters.http.router",
		"typed_config": map[string]any{"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
	}
}

func listener(name string, port int, hosts []any, filters []any) map[string]any {
	return map[string]any{
		"name":    name,
		"address": socketAddress("0.0.0.0", port),
		"filter_chains": []any{map[string]any{"filters": []any{map[string]any{
			"name": "envoy.filters.network.http_connection_manager",
			"typed_config": map[string]any{
				"@type":        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
				"stat_prefix":  name,
				"route_config": map[string]any{"name": name, "virtual_hosts": hosts},
				"http_filters": filters,
			},
		}}}},
	}
}

// staticCluster is a cluster of one endpoint, with TLS verified against
// the image's CA bundle and the host's name when tls.
func staticCluster(name, host string, port int, tls bool, kind string) map[string]any {
	c := map[string]any{
		"name":            name,
		"type":            kind,
		"connect_timeout": "5s",
		"load_assignment": map[string]any{
			"cluster_name": name,
			"endpoints":    []any{map[string]any{"lb_endpoints": []any{map[string]any{"endpoint": map[string]any{"address": socketAddress(host, port)}}}}},
		},
	}
	if kind == "LOGICAL_DNS" {
		c["dns_lookup_family"] = "V4_PREFERRED"
	}
	if tls {
		c["transport_socket"] = map[string]any{
			"name": "envoy.transport_sockets.tls",
			"typed_config": map[string]any{
				"@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
				"sni":   host,
				"common_tls_context": map[string]any{"validation_context": map[string]any{
					"trusted_ca":                    map[string]any{"filename": "/etc/ssl/certs/ca-certificates.crt"},
					"match_typed_subject_alt_names": []any{map[string]any{"san_type": "DNS", "matcher": map[string]any{"exact": host}}},
				}},
			},
		}
	}
	return c
}

// guardNetworkPolicies let a workload's guards take its calls (and
// Prometheus's scrapes) and reach their upstream or fallback, nothing
// else: the namespace's default-deny refuses the rest.
func guardNetworkPolicies(wl *plan.Workload, ns *plan.Namespace, labels map[string]string) []any {
	tcp := corev1.ProtocolTCP
	var out []any
	policy := func(name string, pods map[string]string, types []networkingv1.PolicyType) *networkingv1.NetworkPolicy {
		np := &networkingv1.NetworkPolicy{
			TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: meta(name, ns.Name, labels),
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: pods},
				PolicyTypes: types,
			},
		}
		out = append(out, np)
		return np
	}
	port := func(n int) []networkingv1.NetworkPolicyPort {
		return []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(int32(n)))}}
	}
	to := func(t plan.GuardTarget) networkingv1.NetworkPolicyEgressRule {
		if t.Service != "" {
			return networkingv1.NetworkPolicyEgressRule{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": t.Namespace}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: t.Service}},
				}},
				Ports: port(t.Port),
			}
		}
		return networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{publicInternet()}, Ports: port(t.Port)}
	}
	ingress := []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	egress := []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	for _, u := range wl.Upstreams {
		g := u.Guard
		if g == nil {
			continue
		}
		pods := map[string]string{LabelEgress: g.Name}
		policy("allow-ingress-"+g.Name, pods, ingress).Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
			From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}}}},
			Ports: port(plan.GuardPort),
		}}
		policy("allow-scrape-"+g.Name, pods, ingress).Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
			From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ScrapeNamespace}}}},
			Ports: port(plan.GuardMetricsPort),
		}}
		policy("allow-egress-"+g.Name, map[string]string{LabelName: g.Name}, egress).Spec.Egress = []networkingv1.NetworkPolicyEgressRule{to(g.Target)}
		if x := g.Exhausted; x != nil && x.Fallback != nil {
			policy("allow-egress-"+x.Name, map[string]string{LabelName: x.Name}, egress).Spec.Egress = []networkingv1.NetworkPolicyEgressRule{to(*x.Fallback)}
		}
	}
	return out
}

// publicInternet is every address outside the private ranges.
func publicInternet() networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{
		CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"},
	}}
}

// guardAuthorization admits to a workload's guards (both pools) only the
// workload itself, by its ServiceAccount, and the Prometheus scraper.
func guardAuthorization(wl *plan.Workload, ns *plan.Namespace, labels map[string]string) []any {
	var out []any
	for _, u := range wl.Upstreams {
		g := u.Guard
		if g == nil {
			continue
		}
		policy := &securityv1.AuthorizationPolicy{
			TypeMeta:   typeMeta("security.istio.io/v1", "AuthorizationPolicy"),
			ObjectMeta: meta(g.Name, ns.Name, labels),
		}
		spec := &policy.Spec
		spec.Selector = &typev1beta1.WorkloadSelector{MatchLabels: map[string]string{LabelEgress: g.Name}}
		spec.Action = securityv1api.AuthorizationPolicy_ALLOW
		spec.Rules = []*securityv1api.Rule{{
			From: []*securityv1api.Rule_From{{Source: &securityv1api.Source{Principals: []string{TrustDomain + "/ns/" + ns.Name + "/sa/" + wl.Name}}}},
			To:   []*securityv1api.Rule_To{{Operation: &securityv1api.Operation{Ports: []string{strconv.Itoa(plan.GuardPort)}}}},
		}, {
			From: []*securityv1api.Rule_From{{Source: &securityv1api.Source{Namespaces: []string{ScrapeNamespace}}}},
			To:   []*securityv1api.Rule_To{{Operation: &securityv1api.Operation{Ports: []string{strconv.Itoa(plan.GuardMetricsPort)}}}},
		}}
		out = append(out, policy)
	}
	return out
}

// guardEnv gives a workload the URLs of its guards.
func guardEnv(wl *plan.Workload) []corev1.EnvVar {
	var env []corev1.EnvVar
	for _, u := range wl.Upstreams {
		if g := u.Guard; g != nil {
			env = append(env, corev1.EnvVar{Name: g.Env, Value: g.URL})
		}
	}
	return env
}
