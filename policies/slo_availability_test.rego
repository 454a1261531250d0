package platc.builtin.slo_availability_test

import rego.v1

import data.platc.builtin.slo_availability

base := {
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {}},
		"dev": {"name": "dev", "tier": "dev", "pools": {}},
	},
	"teams": {"shop": {"name": "shop", "owners": ["@ann"], "onCall": "@shop-oncall", "quotas": {}}},
	"services": {
		"cart": {
			"name": "cart", "team": "shop", "kind": "api",
			"environments": {"prod": {"replicas": 2}, "dev": {"replicas": 1}},
			"slos": {
				"availability": {"name": "availability", "kind": "availability", "objective": 99.95, "window": 2592000},
				"latency": {"name": "latency", "kind": "latency", "objective": 99, "window": 2592000, "threshold": 0.3},
			},
		},
		"sandbox": {
			"name": "sandbox", "team": "shop", "kind": "api",
			"environments": {"dev": {"replicas": 1}},
			"slos": {"latency": {"name": "latency", "kind": "latency", "objective": 95, "window": 2592000, "threshold": 1}},
		},
		"trainer": {
			"name": "trainer", "team": "shop", "kind": "training",
			"environments": {"prod": {"replicas": 1, "queue": true}},
			"slos": {},
		},
	},
	"kpis": {"reliability": {"availability": 99.9}},
}

test_slos_meet_kpi if {
	count(slo_availability.deny) == 0 with input as base
}

test_service_without_slo if {
	inp := json.patch(base, [{"op": "replace", "path": "/services/sandbox/slos", "value": {}}])
	slo_availability.deny == {{
		"msg": "service sandbox has no SLO; without one it gets no burn-rate alerts and no rollout analysis",
		"path": ["services", "sandbox", "slos"],
		"rule": "slo-availability",
		"hint": "add an availability SLO (objective 99.9) and a latency SLO",
	}} with input as inp
}

test_prod_service_without_availability_slo if {
	inp := json.patch(base, [{"op": "remove", "path": "/services/cart/slos/availability"}])
	slo_availability.deny == {{
		"msg": "service cart runs in prod without an availability SLO; the reliability KPI is 99.9%",
		"path": ["services", "cart", "slos"],
		"rule": "slo-availability",
		"hint": "add slos: availability: {kind: \"availability\", objective: 99.9}",
	}} with input as inp
}

test_prod_availability_below_kpi if {
	inp := object.union(base, {"services": {"cart": {"slos": {"availability": {"objective": 99.5}}}}})
	slo_availability.deny == {{
		"msg": "service cart runs in prod with an availability objective of 99.5%, below the reliability KPI of 99.9%",
		"path": ["services", "cart", "slos", "availability", "objective"],
		"rule": "slo-availability",
		"hint": "raise the objective to at least 99.9",
	}} with input as inp
}

test_unknown_team if {
	inp := object.union(base, {"services": {"sandbox": {"team": "ghosts"}}})
	slo_availability.deny == {{
		"msg": "service sandbox belongs to team \"ghosts\", which is not declared, so nobody is paged when it breaks",
		"path": ["services", "sandbox", "team"],
		"rule": "slo-availability",
		"hint": "declare teams: \"ghosts\" with owners and onCall, or use one of: shop",
	}} with input as inp
}

test_team_without_on_call if {
	inp := object.union(base, {"teams": {"shop": {"onCall": ""}}})
	slo_availability.deny == {
		{
			"msg": "service cart belongs to team shop, which has no onCall to page",
			"path": ["teams", "shop"],
			"rule": "slo-availability",
			"hint": "set onCall to the team's rotation or a person (\"@handle\")",
		},
		{
			"msg": "service sandbox belongs to team shop, which has no onCall to page",
			"path": ["teams", "shop"],
			"rule": "slo-availability",
			"hint": "set onCall to the team's rotation or a person (\"@handle\")",
		},
		{
			"msg": "service trainer belongs to team shop, which has no onCall to page",
			"path": ["teams", "shop"],
			"rule": "slo-availability",
			"hint": "set onCall to the team's rotation or a person (\"@handle\")",
		},
	} with input as inp
}
