# METADATA
# title: GPU islands
# description: >-
#   GPU islands are the source document's first pitfall: GPUs reserved by one
#   team sit idle while another team queues, and inference waits behind
#   training. Its counter-measure is one scheduler with priorities, reserved
#   quotas and borrowing. This rule warns about a team's GPU quota that can
#   never be lent (lendingLimit 0), about an environment that runs GPU
#   training or batch jobs where every team's GPU quota has the same priority
#   (so inference cannot pre-empt training), and about a team serving
#   inference on a GPU model at a priority no higher than that of a team
#   running only training or batch jobs on the same model. A GPU quota's
#   priority is its own, else its quota's; critical > high > medium > low >
#   batch.
# custom:
#   id: gpu-islands
package platc.builtin.gpu_islands

import rego.v1

import data.platc.lib.spec

rule_id := "gpu-islands"

# Reserved GPUs nobody else may ever borrow.
warn contains finding if {
	some q in spec.gpu_quotas
	q.quota.lendingLimit == 0 # (undefined, not 0, when it is not set)
	q.reserved > 0
	finding := {
		"msg": sprintf("%s %s: team %s lends none of its %v reserved GPUs (lendingLimit 0); when idle they are an island no other team can use", [q.env, q.model, q.team, q.reserved]),
		"path": spec.gpu_quota_path(q.team, q.env, q.model),
		"rule": rule_id,
		"hint": "raise lendingLimit so idle GPUs can be borrowed, or drop it to lend all of them",
	}
}

# The rules and functions below run over every service, or every pair of an
# inference service and a GPU job: they start from the service indexes of
# lib/spec.rego, read fields by reference or with object.get and iterate
# placements by reference (absent or null reads as empty), rather than
# calling a user function per service; see the notes in lib/spec.rego.

# Every GPU quota in the environment has the same priority. (The GPU jobs
# are looked for first, once for all environments: they are the cheapest to
# rule an environment out.)
warn contains finding if {
	svcs := spec.services
	gpu_jobs := {name |
		some name in spec.job_services
		is_object(object.get(svcs[name], ["resources", "gpu"], null))
	}
	some env in object.keys(spec.environments)
	jobs := {name | some name in gpu_jobs; svcs[name].environments[env]}
	count(jobs) > 0
	env_quotas := [q | some q in spec.gpu_quotas; q.env == env]
	quota_teams := {q.team | some q in env_quotas}
	count(quota_teams) >= 2
	priorities := {q.priority | some q in env_quotas}
	count(priorities) == 1
	some priority in priorities
	finding := {
		"msg": sprintf("%s: the GPU quotas of all %v teams (%s) have priority %s, so inference cannot pre-empt GPU jobs (%s)", [env, count(quota_teams), spec.join_sorted(quota_teams), priority, spec.join_sorted(jobs)]),
		"path": ["environments", env],
		"rule": rule_id,
		"hint": "give inference quotas a higher priority than training and batch quotas (teams.<team>.quotas.<env>.priority or gpus.<model>.priority)",
	}
}

# gpu_services: [env, team, model, service, kind] for every service using GPUs.
gpu_services contains [env, team, model, name, kind] if {
	some name, svc in spec.services
	model := svc.resources.gpu.model # (undefined where get's default, "", is)
	model != ""
	team := object.get(svc, "team", "")
	kind := object.get(svc, "kind", "")
	some env, _ in svc.environments
}

# serving_teams: [team, env] for every team with a serving service in env.
serving_teams contains [object.get(svc, "team", ""), env] if {
	svcs := spec.services
	some name in spec.serving_services
	svc := svcs[name]
	some env, _ in svc.environments
}

# gpu_jobs_at["env/model"]: [team, service, kind] of the GPU training and
# batch jobs of teams that run nothing else in env.
gpu_jobs_at[key] contains [team, name, kind] if {
	some [env, team, model, name, kind] in gpu_services
	kind in spec.job_kinds
	not [team, env] in serving_teams
	key := sprintf("%s/%s", [env, model])
}

# priority_of(team, env, model): the team's priority for the model in env:
# spec.effective_priority(quota, gpu_quota) of the team's quota in env and its
# GPU quota for the model, or {} if it has none; undefined if the team has
# no quota in env. (Inlined, as in spec.gpu_quotas: object.get({"": fallback},
# p, p) is fallback when p is "" and p otherwise.)
priority_of(team, env, model) := object.get({"": object.get({"": "medium"}, quota_priority, quota_priority)}, own_priority, own_priority) if {
	quota := spec.teams[team].quotas[env]
	quota_priority := object.get(quota, "priority", "")
	own_priority := object.get(quota, ["gpus", model, "priority"], "")
}

# An inference team does not outrank a team that only runs GPU jobs.
warn contains finding if {
	jobs_at := gpu_jobs_at # (all of it, once: a lookup by key would evaluate the rule again)
	some [env, inf_team, model, inf_service, "inference"] in gpu_services
	jobs := jobs_at[sprintf("%s/%s", [env, model])]
	inf_priority := priority_of(inf_team, env, model)
	some [job_team, job_service, job_kind] in jobs
	job_priority := priority_of(job_team, env, model)
	spec.rank(inf_priority) <= spec.rank(job_priority)
	finding := {
		"msg": sprintf("%s %s: team %s serves inference (%s) at priority %s, not above team %s's %s job %s at priority %s", [env, model, inf_team, inf_service, inf_priority, job_team, job_kind, job_service, job_priority]),
		"path": inf_path(inf_team, env, model),
		"rule": rule_id,
		"hint": sprintf("give team %s's %s quota in %s a higher priority than %s", [inf_team, model, env, job_priority]),
	}
}

inf_path(team, env, model) := spec.gpu_quota_path(team, env, model) if {
	spec.quota_gpus(spec.quotas(spec.teams[team])[env])[model]
} else := spec.team_quota_path(team, env)
