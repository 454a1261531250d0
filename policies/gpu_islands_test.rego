package platc.builtin.gpu_islands_test

import rego.v1

import data.platc.builtin.gpu_islands

base := {
	"environments": {"prod": {
		"name": "prod",
		"tier": "prod",
		"pools": {"gpu": {"name": "gpu", "cpu": 64, "memory": 549755813888, "gpus": {"h100": {"model": "h100", "count": 8, "burst": 0}}}},
	}},
	"teams": {
		"serve": {"name": "serve", "quotas": {"prod": {"environment": "prod", "priority": "high", "gpus": {"h100": {"model": "h100", "reserved": 4, "borrowingLimit": 2, "lendingLimit": 2}}}}},
		"train": {"name": "train", "quotas": {"prod": {"environment": "prod", "priority": "medium", "gpus": {"h100": {"model": "h100", "reserved": 4, "borrowingLimit": 4, "priority": "batch"}}}}},
	},
	"services": {
		"serve-api": {"name": "serve-api", "team": "serve", "kind": "inference", "environments": {"prod": {"replicas": 2}}, "resources": {"cpu": 4, "memory": 1, "gpu": {"model": "h100", "count": 1}}},
		"trainer": {"name": "trainer", "team": "train", "kind": "training", "environments": {"prod": {"replicas": 1, "queue": true}}, "resources": {"cpu": 4, "memory": 1, "gpu": {"model": "h100", "count": 4}}},
	},
	"kpis": {},
}

test_priorities_and_lending_ok if {
	count(gpu_islands.warn) == 0 with input as base
}

test_never_lent if {
	inp := object.union(base, {"teams": {"serve": {"quotas": {"prod": {"gpus": {"h100": {"lendingLimit": 0}}}}}}})
	gpu_islands.warn == {{
		"msg": "prod h100: team serve lends none of its 4 reserved GPUs (lendingLimit 0); when idle they are an island no other team can use",
		"path": ["teams", "serve", "quotas", "prod", "gpus", "h100"],
		"rule": "gpu-islands",
		"hint": "raise lendingLimit so idle GPUs can be borrowed, or drop it to lend all of them",
	}} with input as inp
}

test_lending_limit_zero_without_reservation_ok if {
	inp := object.union(base, {"teams": {"serve": {"quotas": {"prod": {"gpus": {"h100": {"reserved": 0, "lendingLimit": 0}}}}}}})
	count(gpu_islands.warn) == 0 with input as inp
}

test_flat_priorities if {
	inp := object.union(base, {"teams": {"serve": {"quotas": {"prod": {"gpus": {"h100": {"priority": "batch"}}}}}}})
	gpu_islands.warn == {
		{
			"msg": "prod: the GPU quotas of all 2 teams (serve, train) have priority batch, so inference cannot pre-empt GPU jobs (trainer)",
			"path": ["environments", "prod"],
			"rule": "gpu-islands",
			"hint": "give inference quotas a higher priority than training and batch quotas (teams.<team>.quotas.<env>.priority or gpus.<model>.priority)",
		},
		{
			"msg": "prod h100: team serve serves inference (serve-api) at priority batch, not above team train's training job trainer at priority batch",
			"path": ["teams", "serve", "quotas", "prod", "gpus", "h100"],
			"rule": "gpu-islands",
			"hint": "give team serve's h100 quota in prod a higher priority than batch",
		},
	} with input as inp
}

test_flat_priorities_without_gpu_jobs_ok if {
	inp := object.union(base, {
		"teams": {"serve": {"quotas": {"prod": {"gpus": {"h100": {"priority": "batch"}}}}}},
		"services": {"trainer": {"kind": "api"}},
	})
	count(gpu_islands.warn) == 0 with input as inp
}

test_inference_below_training if {
	inp := object.union(base, {"teams": {
		"serve": {"quotas": {"prod": {"priority": "low"}}},
		"train": {"quotas": {"prod": {"gpus": {"h100": {"priority": "medium"}}}}},
	}})
	gpu_islands.warn == {{
		"msg": "prod h100: team serve serves inference (serve-api) at priority low, not above team train's training job trainer at priority medium",
		"path": ["teams", "serve", "quotas", "prod", "gpus", "h100"],
		"rule": "gpu-islands",
		"hint": "give team serve's h100 quota in prod a higher priority than medium",
	}} with input as inp
}

test_team_with_inference_and_training_not_compared if {
	inp := object.union(base, {
		"teams": {"serve": {"quotas": {"prod": {"priority": "low"}}}, "train": {"quotas": {"prod": {"gpus": {"h100": {"priority": "medium"}}}}}},
		"services": {"train-api": {"name": "train-api", "team": "train", "kind": "inference", "environments": {"prod": {"replicas": 2}}, "resources": {"cpu": 1, "memory": 1}}},
	})
	count(gpu_islands.warn) == 0 with input as inp
}
