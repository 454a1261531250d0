package plan

import (
	"fmt"
	"regexp"
)

// nginxHeaderRE: a header NGINX can read as the variable $http_<name>
// (lower case, dashes as underscores).
var nginxHeaderRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// RateLimitGap says why the gateway implementation cannot enforce the
// route's rate limit as declared, or "" when it can:
//
//   - envoy-gateway: a BackendTrafficPolicy with a local rate limit;
//   - kong: a KongPlugin rate-limiting (policy local) on the route rule;
//   - nginx (NGINX Gateway Fabric): a SnippetsFilter with limit_req_zone
//     and limit_req on the route rule. NGINX counts per second or per
//     minute only, and reads a header as a variable;
//   - istio: nothing. Istio has no rate-limit API for Gateway API routes;
//     a local rate limit is an EnvoyFilter patch on the route names Istio
//     generates, which no API promises.
//
// The built-in not-delivered policy reports the same cases
// (policies/not_delivered.rego); TestRateLimitsMatchNotDelivered keeps the
// two in step.
func RateLimitGap(implementation string, rl *RateLimit) string {
	switch implementation {
	case "envoy-gateway", "kong":
		return ""
	case "nginx":
		if rl.Unit == "Hour" && rl.Requests%60 != 0 {
			return fmt.Sprintf("NGINX counts requests per second or per minute, and %d per hour is no whole number per minute", rl.Requests)
		}
		if rl.By == "header" && !nginxHeaderRE.MatchString(rl.Header) {
			return fmt.Sprintf("NGINX reads a header as a variable, which cannot name the header %q", rl.Header)
		}
		return ""
	}
	return fmt.Sprintf("%s has no rate-limit API for Gateway API routes", implementation)
}
