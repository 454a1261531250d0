package platc.builtin.quota_fit_test

import rego.v1

import data.platc.builtin.quota_fit

gi := 1073741824

base := {
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {
			"general": {"name": "general", "cpu": 64, "memory": 256 * gi, "gpus": {}},
			"gpu": {"name": "gpu", "cpu": 32, "memory": 128 * gi, "gpus": {}},
		}},
		"dev": {"name": "dev", "tier": "dev", "pools": {"general": {"name": "general", "cpu": 8, "memory": 32 * gi, "gpus": {}}}},
	},
	"teams": {
		"vision": {"name": "vision", "quotas": {"prod": {"cpu": 48, "memory": 192 * gi, "gpus": {}, "priority": "high"}}},
		"nlp": {"name": "nlp", "quotas": {
			"prod": {"cpu": 48, "memory": 192 * gi, "gpus": {}, "priority": "high"},
			"dev": {"gpus": {}, "priority": "medium"},
		}},
	},
	"kpis": {},
}

test_quotas_fit if {
	count(quota_fit.deny) == 0 with input as base
}

test_cpu_over_committed if {
	inp := object.union(base, {"teams": {"nlp": {"quotas": {"prod": {"cpu": 50.5}}}}})
	quota_fit.deny == {{
		"msg": "prod: teams' CPU quotas add up to 98.5 cores (nlp 50.5, vision 48) but the pools have 96",
		"path": ["environments", "prod", "pools"],
		"rule": "quota-fit",
		"hint": "lower the teams' cpu quotas in prod by 2.5 cores or add CPU to the pools",
	}} with input as inp
}

test_memory_over_committed if {
	inp := object.union(base, {"teams": {"vision": {"quotas": {"prod": {"memory": 256 * gi}}}}})
	quota_fit.deny == {{
		"msg": "prod: teams' memory quotas add up to 448Gi (nlp 192Gi, vision 256Gi) but the pools have 384Gi",
		"path": ["environments", "prod", "pools"],
		"rule": "quota-fit",
		"hint": "lower the teams' memory quotas in prod by 64Gi or add memory to the pools",
	}} with input as inp
}

test_quota_for_unknown_environment if {
	inp := object.union(base, {"teams": {"vision": {"quotas": {"staging": {"cpu": 1, "gpus": {}, "priority": "high"}}}}})
	quota_fit.deny == {{
		"msg": "team vision has a quota in staging, which is not an environment of the spec",
		"path": ["teams", "vision", "quotas", "staging"],
		"rule": "quota-fit",
		"hint": "use one of the environments: dev, prod",
	}} with input as inp
}
