# METADATA
# title: Spec helpers
# description: >-
#   Helpers shared by the built-in policies: the spec's collections with
#   absent or null values read as empty, the production environments, where
#   services run, the GPUs of an environment by model, the teams' GPU quotas
#   with their effective priorities, and formatting of figures for messages.
package platc.lib.spec

import rego.v1

# as_object returns x when it is an object and {} otherwise, so that absent
# or null collections (a Go nil map encodes as null) read as empty.
as_object(x) := x if {
	is_object(x)
} else := {}

# as_array returns x when it is an array and [] otherwise.
as_array(x) := x if {
	is_array(x)
} else := []

# get reads a nested field with a default, whatever the shape of x.
get(x, path, default_value) := object.get(as_object(x), path, default_value)

platform := as_object(object.get(input, "platform", {}))

environments := as_object(object.get(input, "environments", {}))

teams := as_object(object.get(input, "teams", {}))

services := as_object(object.get(input, "services", {}))

integrations := as_object(object.get(input, "integrations", {}))

models := as_object(object.get(input, "models", {}))

data_fabric := as_object(object.get(input, "data", {}))

datasets := as_object(object.get(data_fabric, "datasets", {}))

pipelines := as_object(object.get(data_fabric, "pipelines", {}))

events := as_object(object.get(input, "events", {}))

topics := as_object(object.get(events, "topics", {}))

governance := as_object(object.get(input, "governance", {}))

blueprint := as_object(object.get(input, "blueprint", {}))

kpis := as_object(object.get(input, "kpis", {}))

# The KPI targets, with the schema's defaults for a partial input.
kpi_availability := object.get(kpis, ["reliability", "availability"], 99.9)

kpi_gpu_utilisation := object.get(kpis, ["cost", "gpuUtilisation"], 70)

kpi_mttr := object.get(kpis, ["resilience", "mttr"], 1800)

kpi_pipeline_objective := object.get(kpis, ["data", "pipelineObjective"], 95)

kpi_latency_target := object.get(kpis, ["data", "latencyTarget"], 300)

# prod_envs: the names of the environments of tier "prod".
prod_envs contains name if {
	some name, env in environments
	get(env, "tier", "") == "prod"
}

# Service indexes.
#
# A large organisation has tens of thousands of services, and each pass of a
# policy over all of them costs a few microseconds per service, most of it
# spent reaching the service's fields the first time. So the facts the
# policies need about every service are computed here, in as few passes as
# possible, as sets of service names that the policies combine with set
# operations (prod_services & unsigned_services) before looking closer at the
# few services left.
#
# Most services have nothing to report: a single pass finds them, and the
# indexes of what services lack (unsigned_services, services_without_slos,
# ...) only look at the others (services_to_check,
# prod_serving_services_to_check).
#
# The passes use references and built-in functions only, never a user
# function per service (a call costs several times what its body does), and
# bind the rules they look up per service to local variables first (a rule
# lookup costs more than a local one). Services are structs, which the input
# always encodes as objects; a collection in one may be absent or null, and
# iterating a reference to it (svc.environments) then reads it as empty, the
# way as_object does. Mind that in "not f(svc.field)" or "not s[svc.field]"
# the field is looked up before the negation, so the expression is undefined,
# not true, when the field is absent; "not svc.field == x" is true then.
#
# The functions (placements, serving, ...) remain for per-finding use and for
# users' policies.

# service_names: the names of all services.
service_names := object.keys(services)

# placements(svc): the service's placements, keyed by environment name.
placements(svc) := as_object(object.get(as_object(svc), "environments", {}))

# services_in(env): the names of the services that run in env.
services_in(env) := {name |
	some name, svc in services
	svc.environments[env]
}

# prod_services: the names of the services that run in a prod environment.
# (With a single prod environment, as most specs have, a lookup of it in
# each service's placements is cheaper than going through them.)
prod_services contains name if {
	count(prod_envs) == 1
	some env in prod_envs
	some name, svc in services
	svc.environments[env]
}

prod_services contains name if {
	count(prod_envs) > 1
	prod := prod_envs
	some name, svc in services
	some env, _ in svc.environments
	prod[env]
}

# service_prod_envs(name): the prod environments the service runs in.
service_prod_envs(name) := {env |
	some env, _ in placements(services[name])
	env in prod_envs
}

# Training and batch jobs run to completion through the team's queue; every
# other kind (api, inference, worker) is a long-running, serving workload that
# SLOs, automatic rollback and failover apply to.
job_kinds := {"training", "batch"}

serving(svc) if not get(svc, "kind", "") in job_kinds

# job_services: the names of the training and batch services.
job_services contains name if {
	kinds := job_kinds
	some name, svc in services
	kinds[svc.kind]
}

# serving_services: the names of the other services, a service without a
# kind included.
serving_services := service_names - job_services

prod_serving_services := prod_services - job_services

