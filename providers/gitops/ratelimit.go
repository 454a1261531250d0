package gitops

import (
	"fmt"
	"strings"

	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platc-dev/platc/compiler/plan"
)

// A route's rate limit is enforced by the gateway implementation the
// platform names (plan.RateLimitGap says which it can enforce):
//
//   - envoy-gateway: a BackendTrafficPolicy on the route rule (section);
//   - kong: a KongPlugin rate-limiting on the rule, through an
//     ExtensionRef filter;
//   - nginx (NGINX Gateway Fabric): a SnippetsFilter on the rule, through
//     an ExtensionRef filter, with limit_req_zone (http) and limit_req
//     (location). NGINX Gateway Fabric reads SnippetsFilters only when
//     they are enabled (snippetsFilters.enable in its Helm chart).

// kongPlugin is Kong's configuration.konghq.com/v1 KongPlugin. Kong's Go
// API (github.com/kong/kubernetes-configuration) brings Kong's SDKs with
// it, so this is a local struct, validated against the CRD in that
// module's zip by TestRenderedTreeIsAcceptedByAPIServer.
type kongPlugin struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Plugin            string         `json:"plugin"`
	Config            map[string]any `json:"config"`
}

// snippetsFilter is NGINX Gateway Fabric's gateway.nginx.org/v1alpha1
// SnippetsFilter. The module the proxy serves (github.com/nginxinc/
// nginx-gateway-fabric v1.6.2) declares another module path, so it cannot
// be imported; this local struct is validated against its CRD.
type snippetsFilter struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              snippetsFilterSpec `json:"spec"`
}

type snippetsFilterSpec struct {
	Snippets []nginxSnippet `json:"snippets"`
}

type nginxSnippet struct {
	Context string `json:"context"`
	Value   string `json:"value"`
}

// rateLimiter is what enforces one route rule's rate limit: the objects,
// and the filter the rule needs to use them (nil when the object targets
// the rule itself).
func rateLimiter(p *plan.Plan, wl *plan.Workload, ns *plan.Namespace, labels map[string]string, i int, rl *plan.RateLimit) ([]any, *gwv1.HTTPRouteFilter) {
	impl := p.Platform.Gateway.Implementation
	if rl == nil || plan.RateLimitGap(impl, rl) != "" {
		return nil, nil
	}
	name := fmt.Sprintf("%s-route-%d", wl.Name, i)
	switch impl {
	case "envoy-gateway":
		section := gwv1.SectionName("route-" + fmt.Sprint(i))
		rule := egv1a1.RateLimitRule{Limit: egv1a1.RateLimitValue{Requests: uint32(rl.Requests + rl.Burst), Unit: egv1a1.RateLimitUnit(rl.Unit)}}
		switch rl.By {
		case "client-ip":
			rule.ClientSelectors = []egv1a1.RateLimitSelectCondition{{SourceCIDR: &egv1a1.SourceMatch{Type: ptr.To(egv1a1.SourceMatchDistinct), Value: "0.0.0.0/0"}}}
		case "header":
			rule.ClientSelectors = []egv1a1.RateLimitSelectCondition{{Headers: []egv1a1.HeaderMatch{{Name: rl.Header, Type: ptr.To(egv1a1.HeaderMatchDistinct)}}}}
		}
		return []any{&egv1a1.BackendTrafficPolicy{
			TypeMeta:   typeMeta("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"),
			ObjectMeta: meta(name, ns.Name, labels),
			Spec: egv1a1.BackendTrafficPolicySpec{
				PolicyTargetReferences: egv1a1.PolicyTargetReferences{TargetRefs: []gwv1.LocalPolicyTargetReferenceWithSectionName{{
					LocalPolicyTargetReference: gwv1.LocalPolicyTargetReference{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute", Name: gwv1.ObjectName(wl.Name)},
					SectionName:                &section,
				}}},
				RateLimit: &egv1a1.RateLimitSpec{Type: ptr.To(egv1a1.LocalRateLimitType), Local: &egv1a1.LocalRateLimit{Rules: []egv1a1.RateLimitRule{rule}}},
			},
		}}, nil
	case "kong":
		// Kong counts fixed windows and has no burst: the window allows
		// the steady rate plus the burst, as Envoy's token bucket does.
		config := map[string]any{
			strings.ToLower(rl.Unit): rl.Requests + rl.Burst,
			"policy":                 "local",
			"error_code":             429,
		}
		switch rl.By {
		case "client-ip":
			config["limit_by"] = "ip"
		case "header":
			config["limit_by"] = "header"
			config["header_name"] = rl.Header
		default: // global: one count for the rule, which is a Kong service
			config["limit_by"] = "service"
		}
		name += "-rate-limit"
		return []any{&kongPlugin{
				TypeMeta:   typeMeta("configuration.konghq.com/v1", "KongPlugin"),
				ObjectMeta: meta(name, ns.Name, labels),
				Plugin:     "rate-limiting",
				Config:     config,
			}}, &gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterExtensionRef, ExtensionRef: &gwv1.LocalObjectReference{
				Group: "configuration.konghq.com", Kind: "KongPlugin", Name: gwv1.ObjectName(name),
			}}
	case "nginx":
		// A leaky bucket at the steady rate with the burst on top,
		// answered 429 as the other gateways do. Zones are global to
		// NGINX, so the name carries the namespace.
		zone := strings.NewReplacer("-", "_", ".", "_").Replace("platc_" + ns.Name + "_" + name)
		rate := fmt.Sprintf("%dr/s", rl.Requests)
		switch rl.Unit {
		case "Minute":
			rate = fmt.Sprintf("%dr/m", rl.Requests)
		case "Hour":
			rate = fmt.Sprintf("%dr/m", rl.Requests/60)
		}
		key := "$binary_remote_addr"
		switch rl.By {
		case "header":
			key = "$http_" + strings.ReplaceAll(strings.ToLower(rl.Header), "-", "_")
		case "global":
			key = "global"
		}
		name += "-rate-limit"
		return []any{&snippetsFilter{
				TypeMeta:   typeMeta("gateway.nginx.org/v1alpha1", "SnippetsFilter"),
				ObjectMeta: meta(name, ns.Name, labels),
				Spec: snippetsFilterSpec{Snippets: []nginxSnippet{
					{Context: "http", Value: fmt.Sprintf("limit_req_zone %s zone=%s:10m rate=%s;", key, zone, rate)},
					{Context: "http.server.location", Value: fmt.Sprintf("limit_req zone=%s burst=%d nodelay; limit_req_status 429;", zone, rl.Burst)},
				}},
			}}, &gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterExtensionRef, ExtensionRef: &gwv1.LocalObjectReference{
				Group: "gateway.nginx.org", Kind: "SnippetsFilter", Name: gwv1.ObjectName(name),
			}}
	}
	return nil, nil
}
