# METADATA
# title: API rate limits and budgets
# description: >-
#   Fragile APIs are a pitfall of the source document: a route without a
#   rate limit lets one client exhaust a service, and a paid API without a
#   budget turns a traffic spike into an invoice. Its counter-measures are
#   rate limits at the gateway and budget guardrails that degrade,
#   circuit-break or block when the money runs out. Every route must have a
#   rate limit, its own or its service's; every paid upstream of a service
#   must have a budget with an action on exhaustion; every paid integration
#   must have a budget.
# custom:
#   id: api-rate-limits
package platc.builtin.api_rate_limits

import rego.v1

import data.platc.lib.spec

rule_id := "api-rate-limits"

budget_action(x) := spec.get(x, ["budget", "onExhausted"], "")

# The first two rules are about every service: they start from the service
# indexes of lib/spec.rego (services_without_rate_limit, paid_upstreams) and look
# closer only at the services these leave; see the notes there.

deny contains finding if {
	svcs := spec.services
	some name in spec.services_without_rate_limit
	some i, route in svcs[name].routes
	not is_object(object.get(route, "rateLimit", null))
	finding := {
		"msg": sprintf("route %s%s of service %s has no rate limit, and the service has none to fall back on", [spec.get(route, "host", ""), spec.get(route, "path", ""), name]),
		"path": ["services", name, "routes", i],
		"rule": rule_id,
		"hint": "set rateLimit on the route or on the service: {requests: 100, per: \"second\"}",
	}
}

deny contains finding if {
	svcs := spec.services
	some [name, upstream_name] in spec.paid_upstreams
	upstream := svcs[name].upstreams[upstream_name]
	budget_action(upstream) == ""
	finding := {
		"msg": sprintf("paid upstream %s of service %s has no budget guardrail saying what happens when the money runs out", [upstream_name, name]),
		"path": ["services", name, "upstreams", upstream_name],
		"rule": rule_id,
		"hint": "set budget: {amount: …, onExhausted: \"degrade\" | \"circuit-break\" | \"block\"} (degrade needs a fallback)",
	}
}

deny contains finding if {
	some name, integration in spec.integrations
	spec.get(integration, "paid", false) == true
	not is_object(spec.get(integration, "budget", null))
	finding := {
		"msg": sprintf("paid integration %s has no budget guardrail", [name]),
		"path": ["integrations", name],
		"rule": rule_id,
		"hint": "set budget: {amount: …, onExhausted: \"degrade\" | \"circuit-break\" | \"block\"}",
	}
}
