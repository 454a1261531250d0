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
		"cart": {"name": "cart", "team": "shop", "kind": "api", "environments": {"prod": {"replicas": 2}, "prod-asia": {"replicas": 2}}, "rollout": {"strategy": "canary", "steps": [10, 50, 100], "autoRollback": true, "analysisInterval": 60}, "slos": {"availability": {"name": "availability", "kind": "availability", "objective": 99.9}}},
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
		"hint": "set rollout: autoRollback: true, with an SLO to judge by (each rollout is analysed against the SLOs and aborted on a breach)",
	}} with input as inp
}

test_missing_rollout_counts_as_no_rollback if {
	inp := json.patch(base, [{"op": "remove", "path": "/services/cart/rollout"}, {"op": "replace", "path": "/kpis/resilience/mttr", "value": 3600}])
	mttr_rollback.deny == {{
		"msg": "service cart runs in prod, prod-asia without automatic rollback; the MTTR KPI of 1h needs a bad release rolled back on SLO breach without waiting for a human",
		"path": ["services", "cart", "rollout"],
		"rule": "mttr-rollback",
		"hint": "set rollout: autoRollback: true, with an SLO to judge by (each rollout is analysed against the SLOs and aborted on a breach)",
	}} with input as inp
}

test_rolling_with_auto_rollback_rolls_back if {
	inp := object.union(base, {"services": {"cart": {"rollout": {"strategy": "rolling", "steps": []}}}})
	count(mttr_rollback.deny) == 0 with input as inp
}

test_auto_rollback_without_slos if {
	inp := json.patch(base, [{"op": "remove", "path": "/services/cart/slos"}])
	mttr_rollback.deny == {
		{
			"msg": "service cart runs in prod, prod-asia without automatic rollback; the MTTR KPI of 30m needs a bad release rolled back on SLO breach without waiting for a human",
			"path": ["services", "cart", "rollout"],
			"rule": "mttr-rollback",
			"hint": "set rollout: autoRollback: true, with an SLO to judge by (each rollout is analysed against the SLOs and aborted on a breach)",
		},
		{
			"msg": "service cart sets rollout.autoRollback but declares no SLO: a rollout is rolled back when its analysis finds an SLO breached, so nothing would ever roll it back",
			"path": ["services", "cart", "rollout", "autoRollback"],
			"rule": "mttr-rollback",
			"hint": "add an SLO (slos: availability: {kind: \"availability\", objective: 99.9}), or remove autoRollback",
		},
	} with input as inp
}

test_auto_rollback_without_slos_outside_prod if {
	inp := object.union(base, {"services": {"sandbox": {"rollout": {"autoRollback": true}}}})
	{f.path | some f in mttr_rollback.deny} == {["services", "sandbox", "rollout", "autoRollback"]} with input as inp
}
