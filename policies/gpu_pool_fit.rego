# METADATA
# title: GPU pool fit
# description: >-
#   The source document's answer to GPU islands is one scheduler with
#   reserved quotas and borrowing: platc turns each team's reserved GPUs into
#   a Kueue nominal quota in the environment's cohort, which only holds if the
#   reserved GPUs exist. Per environment and GPU model, the GPUs all teams
#   reserve must fit in the GPUs of the environment's pools (an error, with
#   the figures), and so must the MIG slices they reserve per profile; a
#   quota for a GPU model the environment has no pool of is an error; and a
#   team whose reserved GPUs plus borrowing limit exceed what the pools can
#   ever hold (count plus burst) gets a warning.
# custom:
#   id: gpu-pool-fit
package platc.builtin.gpu_pool_fit

import rego.v1

import data.platc.lib.spec

rule_id := "gpu-pool-fit"

# The rules below that run once per team's GPU quota look the pools' figures
# up in the indexes of lib/spec.rego (gpu_capacity, gpu_reserved_in),
# computed once, instead of summing the pools per quota, and bind the rules
# they look up per quota to local variables first. gpu_capacity[env][model]
# is defined exactly when env is an environment whose pools list the model.

# The teams' reserved GPUs of a model exceed the GPUs of the pools.
deny contains finding if {
	some [env, model] in spec.env_gpu_model_pairs
	reserved := spec.gpu_reserved_in[env][model]
	have := spec.gpu_capacity[env][model].count
	reserved > have
	shares := [sprintf("%s %v", [q.team, q.reserved]) |
		some q in spec.gpu_quotas
		q.env == env
		q.model == model
		q.reserved > 0
	]
	finding := {
		"msg": sprintf("%s %s: teams reserve %v GPUs (%s) but the pools have %v", [env, model, reserved, spec.join_sorted(shares), have]),
		"path": ["environments", env, "pools"],
		"rule": rule_id,
		"hint": sprintf("lower the teams' reserved %s quotas in %s by %v or add GPUs to the pools; teams can still borrow idle GPUs through borrowingLimit", [model, env, reserved - have]),
	}
}

# A quota for a GPU model the environment has no pool of.
deny contains finding if {
	envs := spec.environments
	capacity := spec.gpu_capacity
	some q in spec.gpu_quotas
	envs[q.env]
	not capacity[q.env][q.model]
	finding := {
		"msg": sprintf("%s %s: team %s reserves %v GPUs but no pool in %s has %s GPUs", [q.env, q.model, q.team, q.reserved, q.env, q.model]),
		"path": spec.gpu_quota_path(q.team, q.env, q.model),
		"rule": rule_id,
		"hint": missing_model_hint(q.env, q.model),
	}
}

# The hint names the models the pools have, or says there are none.
missing_model_hint(env, model) := sprintf("use a GPU model the pools of %s have (%s) or add a pool with %s GPUs", [env, spec.join_sorted(models), model]) if {
	models := spec.env_gpu_models(env)
	count(models) > 0
} else := sprintf("%s has no GPU pools: add a pool with %s GPUs, or remove the quota", [env, model])

# mig_slices: [env, model, profile, team, slices] for every team's MIG reservation.
mig_slices contains [q.env, q.model, profile, q.team, slices] if {
	some q in spec.gpu_quotas
	some profile, slices in q.quota.mig
}

pool_mig_slices(env, model, profile) := sum([n |
	some pool in spec.pools(env)
	n := spec.get(spec.pool_gpus(pool)[model], ["mig", profile], 0)
])

# The teams' reserved MIG slices of a profile exceed the pools' slices.
# (Once per environment, model and profile, not once per team's reservation,
# which would sum every team's reservations for each team's.)
deny contains finding if {
	profiles := {[env, model, profile] | some [env, model, profile, _, _] in mig_slices}
	some [env, model, profile] in profiles
	spec.environments[env]
	[env, model] in spec.env_gpu_model_pairs
	shares := [[team, n] |
		some [e, m, p, team, n] in mig_slices
		[e, m, p] == [env, model, profile]
	]
	reserved := sum([n | some [_, n] in shares])
	have := pool_mig_slices(env, model, profile)
	reserved > have
	finding := {
		"msg": sprintf("%s %s MIG %s: teams reserve %v slices (%s) but the pools have %v", [env, model, profile, reserved, concat(", ", [sprintf("%s %v", [t, n]) | some [t, n] in sort(shares)]), have]),
		"path": ["environments", env, "pools"],
		"rule": rule_id,
		"hint": sprintf("lower the teams' %s reservations or partition more %s GPUs into %s slices (gpus.%s.mig)", [profile, model, profile, model]),
	}
}

# A single team may grow beyond everything the pools can hold.
warn contains finding if {
	envs := spec.environments
	capacity := spec.gpu_capacity
	some q in spec.gpu_quotas
	envs[q.env]
	pools_hold := capacity[q.env][q.model]
	reach := q.reserved + q.borrowingLimit
	count_ := pools_hold.count
	burst := pools_hold.burst
	reach > count_ + burst
	finding := {
		"msg": sprintf("%s %s: team %s may hold %v GPUs (reserved %v + borrowing %v) but the pools hold at most %v (count %v + burst %v)", [q.env, q.model, q.team, reach, q.reserved, q.borrowingLimit, count_ + burst, count_, burst]),
		"path": spec.gpu_quota_path(q.team, q.env, q.model),
		"rule": rule_id,
		"hint": sprintf("lower borrowingLimit to at most %v or raise the pools' burst", [max([0, (count_ + burst) - q.reserved])]),
	}
}
