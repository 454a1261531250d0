package gitops

import (
	"slices"
	"strconv"

	securityv1api "istio.io/api/security/v1"
	typev1beta1 "istio.io/api/type/v1beta1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/platc-dev/platc/compiler/plan"
)

// Meshes platc renders the objects of. Linkerd's policy CRDs are in no
// module served here; the built-in not-delivered policy reports it.
const (
	MeshIstio = "istio"
	// ScrapeNamespace is where Prometheus runs: it may scrape every
	// workload.
	ScrapeNamespace = "monitoring"
	// TrustDomain is the mesh's SPIFFE trust domain (Istio's default).
	TrustDomain = "cluster.local"
)

// serviceAccount is a workload's own identity: the mesh authorises
// callers by it. It mounts no API token; nothing platc renders calls the
// Kubernetes API.
func serviceAccount(wl *plan.Workload, ns *plan.Namespace, labels map[string]string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     typeMeta("v1", "ServiceAccount"),
		ObjectMeta:                   meta(wl.Name, ns.Name, labels),
		AutomountServiceAccountToken: ptr.To(false),
	}
}

// meshNamespaceLabels are the labels that put a team's namespace in the
// environment's mesh.
func meshNamespaceLabels(env *plan.Environment) map[string]string {
	if env.Cluster.Mesh == MeshIstio {
		return map[string]string{"istio-injection": "enabled"}
	}
	return nil
}

// meshPolicies are a team's mesh objects: with Cilium see
// ciliumPolicies; with Istio, mutual TLS required for every workload of the namespace, and per
// workload an AuthorizationPolicy that admits only the callers the spec
// declares (by their ServiceAccounts' SPIFFE principals), the gateway of
// a routed workload and the Prometheus scraper (by namespace, which Istio
// takes from the peer's certificate too). A workload nobody may call (a
// job) gets a policy with no rules, which admits nothing.
func meshPolicies(p *plan.Plan, env *plan.Environment, callers map[string][][2]string, ns *plan.Namespace, labels map[string]string) []any {
	switch env.Cluster.Mesh {
	case MeshCilium:
		return ciliumPolicies(p, callers, ns, labels)
	case MeshIstio:
	default:
		return nil
	}
	peer := &securityv1.PeerAuthentication{
		TypeMeta:   typeMeta("security.istio.io/v1", "PeerAuthentication"),
		ObjectMeta: meta("default", ns.Name, labels),
	}
	peer.Spec.Mtls = &securityv1api.PeerAuthentication_MutualTLS{Mode: securityv1api.PeerAuthentication_MutualTLS_STRICT}
	out := []any{peer}
	for _, wl := range ns.Workloads {
		policy := &securityv1.AuthorizationPolicy{
			TypeMeta:   typeMeta("security.istio.io/v1", "AuthorizationPolicy"),
			ObjectMeta: meta(wl.Name, ns.Name, labels),
		}
		spec := &policy.Spec // a protobuf message: filled in place, never copied
		spec.Selector = &typev1beta1.WorkloadSelector{MatchLabels: map[string]string{LabelName: wl.Name}}
		spec.Action = securityv1api.AuthorizationPolicy_ALLOW
		if !wl.RunsToCompletion() {
			to := []*securityv1api.Rule_To{{Operation: &securityv1api.Operation{Ports: []string{strconv.Itoa(wl.Port)}}}}
			var principals []string
			for _, c := range callers[ns.Name+"/"+wl.Service] {
				principals = append(principals, TrustDomain+"/ns/"+c[0]+"/sa/"+c[1])
			}
			slices.Sort(principals)
			if principals = slices.Compact(principals); len(principals) > 0 {
				spec.Rules = append(spec.Rules, &securityv1api.Rule{
					From: []*securityv1api.Rule_From{{Source: &securityv1api.Source{Principals: principals}}},
					To:   to,
				})
			}
			sources := []string{ScrapeNamespace}
			if len(wl.Routes) > 0 {
				sources = append(sources, p.Platform.Gateway.Namespace)
			}
			slices.Sort(sources)
			spec.Rules = append(spec.Rules, &securityv1api.Rule{
				From: []*securityv1api.Rule_From{{Source: &securityv1api.Source{Namespaces: slices.Compact(sources)}}},
				To:   to,
			})
		}
		out = append(out, policy)
		out = append(out, guardAuthorization(wl, ns, labels)...)
	}
	return out
}

