package platc.builtin.api_rate_limits_test

import rego.v1

import data.platc.builtin.api_rate_limits

limit := {"requests": 100, "per": "second", "burst": 0, "by": "client-ip"}

budget := {"amount": 1000, "currency": "USD", "period": "month", "alertAt": 80, "onExhausted": "circuit-break"}

base := {
	"services": {
		"cart": {
			"name": "cart", "team": "shop", "kind": "api",
			"routes": [
				{"host": "shop.example", "path": "/api/cart", "methods": ["POST"], "rateLimit": limit},
				{"host": "shop.example", "path": "/api/orders", "methods": ["GET"]},
			],
			"rateLimit": limit,
			"upstreams": {"fraud": {"name": "fraud", "paid": true, "budget": budget}, "maps": {"name": "maps", "paid": false}},
		},
		"search": {
			"name": "search", "team": "shop", "kind": "api",
			"routes": [{"path": "/v1/search", "methods": ["GET"], "rateLimit": limit}],
			"upstreams": {},
		},
	},
	"integrations": {
		"crm": {"name": "crm", "kind": "saas", "paid": true, "budget": budget},
		"erp": {"name": "erp", "kind": "legacy", "paid": false},
	},
	"kpis": {},
}

test_limited_and_budgeted if {
	count(api_rate_limits.deny) == 0 with input as base
}

test_route_without_rate_limit if {
	inp := json.patch(base, [{"op": "add", "path": "/services/search/routes/-", "value": {"path": "/v1/suggest", "methods": ["GET"]}}])
	api_rate_limits.deny == {{
		"msg": "route /v1/suggest of service search has no rate limit, and the service has none to fall back on",
		"path": ["services", "search", "routes", 1],
		"rule": "api-rate-limits",
		"hint": "set rateLimit on the route or on the service: {requests: 100, per: \"second\"}",
	}} with input as inp
}

test_paid_upstream_without_budget if {
	inp := json.patch(base, [{"op": "remove", "path": "/services/cart/upstreams/fraud/budget"}])
	api_rate_limits.deny == {{
		"msg": "paid upstream fraud of service cart has no budget guardrail saying what happens when the money runs out",
		"path": ["services", "cart", "upstreams", "fraud"],
		"rule": "api-rate-limits",
		"hint": "set budget: {amount: …, onExhausted: \"degrade\" | \"circuit-break\" | \"block\"} (degrade needs a fallback)",
	}} with input as inp
}

test_paid_upstream_budget_without_action if {
	inp := json.patch(base, [{"op": "remove", "path": "/services/cart/upstreams/fraud/budget/onExhausted"}])
	api_rate_limits.deny == {{
		"msg": "paid upstream fraud of service cart has no budget guardrail saying what happens when the money runs out",
		"path": ["services", "cart", "upstreams", "fraud"],
		"rule": "api-rate-limits",
		"hint": "set budget: {amount: …, onExhausted: \"degrade\" | \"circuit-break\" | \"block\"} (degrade needs a fallback)",
	}} with input as inp
}

test_paid_integration_without_budget if {
	inp := object.union(base, {"integrations": {"erp": {"paid": true}}})
	api_rate_limits.deny == {{
		"msg": "paid integration erp has no budget guardrail",
		"path": ["integrations", "erp"],
		"rule": "api-rate-limits",
		"hint": "set budget: {amount: …, onExhausted: \"degrade\" | \"circuit-break\" | \"block\"}",
	}} with input as inp
}
