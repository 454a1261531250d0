package platc.builtin.gpu_pool_fit_test

import rego.v1

import data.platc.builtin.gpu_pool_fit

base := {
	"environments": {"prod": {
		"name": "prod",
		"tier": "prod",
		"pools": {
			"general": {"name": "general", "cpu": 64, "memory": 274877906944, "gpus": {}},
			"gpu-a": {"name": "gpu-a", "cpu": 32, "memory": 274877906944, "gpus": {"h100": {"model": "h100", "count": 6, "burst": 4}}},
			"gpu-b": {"name": "gpu-b", "cpu": 32, "memory": 274877906944, "gpus": {"h100": {"model": "h100", "count": 2, "burst": 0, "mig": {"1g.10gb": 14}, "migStrategy": "single"}}},
		},
	}},
	"teams": {
		"vision": {"name": "vision", "quotas": {"prod": {"environment": "prod", "priority": "high", "gpus": {"h100": {"model": "h100", "reserved": 4, "borrowingLimit": 2, "mig": {"1g.10gb": 7}}}}}},
		"nlp": {"name": "nlp", "quotas": {"prod": {"environment": "prod", "priority": "medium", "gpus": {"h100": {"model": "h100", "reserved": 4, "borrowingLimit": 0}}}}},
	},
	"services": {},
	"kpis": {},
}

test_fits if {
	count(gpu_pool_fit.deny) == 0 with input as base
	count(gpu_pool_fit.warn) == 0 with input as base
}

test_null_collections_fit if {
	inp := {"environments": {"dev": {"tier": "dev", "pools": {"p": {"cpu": 1, "memory": 1, "gpus": null}}}}, "teams": {"t": {"quotas": null}}}
	count(gpu_pool_fit.deny) == 0 with input as inp
	count(gpu_pool_fit.warn) == 0 with input as inp
}

test_over_committed if {
	inp := object.union(base, {"teams": {"nlp": {"quotas": {"prod": {"gpus": {"h100": {"reserved": 6}}}}}}})
	gpu_pool_fit.deny == {{
		"msg": "prod h100: teams reserve 10 GPUs (nlp 6, vision 4) but the pools have 8",
		"path": ["environments", "prod", "pools"],
		"rule": "gpu-pool-fit",
		"hint": "lower the teams' reserved h100 quotas in prod by 2 or add GPUs to the pools; teams can still borrow idle GPUs through borrowingLimit",
	}} with input as inp
}

test_model_missing_from_pools if {
	inp := object.union(base, {"teams": {"vision": {"quotas": {"prod": {"gpus": {"l4": {"model": "l4", "reserved": 2, "borrowingLimit": 0}}}}}}})
	gpu_pool_fit.deny == {{
		"msg": "prod l4: team vision reserves 2 GPUs but no pool in prod has l4 GPUs",
		"path": ["teams", "vision", "quotas", "prod", "gpus", "l4"],
		"rule": "gpu-pool-fit",
		"hint": "use a GPU model the pools of prod have (h100) or add a pool with l4 GPUs",
	}} with input as inp
}

test_model_missing_in_env_without_gpu_pools if {
	inp := {
		"environments": {"dev": {"tier": "dev", "pools": {"general": {"cpu": 16, "memory": 1}}}},
		"teams": {"vision": {"quotas": {"dev": {"gpus": {"h100": {"model": "h100", "reserved": 1, "borrowingLimit": 0}}}}}},
	}
	some f in gpu_pool_fit.deny with input as inp
	f.hint == "dev has no GPU pools: add a pool with h100 GPUs, or remove the quota"
}

test_borrowing_beyond_burst if {
	inp := object.union(base, {"teams": {"vision": {"quotas": {"prod": {"gpus": {"h100": {"borrowingLimit": 10}}}}}}})
	count(gpu_pool_fit.deny) == 0 with input as inp
	gpu_pool_fit.warn == {{
		"msg": "prod h100: team vision may hold 14 GPUs (reserved 4 + borrowing 10) but the pools hold at most 12 (count 8 + burst 4)",
		"path": ["teams", "vision", "quotas", "prod", "gpus", "h100"],
		"rule": "gpu-pool-fit",
		"hint": "lower borrowingLimit to at most 8 or raise the pools' burst",
	}} with input as inp
}

test_mig_slices_over_committed if {
	inp := object.union(base, {"teams": {"nlp": {"quotas": {"prod": {"gpus": {"h100": {"mig": {"1g.10gb": 10}}}}}}}})
	gpu_pool_fit.deny == {{
		"msg": "prod h100 MIG 1g.10gb: teams reserve 17 slices (nlp 10, vision 7) but the pools have 14",
		"path": ["environments", "prod", "pools"],
		"rule": "gpu-pool-fit",
		"hint": "lower the teams' 1g.10gb reservations or partition more h100 GPUs into 1g.10gb slices (gpus.h100.mig)",
	}} with input as inp
}

test_mig_profile_missing_from_pools if {
	inp := object.union(base, {"teams": {"nlp": {"quotas": {"prod": {"gpus": {"h100": {"mig": {"3g.40gb": 2}}}}}}}})
	gpu_pool_fit.deny == {{
		"msg": "prod h100 MIG 3g.40gb: teams reserve 2 slices (nlp 2) but the pools have 0",
		"path": ["environments", "prod", "pools"],
		"rule": "gpu-pool-fit",
		"hint": "lower the teams' 3g.40gb reservations or partition more h100 GPUs into 3g.40gb slices (gpus.h100.mig)",
	}} with input as inp
}
