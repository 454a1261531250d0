# METADATA
# title: Quota fit
# description: >-
#   Teams' CPU and memory quotas become Kubernetes ResourceQuotas and Kueue
#   nominal quotas; if together they promise more than the environment's pools
#   have, workloads admitted within quota still cannot be scheduled, and the
#   environment resource-pool table of the source document no longer adds up.
#   Per environment, the sum of the teams' CPU quotas must not exceed the CPU
#   cores of its pools, and the sum of their memory quotas must not exceed the
#   pools' memory. A quota for an environment the spec does not declare is an
#   error too.
# custom:
#   id: quota-fit
package platc.builtin.quota_fit

import rego.v1

import data.platc.lib.spec

rule_id := "quota-fit"

# team_quotas(env, field): [team, amount] for every team with a quota in env.
# (It runs over every team, so it reads by reference, without a user
# function call per team: t.quotas[env][field] is undefined where
# spec.get(spec.quotas(t)[env], field, 0) is undefined or 0, and 0 is no
# amount.)
team_quotas(env, field) := [[team, amount] |
	some team, t in spec.teams
	amount := t.quotas[env][field]
	amount > 0
]

pool_total(env, field) := sum([spec.get(pool, field, 0) | some pool in spec.pools(env)])

deny contains finding if {
	some env in object.keys(spec.environments)
	quotas := team_quotas(env, "cpu")
	total := sum([amount | some [_, amount] in quotas])
	have := pool_total(env, "cpu")
	total > have
	shares := [sprintf("%s %v", [team, amount]) | some [team, amount] in quotas]
	finding := {
		"msg": sprintf("%s: teams' CPU quotas add up to %v cores (%s) but the pools have %v", [env, total, concat(", ", shares), have]),
		"path": ["environments", env, "pools"],
		"rule": rule_id,
		"hint": sprintf("lower the teams' cpu quotas in %s by %v cores or add CPU to the pools", [env, total - have]),
	}
}

deny contains finding if {
	some env in object.keys(spec.environments)
	quotas := team_quotas(env, "memory")
	total := sum([amount | some [_, amount] in quotas])
	have := pool_total(env, "memory")
	total > have
	shares := [sprintf("%s %s", [team, spec.gib(amount)]) | some [team, amount] in quotas]
	finding := {
		"msg": sprintf("%s: teams' memory quotas add up to %s (%s) but the pools have %s", [env, spec.gib(total), concat(", ", shares), spec.gib(have)]),
		"path": ["environments", env, "pools"],
		"rule": rule_id,
		"hint": sprintf("lower the teams' memory quotas in %s by %s or add memory to the pools", [env, spec.gib(total - have)]),
	}
}

deny contains finding if {
	some team, t in spec.teams
	some env, _ in t.quotas
	not spec.environments[env]
	finding := {
		"msg": sprintf("team %s has a quota in %s, which is not an environment of the spec", [team, env]),
		"path": spec.team_quota_path(team, env),
		"rule": rule_id,
		"hint": sprintf("use one of the environments: %s", [spec.join_sorted(object.keys(spec.environments))]),
	}
}
