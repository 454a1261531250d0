package platc.lib.spec_test

import rego.v1

import data.platc.lib.spec

inp := {
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {
			"a": {"cpu": 8, "memory": 1, "gpus": {"h100": {"model": "h100", "count": 4, "burst": 2}}},
			"b": {"cpu": 8, "memory": 1, "gpus": {"h100": {"model": "h100", "count": 2}, "l4": {"model": "l4", "count": 8, "burst": 8}}},
			"c": {"cpu": 8, "memory": 1, "gpus": null},
		}},
		"dev": {"name": "dev", "tier": "dev", "pools": {}},
	},
	"teams": {
		"vision": {"quotas": {"prod": {"priority": "high", "gpus": {"h100": {"reserved": 3}, "l4": {"reserved": 1, "priority": "batch"}}}}},
		"nlp": {"quotas": {"prod": {"priority": "low", "gpus": {"h100": {"reserved": 2}}}}},
	},
	"services": {
		"api": {"kind": "api", "environments": {"prod": {}, "dev": {}}},
		"job": {"kind": "training", "environments": {"prod": {}}},
		"lab": {"kind": "inference", "environments": {"dev": {}}},
	},
}

test_environments_and_services if {
	spec.prod_envs == {"prod"} with input as inp
	spec.services_in("dev") == {"api", "lab"} with input as inp
	spec.prod_services == {"api", "job"} with input as inp
	spec.prod_serving_services == {"api"} with input as inp
}

test_gpus_by_model if {
	spec.gpu_count("prod", "h100") == 6 with input as inp
	spec.gpu_burst("prod", "h100") == 2 with input as inp
	spec.gpu_count("prod", "a100") == 0 with input as inp
	spec.env_gpu_models("prod") == {"h100", "l4"} with input as inp
	spec.gpu_reserved("prod", "h100") == 5 with input as inp
}

test_effective_priorities if {
	priorities := {[q.team, q.model, q.priority] | some q in spec.gpu_quotas} with input as inp
	priorities == {["vision", "h100", "high"], ["vision", "l4", "batch"], ["nlp", "h100", "low"]}
}

test_formatting if {
	spec.gib(1099511627776) == "1024Gi"
	spec.gib(1610612736) == "1.5Gi"
	spec.duration(1800) == "30m"
	spec.duration(86400) == "1d"
	spec.duration(7200) == "2h"
	spec.duration(45) == "45s"
}

test_parties if {
	spec.known_party("vision") with input as inp
	spec.known_party("@ann") with input as inp
	spec.known_party("dpo@acme.example") with input as inp
	not spec.known_party("finance") with input as inp
}

test_dates if {
	spec.date_ns("2028-02-29") == time.parse_ns("2006-01-02", "2028-02-29")
	not spec.date_ns("2027-02-29")
	not spec.date_ns("2027-04-31")
	not spec.date_ns("27-01-01")
	not spec.date_ns(null)
	spec.rfc3339_ns("2027-11-08T00:00Z") == time.parse_rfc3339_ns("2027-11-08T00:00:00Z")
	spec.rfc3339_ns("2027-11-08T01:00:00+01:00") == time.parse_rfc3339_ns("2027-11-08T00:00:00Z")
	not spec.rfc3339_ns("2027-02-30T00:00:00Z")
	not spec.rfc3339_ns(5)
}
