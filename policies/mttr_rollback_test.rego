package platc.builtin.mttr_rollback_test

import rego.v1

import data.platc.builtin.mttr_rollback

base := {
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {}},
		"prod-asia": {"name": "prod-asia", "tier": "prod", "pools": {}},
		"dev": {"name": "dev", "tier": "dev", "pools": {}},
	},
	"services": {
		"cart": {"name": "cart", "team": "shop", "kind": "api", "environments": {"prod": {"replicas": 2}, "prod-asia": {"replicas": 2}}, "rollout": {"strategy": "canary", "steps": [10, 50, 100], "autoRollback": true, "analysisInterval": 60}},
		"sandbox": {"name": "sandbox", "team": "shop", "kind": "api", "environments": {"dev": {"replicas": 1}}, "rollout": {"strategy": "rolling", "steps": [], "autoRollback": false}},
		"trainer": {"name": "trainer", "team": "shop", "kind": "training", "environments": {"prod": {"replicas": 1, "queue": true}}, "rollout": {"strategy": "rolling", "steps": [], "autoRollback": false}},
	},
	"kpis": {"resilience": {"mttr": 1800}},
}

test_prod_services_roll_back if {
	count(mttr_rollback.deny) == 0 with input as base
}

test_prod_service_without_auto_rollback if {
	inp := object.union(base, {"services": {"cart": {"rollout": {"autoRollback": false}}}})
	mttr_rollback.deny == {{
		"msg": "service cart runs in prod, prod-asia without automatic rollback; the MTTR KPI of 30m needs a bad release rolled back on SLO breach without waiting for a human",
		"path": ["services", "cart", "rollout"],
		"rule": "mttr-rollback",
		"hint": "set rollout: autoRollback: true (with a canary strategy and steps, the rollout is analysed against the SLOs)",
	}} with input as inp
}

test_missing_rollout_counts_as_no_rollback if {
	inp := json.patch(base, [{"op": "remove", "path": "/services/cart/rollout"}, {"op": "replace", "path": "/kpis/resilience/mttr", "value": 3600}])
	mttr_rollback.deny == {{
		"msg": "service cart runs in prod, prod-asia without automatic rollback; the MTTR KPI of 1h needs a bad release rolled back on SLO breach without waiting for a human",
		"path": ["services", "cart", "rollout"],
		"rule": "mttr-rollback",
		"hint": "set rollout: autoRollback: true (with a canary strategy and steps, the rollout is analysed against the SLOs)",
	}} with input as inp
}
