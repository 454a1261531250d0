package gitops

import (
	"fmt"
	"strconv"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platc-dev/platc/compiler/plan"
	"k8s.io/utils/ptr"
)

// routes writes an HTTPRoute per routed workload (a rule per declared
// route) and what enforces each rule's rate limit on the platform's
// gateway (rateLimiter): local rate limiting, shared by all clients or
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
	var limiters []any
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
		objs, filter := rateLimiter(p, wl, ns, labels, i, r.RateLimit)
		limiters = append(limiters, objs...)
		if filter != nil {
			rule.Filters = append(rule.Filters, *filter)
		}
		route.Spec.Rules = append(route.Spec.Rules, rule)
	}
	return append([]any{route}, limiters...)
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
