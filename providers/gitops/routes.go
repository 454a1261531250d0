package gitops

import (
	"fmt"
	"strconv"

	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platc-dev/platc/compiler/plan"
	"k8s.io/utils/ptr"
)

// routes writes an HTTPRoute per routed workload (a rule per declared
// route) and, for Envoy Gateway, a BackendTrafficPolicy per route rule
// carrying its rate limit: local rate limiting, shared by all clients or
// per client IP or header as the spec says.
func routes(p *plan.Plan, wl *plan.Workload, ns *plan.Namespace, labels map[string]string) []any {
	if len(wl.Routes) == 0 {
		return nil
	}
	gw := p.Platform.Gateway
	route := &gwv1.HTTPRoute{
		TypeMeta:   typeMeta("gateway.networking.k8s.io/v1", "HTTPRoute"),
		ObjectMeta: meta(wl.Name, ns.Name, labels),
		Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{
				Name: gwv1.ObjectName(gw.Name), Namespace: ptr.To(gwv1.Namespace(gw.Namespace)),
			}}},
		},
	}
	hosts := map[string]bool{}
	for _, r := range wl.Routes {
		if r.Host != "" && !hosts[r.Host] {
			hosts[r.Host] = true
			route.Spec.Hostnames = append(route.Spec.Hostnames, gwv1.Hostname(r.Host))
		}
	}
	if len(route.Spec.Hostnames) == 0 {
		for _, h := range gw.Hostnames {
			route.Spec.Hostnames = append(route.Spec.Hostnames, gwv1.Hostname(h))
		}
	}
	for i, r := range wl.Routes {
		rule := gwv1.HTTPRouteRule{
			Name: ptr.To(gwv1.SectionName("route-" + strconv.Itoa(i))),
			BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
				Name: gwv1.ObjectName(wl.Name), Port: ptr.To(gwv1.PortNumber(wl.Port)),
			}}}},
		}
		methods := r.Methods
		if len(methods) == 0 {
			methods = []string{""}
		}
		for _, m := range methods {
			match := gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(r.Path)}}
			if m != "" {
				match.Method = ptr.To(gwv1.HTTPMethod(m))
			}
			rule.Matches = append(rule.Matches, match)
		}
		if r.TimeoutSeconds > 0 {
			rule.Timeouts = &gwv1.HTTPRouteTimeouts{Request: ptr.To(gatewayDuration(r.TimeoutSeconds))}
		}
		route.Spec.Rules = append(route.Spec.Rules, rule)
	}
	out := []any{route}
	if gw.Implementation != "envoy-gateway" {
		return out
	}
	for i, r := range wl.Routes {
		if r.RateLimit == nil {
			continue
		}
		section := gwv1.SectionName("route-" + strconv.Itoa(i))
		rl := r.RateLimit
		rule := egv1a1.RateLimitRule{Limit: egv1a1.RateLimitValue{Requests: uint32(rl.Requests + rl.Burst), Unit: egv1a1.RateLimitUnit(rl.Unit)}}
		switch rl.By {
		case "client-ip":
			rule.ClientSelectors = []egv1a1.RateLimitSelectCondition{{SourceCIDR: &egv1a1.SourceMatch{Type: ptr.To(egv1a1.SourceMatchDistinct), Value: "0.0.0.0/0"}}}
		case "header":
			rule.ClientSelectors = []egv1a1.RateLimitSelectCondition{{Headers: []egv1a1.HeaderMatch{{Name: rl.Header, Type: ptr.To(egv1a1.HeaderMatchDistinct)}}}}
		}
		out = append(out, &egv1a1.BackendTrafficPolicy{
			TypeMeta:   typeMeta("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"),
			ObjectMeta: meta(fmt.Sprintf("%s-route-%d", wl.Name, i), ns.Name, labels),
			Spec: egv1a1.BackendTrafficPolicySpec{
				PolicyTargetReferences: egv1a1.PolicyTargetReferences{TargetRefs: []gwv1.LocalPolicyTargetReferenceWithSectionName{{
					LocalPolicyTargetReference: gwv1.LocalPolicyTargetReference{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute", Name: gwv1.ObjectName(wl.Name)},
					SectionName:                &section,
				}}},
				RateLimit: &egv1a1.RateLimitSpec{Type: ptr.To(egv1a1.LocalRateLimitType), Local: &egv1a1.LocalRateLimit{Rules: []egv1a1.RateLimitRule{rule}}},
			},
		})
	}
	return out
}

// gatewayDuration writes seconds in Gateway API's duration format
// (^([0-9]{1,5}(h|m|s|ms)){1,4}$): whole seconds, or milliseconds.
func gatewayDuration(seconds float64) gwv1.Duration {
	ms := int64(seconds*1000 + 0.5)
	if ms%1000 == 0 {
		return gwv1.Duration(fmt.Sprintf("%ds", ms/1000))
	}
	return gwv1.Duration(fmt.Sprintf("%dms", ms))
}