# paged_teams: the declared teams with someone on call.
paged_teams contains name if {
	some name, team in teams
	object.get(team, "onCall", "") != ""
}

# services_to_check: the services other than those, found in one pass, that
# are signed, have a rate limit of their own (an object), SLOs (a non-empty
# object) and no upstreams ({}), and belong to a team with someone on call.
# (object.subset tests several fields at once: {} is a subset of any object
# and of nothing else.)
services_to_check := service_names - {name |
	paged := paged_teams
	some name, svc in services
	object.subset(svc, {"signed": true, "rateLimit": {}, "slos": {}})
	not svc.slos == {}
	svc.upstreams == {}
	paged[svc.team]
}

# unsigned_services: the names of the services without signed: true.
unsigned_services contains name if {
	svcs := services
	some name in services_to_check
	not svcs[name].signed == true
}

# services_without_rate_limit: the names of the services without a rate
# limit of their own (rateLimit), which would cover all their routes.
services_without_rate_limit contains name if {
	svcs := services
	some name in services_to_check
	not is_object(object.get(svcs[name], "rateLimit", null))
}

# services_without_slos: the names of the services without SLOs (slos
# absent, null or {}).
services_without_slos contains name if {
	empty := {null, {}}
	svcs := services
	some name in services_to_check
	empty[object.get(svcs[name], "slos", null)]
}

# paid_upstreams: [service, upstream] for every paid upstream of a service.
paid_upstreams contains [name, upstream_name] if {
	svcs := services
	some name in services_to_check
	some upstream_name, upstream in svcs[name].upstreams
	upstream.paid == true
}

# prod_serving_services_to_check: the serving services in a prod environment
# other than those, found in one pass, that roll back automatically and have
# an availability SLO that meets the reliability KPI.
prod_serving_services_to_check := prod_serving_services - {name |
	svcs := services
	kpi := kpi_availability
	some name in prod_serving_services
	svc := svcs[name]
	svc.rollout.autoRollback == true
	some slo in svc.slos
	slo.kind == "availability"
	object.get(slo, "objective", 0) >= kpi
}

# prod_serving_services_without_auto_rollback: the names of the serving
# services in a prod environment that do not roll back by themselves:
# without rollout.autoRollback: true, or without an SLO to judge by.
prod_serving_services_without_auto_rollback contains name if {
	svcs := services
	some name in prod_serving_services_to_check
	not rolls_back(svcs[name])
}

# rolls_back(svc): the service's rollouts are analysed against its SLOs
# and aborted on a breach.
rolls_back(svc) if {
	svc.rollout.autoRollback == true
	count(as_object(object.get(svc, "slos", {}))) > 0
}

# pools(env): the environment's pools, keyed by pool name.
pools(env) := as_object(get(environments[env], "pools", {}))

# pool_gpus(pool): the pool's GPUs, keyed by model.
pool_gpus(pool) := as_object(get(pool, "gpus", {}))

# env_gpu_models(env): the GPU models any pool of the environment lists.
env_gpu_models(env) := {model |
	some pool in pools(env)
	some model, _ in pool_gpus(pool)
}

# gpu_count(env, model): physical GPUs of a model in the environment's pools.
gpu_count(env, model) := sum([n |
	some pool in pools(env)
	n := get(pool_gpus(pool)[model], "count", 0)
])

# gpu_burst(env, model): GPUs of a model the pools may add on demand.
gpu_burst(env, model) := sum([n |
	some pool in pools(env)
	n := get(pool_gpus(pool)[model], "burst", 0)
])

# Per-environment GPU figures, computed once for the policies that look them
# up for every team's GPU quota:
#
#   env_gpu_model_pairs: [env, model] for every GPU model an environment's
#     pools list (env_gpu_models as one set, for membership tests);
#   gpu_capacity[env][model]: {"count": gpu_count(env, model),
#     "burst": gpu_burst(env, model)};
#   gpu_reserved_in[env][model]: gpu_reserved(env, model), summed by looking
#     the GPU quota up in every team rather than by going through all of
#     gpu_quotas for every environment and model (a team without the quota,
#     or with a quota that reserves nothing, adds nothing either way).
#
# (Indexes keyed by environment hold objects and numbers, not sets: platc
# reads every "deny" and "warn" array under data.platc as findings, and an
# environment may be called "deny".)
env_gpu_model_pairs contains [env, model] if {
	some env, _ in environments
	some model in env_gpu_models(env)
}

gpu_capacity := {env: {model: {"count": gpu_count(env, model), "burst": gpu_burst(env, model)} |
	some [e, model] in env_gpu_model_pairs
	e == env
} |
	some env, _ in environments
}

gpu_reserved_in := {env: {model: sum([reserved |
	some team in all_teams
	reserved := team.quotas[env].gpus[model].reserved
]) |
	some [e, model] in env_gpu_model_pairs
	e == env
} |
	all_teams := teams
	some env, _ in environments
}

