package platc.lib.capabilities_test

import rego.v1

import data.platc.lib.capabilities

limit := {"requests": 10, "per": "second", "burst": 0, "by": "client-ip"}

# full has every capability of the schema's #Capability.
full := {
	"platform": {
		"name": "shop",
		"gitops": {"engine": "argocd", "repo": "https://github.com/shop/gitops.git"},
		"pulumi": {"project": "shop", "secretsProvider": "passphrase"},
		"supplyChain": {"signing": {"tool": "cosign", "keyless": true}, "verify": {"enforce": ["prod"]}},
		"observability": {"metrics": "prometheus", "logs": "loki", "traces": "jaeger"},
	},
	"environments": {"prod": {"name": "prod", "tier": "prod", "pools": {
		"general": {"name": "general", "cpu": 64, "memory": 1, "gpus": {}},
		"gpu": {"name": "gpu", "cpu": 64, "memory": 1, "gpus": {"l4": {"model": "l4", "count": 4, "burst": 0}}},
	}}},
	"teams": {"shop": {"name": "shop", "onCall": "@shop", "quotas": {"prod": {"priority": "high", "gpus": {"l4": {"model": "l4", "reserved": 2, "borrowingLimit": 2}}}}}},
	"services": {
		"cart": {
			"name": "cart", "team": "shop", "kind": "api", "signed": true,
			"environments": {"prod": {"replicas": 1, "autoscaling": {"min": 2, "max": 6}}},
			"routes": [{"path": "/cart", "methods": ["GET"], "rateLimit": limit}, {"path": "/orders", "methods": ["GET"]}],
			"rateLimit": limit,
			"upstreams": {"fraud": {"name": "fraud", "paid": true, "budget": {"amount": 10, "onExhausted": "block"}}},
			"slos": {"availability": {"name": "availability", "kind": "availability", "objective": 99.9}},
			"rollout": {"strategy": "canary", "steps": [10, 100], "autoRollback": true},
		},
		"trainer": {
			"name": "trainer", "team": "shop", "kind": "training", "signed": true,
			"environments": {"prod": {"replicas": 1, "queue": true}},
			"routes": [], "upstreams": {}, "slos": {},
			"rollout": {"strategy": "rolling", "steps": [], "autoRollback": false},
		},
	},
	"integrations": {"crm": {"name": "crm", "kind": "saas", "paid": true, "budget": {"amount": 10, "onExhausted": "circuit-break"}}},
	"events": {"bus": {"kind": "kafka"}, "topics": {"orders.created": {"name": "orders.created", "owner": "shop"}}},
	"data": {
		"lakehouse": {"format": "iceberg", "bucket": "shop-lake", "owner": "shop"},
		"catalog": {"tool": "datahub"},
		"datasets": {"orders": {"name": "orders", "lineage": {"upstreams": ["topic/orders.created"]}}},
		"pipelines": {
			"orders-realtime": {"name": "orders-realtime", "mode": "stream"},
			"daily": {"name": "daily", "mode": "batch", "schedule": "0 3 * * *"},
		},
	},
	"models": {"ranker": {
		"name": "ranker", "team": "shop", "service": "cart",
		"drift": {"ctr": {"name": "ctr", "metric": "ctr", "baseline": "b", "threshold": 0.1}},
		"retraining": {"trigger": "drift", "evaluation": {"metric": "ndcg", "threshold": 0.3}},
	}},
	"kpis": {},
}

all_capabilities := {
	"gpu-kubernetes", "gitops", "iac-templates", "signed-images", "mixed-scheduling",
	"lakehouse", "streaming-pipelines", "batch-pipelines", "data-catalog",
	"api-gateway", "smart-routing", "rate-limits", "budget-guardrails",
	"unified-observability", "slos", "auto-rollback", "auto-failover",
	"event-bus", "drift-detection", "auto-retraining", "gpu-quotas", "gpu-borrowing",
}

test_full_spec_has_every_capability if {
	capabilities.declared == all_capabilities with input as full
}

# What platc does not render yet is declared, not had (lib/delivery.rego).
test_full_spec_has_what_is_delivered if {
	capabilities.has == all_capabilities - {"signed-images", "event-bus", "unified-observability", "auto-retraining", "budget-guardrails"} with input as full
}

test_empty_spec_has_none if {
	count(capabilities.declared) == 0 with input as {"kpis": {}}
}

test_gpu_kubernetes_and_mixed_scheduling_need_gpus if {
	inp := json.patch(full, [{"op": "replace", "path": "/environments/prod/pools/gpu/gpus/l4/count", "value": 0}])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"gpu-kubernetes", "mixed-scheduling"}
}

test_mixed_scheduling_needs_a_cpu_pool if {
	inp := json.patch(full, [{"op": "remove", "path": "/environments/prod/pools/general"}])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"mixed-scheduling"}
}

test_rate_limits_need_a_limit_on_every_route if {
	inp := json.patch(full, [{"op": "remove", "path": "/services/cart/rateLimit"}])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"rate-limits"}
}

test_budget_guardrails_need_every_paid_api_budgeted if {
	inp := json.patch(full, [{"op": "remove", "path": "/integrations/crm/budget"}])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"budget-guardrails"}
}

# A budget counts once its egress guard acts on it: the upstream needs a
# url for that.
test_budget_guardrails_delivered_through_guards if {
	inp := json.patch(full, [
		{"op": "add", "path": "/services/cart/upstreams/fraud/url", "value": "https://fraud.example"},
		{"op": "add", "path": "/integrations/crm/url", "value": "https://crm.example"},
	])
	"budget-guardrails" in capabilities.has with input as inp
	"budget-guardrails" in capabilities.declared with input as inp
}

test_slos_on_every_serving_service if {
	inp := json.patch(full, [{"op": "replace", "path": "/services/cart/slos", "value": {}}])
	missing := all_capabilities - capabilities.declared with input as inp

	# Without an SLO a rollout has nothing to be rolled back on.
	missing == {"slos", "unified-observability", "auto-rollback"}
}

test_auto_rollback_and_signing_of_prod_services if {
	inp := json.patch(full, [
		{"op": "replace", "path": "/services/cart/rollout/autoRollback", "value": false},
		{"op": "replace", "path": "/services/trainer/signed", "value": false},
	])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"auto-rollback", "signed-images"}
}

test_auto_failover_needs_two_replicas if {
	inp := json.patch(full, [{"op": "replace", "path": "/services/cart/environments/prod/autoscaling/min", "value": 1}])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"auto-failover"}
}

test_smart_routing_needs_canary_steps if {
	inp := json.patch(full, [{"op": "replace", "path": "/services/cart/rollout/strategy", "value": "rolling"}])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"smart-routing"}
}

test_data_fabric_capabilities if {
	inp := json.patch(full, [
		{"op": "remove", "path": "/data/lakehouse"},
		{"op": "remove", "path": "/data/catalog"},
		{"op": "remove", "path": "/data/pipelines/daily"},
	])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"lakehouse", "data-catalog", "batch-pipelines"}
}

test_model_and_quota_capabilities if {
	inp := json.patch(full, [
		{"op": "remove", "path": "/models/ranker/retraining/evaluation"},
		{"op": "replace", "path": "/models/ranker/drift", "value": {}},
		{"op": "replace", "path": "/teams/shop/quotas/prod/gpus/l4/borrowingLimit", "value": 0},
	])
	missing := all_capabilities - capabilities.declared with input as inp
	missing == {"auto-retraining", "drift-detection", "gpu-borrowing"}
}