// MeshCilium renders CiliumNetworkPolicies that require mutual
// authentication.
const MeshCilium = "cilium"

// ciliumNetworkPolicy is Cilium's cilium.io/v2 CiliumNetworkPolicy. Its Go
// type lives among the Cilium agent's packages (the whole of
// github.com/cilium/cilium), so this is a local struct, validated against
// the CRD in that module's zip by TestRenderedTreeIsAcceptedByAPIServer.
type ciliumNetworkPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ciliumPolicySpec `json:"spec"`
}

type ciliumPolicySpec struct {
	EndpointSelector metav1.LabelSelector `json:"endpointSelector"`
	Ingress          []ciliumIngressRule  `json:"ingress"`
}

type ciliumIngressRule struct {
	FromEndpoints  []metav1.LabelSelector `json:"fromEndpoints"`
	ToPorts        []ciliumPortRule       `json:"toPorts"`
	Authentication ciliumAuthentication   `json:"authentication"`
}

type ciliumPortRule struct {
	Ports []ciliumPort `json:"ports"`
}

type ciliumPort struct {
	Port     string `json:"port"`
	Protocol string `json:"protocol"`
}

type ciliumAuthentication struct {
	Mode string `json:"mode"`
}

// ciliumNamespaceLabel is how Cilium labels an endpoint with its pod's
// namespace.
const ciliumNamespaceLabel = "k8s:io.kubernetes.pod.namespace"

// ciliumPolicies are a team's mesh objects in an environment with Cilium:
// per serving workload a CiliumNetworkPolicy that admits its port from
// the declared callers, the gateway of a routed workload and the scraper,
// each with mutual authentication required (Cilium's SPIFFE-based mutual
// auth, which needs its SPIRE integration enabled). Jobs take no traffic:
// the namespace's default-deny NetworkPolicy already refuses it.
func ciliumPolicies(p *plan.Plan, callers map[string][][2]string, ns *plan.Namespace, labels map[string]string) []any {
	var out []any
	for _, wl := range ns.Workloads {
		if wl.RunsToCompletion() {
			continue
		}
		ports := []ciliumPortRule{{Ports: []ciliumPort{{Port: strconv.Itoa(wl.Port), Protocol: "TCP"}}}}
		required := ciliumAuthentication{Mode: "required"}
		var rules []ciliumIngressRule
		var from []metav1.LabelSelector
		for _, c := range callers[ns.Name+"/"+wl.Service] {
			from = append(from, metav1.LabelSelector{MatchLabels: map[string]string{ciliumNamespaceLabel: c[0], LabelName: c[1]}})
		}
		if len(from) > 0 {
			rules = append(rules, ciliumIngressRule{FromEndpoints: from, ToPorts: ports, Authentication: required})
		}
		sources := []string{ScrapeNamespace}
		if len(wl.Routes) > 0 {
			sources = append(sources, p.Platform.Gateway.Namespace)
		}
		slices.Sort(sources)
		from = nil
		for _, src := range slices.Compact(sources) {
			from = append(from, metav1.LabelSelector{MatchLabels: map[string]string{ciliumNamespaceLabel: src}})
		}
		rules = append(rules, ciliumIngressRule{FromEndpoints: from, ToPorts: ports, Authentication: required})
		out = append(out, &ciliumNetworkPolicy{
			TypeMeta:   typeMeta("cilium.io/v2", "CiliumNetworkPolicy"),
			ObjectMeta: meta(wl.Name, ns.Name, labels),
			Spec: ciliumPolicySpec{
				EndpointSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelName: wl.Name}},
				Ingress:          rules,
			},
		})
	}
	return out
}
