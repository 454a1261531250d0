# METADATA
# title: Spec capabilities
# description: >-
#   The capabilities of the 90-day blueprint (schema #Capability) that the
#   spec has. A milestone is done when the spec has every capability it
#   names; blueprint-schedule warns about milestones past their due date that
#   are not. A capability is declared when the spec has what it names
#   (one rule each) and counts only when platc also renders what delivers
#   it (lib/delivery.rego): a declared event bus that nothing provisions is
#   not a done milestone.
package platc.lib.capabilities

import rego.v1

import data.platc.lib.delivery
import data.platc.lib.spec

# has: the capabilities the spec declares and platc delivers.
has := declared - delivery.undelivered_capabilities

# The capabilities about all services use the service indexes of
# lib/spec.rego (unsigned_services, services_without_slos, ...), and the rules
# below that still look at every service read its fields by reference
# (svc.routes, svc.rollout.strategy) rather than through spec.get; see the
# notes there. A reference to an absent or null field is undefined, which
# they only use where get's default would fail the test too.

# gpu-kubernetes: some environment has a pool with GPUs.
declared contains "gpu-kubernetes" if {
	some env in object.keys(spec.environments)
	some pool in spec.pools(env)
	gpu_pool(pool)
}

# gitops: the GitOps engine has a repository to sync from.
declared contains "gitops" if spec.get(spec.platform, ["gitops", "repo"], "") != ""

# iac-templates: a Pulumi project is set.
declared contains "iac-templates" if spec.get(spec.platform, ["pulumi", "project"], "") != ""

# signed-images: there are services, every one is signed, and a signer is set.
declared contains "signed-images" if {
	count(spec.services) > 0
	count(spec.unsigned_services) == 0
	spec.get(spec.platform, ["supplyChain", "signing", "tool"], "") != ""
}

# mixed-scheduling: some environment has both CPU-only and GPU pools.
declared contains "mixed-scheduling" if {
	some env in object.keys(spec.environments)
	some cpu_pool in spec.pools(env)
	not gpu_pool(cpu_pool)
	some pool in spec.pools(env)
	gpu_pool(pool)
}

# lakehouse: the data fabric has a lakehouse.
declared contains "lakehouse" if is_object(spec.data_fabric.lakehouse)

# streaming-pipelines: some pipeline runs in stream mode.
declared contains "streaming-pipelines" if {
	some pipeline in spec.pipelines
	pipeline.mode == "stream"
}

# batch-pipelines: some pipeline runs in batch mode.
declared contains "batch-pipelines" if {
	some pipeline in spec.pipelines
	pipeline.mode == "batch"
}

# data-catalog: a catalog with at least one dataset in it.
declared contains "data-catalog" if {
	is_object(spec.data_fabric.catalog)
	count(spec.datasets) > 0
}

# api-gateway: some service has routes through the gateway.
declared contains "api-gateway" if some_route

# smart-routing: some routed service shifts traffic by canary weights.
declared contains "smart-routing" if smart_routed

# rate-limits: there are routes and every one has a rate limit, its own or its service's.
declared contains "rate-limits" if {
	some_route
	not unlimited_route
}

# budget-guardrails: there are paid upstreams or integrations and every one has a budget.
declared contains "budget-guardrails" if {
	count(paid_apis) > 0
	every api in paid_apis {
		is_object(spec.get(api, "budget", null))
	}
}

# unified-observability: metrics, logs and traces in one stack, and an SLO
# on every serving service.
declared contains "unified-observability" if {
	spec.get(spec.platform, ["observability", "metrics"], "") != ""
	spec.get(spec.platform, ["observability", "logs"], "") != ""
	spec.get(spec.platform, ["observability", "traces"], "") != ""
	every_serving_service_has_slo
}

# slos: there are serving services and every one has an SLO.
declared contains "slos" if {
	count(spec.serving_services) > 0
	every_serving_service_has_slo
}

# auto-rollback: every serving service in production rolls back by itself.
declared contains "auto-rollback" if {
	count(spec.prod_serving_services) > 0
	count(spec.prod_serving_services_without_auto_rollback) == 0
}

# auto-failover: every serving service keeps at least two replicas in each
# prod environment, so one can take over from another.
declared contains "auto-failover" if {
	count(spec.prod_serving_services) > 0
	not unredundant_prod_placement
}

# event-bus: the bus has topics.
declared contains "event-bus" if count(spec.topics) > 0

# drift-detection: some model has a drift monitor.
declared contains "drift-detection" if {
	some model in spec.models
	count(spec.as_object(spec.get(model, "drift", {}))) > 0
}

# auto-retraining: some model retrains behind an evaluation gate.
declared contains "auto-retraining" if {
	some model in spec.models
	is_object(spec.get(model, ["retraining", "evaluation"], null))
}

# gpu-quotas: some team reserves GPUs.
declared contains "gpu-quotas" if some_gpu_reserved

# gpu-borrowing: some team may borrow idle GPUs.
declared contains "gpu-borrowing" if some_gpu_borrowing

gpu_pool(pool) if {
	some gpu in spec.pool_gpus(pool)
	spec.get(gpu, "count", 0) > 0
}

some_route if {
	some svc in spec.services
	is_array(svc.routes)
	count(svc.routes) > 0
}

smart_routed if {
	some svc in spec.services
	is_array(svc.routes)
	count(svc.routes) > 0
	svc.rollout.strategy == "canary"
	is_array(svc.rollout.steps)
	count(svc.rollout.steps) > 0
}

# A route without a rate limit of its own, of a service without one.
unlimited_route if {
	svcs := spec.services
	some name in spec.services_without_rate_limit
	routes := svcs[name].routes
	is_array(routes)
	some route in routes
	not is_object(object.get(route, "rateLimit", null))
}

paid_apis contains api if {
	svcs := spec.services
	some [name, upstream_name] in spec.paid_upstreams
	api := svcs[name].upstreams[upstream_name]
}

paid_apis contains api if {
	some api in spec.integrations
	api.paid == true
}

every_serving_service_has_slo if count(spec.services_without_slos - spec.job_services) == 0

# A prod placement of a serving service with fewer than two replicas (and
# autoscaling.min below two).
unredundant_prod_placement if {
	svcs := spec.services
	prod := spec.prod_envs
	some name in spec.prod_serving_services
	some env, placement in svcs[name].environments
	prod[env]
	not object.get(placement, "replicas", 0) >= 2
	not object.get(placement, ["autoscaling", "min"], 0) >= 2
}

# (Complete rules, so that evaluation stops at the first GPU quota found.)
some_gpu_reserved if {
	some q in spec.gpu_quotas
	q.reserved > 0
}

some_gpu_borrowing if {
	some q in spec.gpu_quotas
	q.borrowingLimit > 0
}
