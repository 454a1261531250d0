package platc.builtin.gpu_cost_test

import rego.v1

import data.platc.builtin.gpu_cost

base := {
	"environments": {"prod": {
		"name": "prod",
		"tier": "prod",
		"pools": {
			"general": {"name": "general", "cpu": 64, "memory": 1, "gpus": {}},
			"gpu": {"name": "gpu", "cpu": 64, "memory": 1, "gpus": {"h100": {"model": "h100", "count": 10, "burst": 0}, "l4": {"model": "l4", "count": 0, "burst": 8}}},
		},
	}},
	"teams": {
		"vision": {"name": "vision", "quotas": {"prod": {"priority": "high", "gpus": {"h100": {"model": "h100", "reserved": 4}}}}},
		"nlp": {"name": "nlp", "quotas": {"prod": {"priority": "high", "gpus": {"h100": {"model": "h100", "reserved": 3}}}}},
	},
	"kpis": {"cost": {"gpuUtilisation": 70}},
}

test_busy_enough if {
	count(gpu_cost.warn) == 0 with input as base
}

test_mostly_unreserved if {
	inp := object.union(base, {"teams": {"nlp": {"quotas": {"prod": {"gpus": {"h100": {"reserved": 0}}}}}}})
	gpu_cost.warn == {{
		"msg": "only 40% of prod's 10 h100 GPUs are reserved by teams (4); the cost KPI wants them busy 70% of the time",
		"path": ["environments", "prod", "pools"],
		"rule": "gpu-cost",
		"hint": "reserve at least 7 h100 GPUs for teams in prod or shrink the pools and cover peaks with burst",
	}} with input as inp
}

test_kpi_target_followed if {
	inp := object.union(base, {"kpis": {"cost": {"gpuUtilisation": 80}}})
	gpu_cost.warn == {{
		"msg": "only 70% of prod's 10 h100 GPUs are reserved by teams (7); the cost KPI wants them busy 80% of the time",
		"path": ["environments", "prod", "pools"],
		"rule": "gpu-cost",
		"hint": "reserve at least 8 h100 GPUs for teams in prod or shrink the pools and cover peaks with burst",
	}} with input as inp
}
