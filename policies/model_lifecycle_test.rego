package platc.builtin.model_lifecycle_test

import rego.v1

import data.platc.builtin.model_lifecycle

base := {
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {}},
		"dev": {"name": "dev", "tier": "dev", "pools": {}},
	},
	"services": {
		"ranker-api": {"name": "ranker-api", "team": "reco", "kind": "inference", "environments": {"prod": {"replicas": 2}}},
		"lab-api": {"name": "lab-api", "team": "reco", "kind": "inference", "environments": {"dev": {"replicas": 1}}},
	},
	"models": {
		"ranker": {
			"name": "ranker", "team": "reco", "service": "ranker-api", "trainingData": [],
			"drift": {"ctr": {"name": "ctr", "metric": "ctr", "baseline": "ranker-api:ctr-7d", "threshold": 0.15, "window": 3600}},
			"retraining": {"trigger": "drift", "pipeline": "retrain", "evaluation": {"metric": "ndcg_at_10", "threshold": 0.3, "compareToProduction": true}},
			"promotion": {"strategy": "rolling"},
		},
		"experiment": {"name": "experiment", "team": "reco", "service": "lab-api", "trainingData": [], "drift": {}, "promotion": {"strategy": "rolling"}},
	},
	"kpis": {},
}

test_prod_model_watched_and_gated if {
	count(model_lifecycle.deny) == 0 with input as base
}

test_prod_model_without_drift_monitor if {
	inp := json.patch(base, [{"op": "replace", "path": "/models/ranker/drift", "value": {}}])
	model_lifecycle.deny == {{
		"msg": "model ranker is served in production by ranker-api but has no drift monitor",
		"path": ["models", "ranker"],
		"rule": "model-lifecycle",
		"hint": "add drift: <name>: {metric: \"psi\", baseline: \"<dataset>:<snapshot>\", threshold: 0.2}",
	}} with input as inp
}

test_prod_model_without_retraining if {
	inp := json.patch(base, [{"op": "remove", "path": "/models/ranker/retraining"}])
	model_lifecycle.deny == {{
		"msg": "model ranker is served in production by ranker-api but has no retraining",
		"path": ["models", "ranker"],
		"rule": "model-lifecycle",
		"hint": "add retraining: {trigger: \"drift\", pipeline: \"<pipeline>\", evaluation: {metric: \"<metric>\", threshold: <minimum>}}",
	}} with input as inp
}

test_prod_model_without_evaluation_gate if {
	inp := json.patch(base, [{"op": "remove", "path": "/models/ranker/retraining/evaluation"}])
	model_lifecycle.deny == {{
		"msg": "model ranker is retrained without an evaluation gate, so a worse candidate can replace the model in production",
		"path": ["models", "ranker", "retraining"],
		"rule": "model-lifecycle",
		"hint": "add evaluation: {metric: \"<metric>\", threshold: <minimum>, compareToProduction: true}",
	}} with input as inp
}
