package platc.builtin.not_delivered_test

import rego.v1

import data.platc.builtin.not_delivered

# A spec that declares nothing platc cannot deliver.
delivered := {
	"platform": {
		"gateway": {"implementation": "envoy-gateway"},
		"supplyChain": {"verify": {"enforce": [], "policyEngine": "kyverno"}},
	},
	"environments": {"prod": {"name": "prod", "tier": "prod", "cluster": {"mesh": "none"}, "pools": {"general": {"cpu": 8, "nodes": {"min": 1, "max": 2}}}}},
	"services": {"api": {"name": "api", "routes": [{"path": "/", "rateLimit": {"requests": 10, "per": "second"}}], "environments": {"prod": {"replicas": 2, "autoscaling": {"min": 2, "max": 4, "targetCPU": 70}}}}},
	"integrations": {"crm": {"name": "crm", "kind": "saas"}},
	"models": {"ranker": {"name": "ranker", "promotion": {"strategy": "rolling"}}},
	"data": {"pipelines": {"etl": {"name": "etl", "mode": "batch"}}},
}

paths(findings) := {f.path | some f in findings}

test_delivered_spec_has_no_warning if {
	count(not_delivered.warn) == 0 with input as delivered
}

test_each_undelivered_field_warns_at_its_path if {
	inp := json.patch(delivered, [
		{"op": "replace", "path": "/environments/prod/cluster/mesh", "value": "istio"},
		{"op": "replace", "path": "/platform/supplyChain/verify/enforce", "value": ["prod", "staging"]},
		{"op": "add", "path": "/integrations/crm/secretRef", "value": "crm/token"},
		{"op": "add", "path": "/integrations/crm/budget", "value": {"amount": 100, "onExhausted": "block"}},
		{"op": "add", "path": "/services/api/upstreams", "value": {"llm": {"rateLimit": {"requests": 5, "per": "second"}, "budget": {"amount": 10, "onExhausted": "degrade", "fallback": "small"}}}},
		{"op": "add", "path": "/platform/observability", "value": {"metrics": "prometheus", "logs": "loki", "traces": "tempo", "alertmanager": {"receiver": "oncall"}}},
		{"op": "add", "path": "/events", "value": {"bus": {"kind": "kafka"}, "topics": {"orders": {"name": "orders"}}}},
		{"op": "add", "path": "/data/pipelines/etl/schedule", "value": "0 * * * *"},
		{"op": "add", "path": "/models/ranker/retraining", "value": {"trigger": "drift"}},
		{"op": "replace", "path": "/models/ranker/promotion", "value": {"strategy": "shadow"}},
		{"op": "replace", "path": "/environments/prod/pools/general/nodes/max", "value": 2},
		{"op": "add", "path": "/environments/prod/pools/general/nodes/burst", "value": 4},
		{"op": "add", "path": "/services/api/environments/prod/autoscaling/targetGPU", "value": 60},
	])
	found := not_delivered.warn with input as inp
	paths(found) == {
		["environments", "prod", "cluster", "mesh"],
		["platform", "supplyChain", "verify", "enforce"],
		["integrations", "crm", "secretRef"],
		["integrations", "crm", "budget", "onExhausted"],
		["services", "api", "upstreams", "llm", "rateLimit"],
		["services", "api", "upstreams", "llm", "budget", "onExhausted"],
		["platform", "observability"],
		["platform", "observability", "alertmanager", "receiver"],
		["events", "bus"],
		["data", "pipelines", "etl"],
		["models", "ranker", "retraining"],
		["models", "ranker", "promotion"],
		["environments", "prod", "pools"],
		["services", "api", "environments", "prod", "autoscaling", "targetGPU"],
	}
}

test_enforcement_only_in_declared_tiers if {
	inp := json.patch(delivered, [{"op": "replace", "path": "/platform/supplyChain/verify/enforce", "value": ["staging"]}])
	count(not_delivered.warn) == 0 with input as inp
}

test_rate_limits_on_another_gateway if {
	inp := json.patch(delivered, [{"op": "replace", "path": "/platform/gateway/implementation", "value": "kong"}])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.path == ["platform", "gateway", "implementation"]
	f.msg == "the rate limits of 1 services (api) are not delivered on the kong gateway: platc renders rate limits for envoy-gateway only"
}

test_rolling_promotion_is_the_rollout if {
	inp := json.patch(delivered, [{"op": "add", "path": "/models/ranker/promotion/approval", "value": "@lead"}])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.msg == "model ranker: promotion (rolling, approval by @lead) is not delivered: platc renders no canary, shadow or approval step for a new model version"
}