# quotas(team): the team's quotas, keyed by environment name.
quotas(team) := as_object(get(team, "quotas", {}))

# quota_gpus(quota): the quota's GPU quotas, keyed by model.
quota_gpus(quota) := as_object(get(quota, "gpus", {}))

# effective_priority: a GPU quota's own priority, else its quota's.
effective_priority(quota, gpu_quota) := p if {
	p := get(gpu_quota, "priority", "")
	p != ""
} else := p if {
	p := get(quota, "priority", "")
	p != ""
} else := "medium"

# gpu_quotas: one entry per team, environment and GPU model.
#
# The priority is effective_priority(quota, gpu_quota), inlined because this
# runs for every team's every GPU quota: object.get({"": fallback}, p, p) is
# fallback when p is "" and p otherwise.
gpu_quotas contains entry if {
	some team_name, team in teams
	some env, quota in team.quotas
	some model, gpu_quota in quota.gpus
	own_priority := object.get(gpu_quota, "priority", "")
	quota_priority := object.get(quota, "priority", "")
	entry := {
		"team": team_name,
		"env": env,
		"model": model,
		"reserved": object.get(gpu_quota, "reserved", 0),
		"borrowingLimit": object.get(gpu_quota, "borrowingLimit", 0),
		"priority": object.get({"": object.get({"": "medium"}, quota_priority, quota_priority)}, own_priority, own_priority),
		"quota": gpu_quota,
	}
}

# gpu_reserved(env, model): GPUs of a model all teams reserve in env.
gpu_reserved(env, model) := sum([q.reserved |
	some q in gpu_quotas
	q.env == env
	q.model == model
])

# Scheduling priority classes, highest first.
priority_rank := {"critical": 5, "high": 4, "medium": 3, "low": 2, "batch": 1}

rank(priority) := object.get(priority_rank, priority, 3)

# known_party(p): a team name, a person ("@handle") or an e-mail address.
known_party(p) if teams[p]

known_party(p) if startswith(p, "@")

known_party(p) if contains(p, "@")

# round1: a number rounded to one decimal place.
round1(x) := round(x * 10) / 10

# gib formats bytes in Gi, "1024Gi" or "1.5Gi".
gib(bytes) := sprintf("%vGi", [round1(bytes / 1073741824)])

# duration formats seconds the way specs write them: "30m", "24h", "7d".
# (platc evaluates with strict built-in errors: % is only used on integers.)
duration(seconds) := sprintf("%vd", [seconds / 86400]) if {
	whole(seconds)
	seconds % 86400 == 0
} else := sprintf("%vh", [seconds / 3600]) if {
	whole(seconds)
	seconds % 3600 == 0
} else := sprintf("%vm", [seconds / 60]) if {
	whole(seconds)
	seconds % 60 == 0
} else := sprintf("%vs", [seconds])

whole(x) if {
	is_number(x)
	x > 0
	round(x) == x
}

# Dates and timestamps. platc evaluates policies with strict built-in
# errors, where one unparsable value would stop every policy, so these
# helpers check a value before parsing it and are undefined for a bad one.

# date_ns: a "2006-01-02" calendar date as nanoseconds at midnight UTC.
date_ns(d) := time.parse_ns("2006-01-02", d) if valid_date(d)

# rfc3339_ns: an RFC 3339 timestamp as nanoseconds; the seconds may be
# left out, as the schema's #DateTime allows ("2026-11-27T18:00Z").
rfc3339_ns(ts) := time.parse_rfc3339_ns(full) if {
	full := with_seconds(ts)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`, full)
	valid_date(substring(full, 0, 10))
}

with_seconds(ts) := concat("", [substring(ts, 0, 16), ":00", substring(ts, 16, -1)]) if {
	is_string(ts)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(Z|[+-])`, ts)
} else := ts if is_string(ts)

valid_date(d) if {
	is_string(d)
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, d)
	year := digits(substring(d, 0, 4))
	day := digits(substring(d, 8, 2))
	day <= days_in_month(year, substring(d, 5, 2))
}

# digits reads a string of decimal digits, leading zeros included.
digits(s) := to_number(concat("", ["1", s])) - {2: 100, 4: 10000}[count(s)]

days_in_month(year, "02") := 29 if leap(year)

else := 28

days_in_month(_, month) := {"01": 31, "03": 31, "04": 30, "05": 31, "06": 30, "07": 31, "08": 31, "09": 30, "10": 31, "11": 30, "12": 31}[month]

leap(year) if {
	year % 4 == 0
	year % 100 != 0
}

leap(year) if year % 400 == 0

# join_sorted joins a set or array of strings, sorted, with ", ".
join_sorted(xs) := concat(", ", sort(xs))

# Paths of spec values, as arrays of labels.
env_path(env) := ["environments", env]

service_path(name) := ["services", name]

team_quota_path(team, env) := ["teams", team, "quotas", env]

gpu_quota_path(team, env, model) := ["teams", team, "quotas", env, "gpus", model]
