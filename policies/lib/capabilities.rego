# METADATA
# title: Spec capabilities
# description: >-
#   The capabilities of the 90-day blueprint (schema #Capability) that the
#   spec has. A milestone is done when the spec has every capability it
#   names; blueprint-schedule warns about milestones past their due date that
#   are not. Each capability is read from the spec alone, one rule each.
package platc.lib.capabilities

import rego.v1

import data.platc.lib.spec

# gpu-kubernetes: some environment has a pool with GPUs.
has contains "gpu-kubernetes" if {
	some env in object.keys(spec.environments)
	some pool in spec.pools(env)
	gpu_pool(pool)
}

# gitops: the GitOps engine has a repository to sync from.
has contains "gitops" if spec.get(spec.platform, ["gitops", "repo"], "") != ""

# iac-templates: a Pulumi project is set.
has contains "iac-templates" if spec.get(spec.platform, ["pulumi", "project"], "") != ""

# signed-images: there are services, every one is signed, and a signer is set.
has contains "signed-images" if {
	count(spec.services) > 0
	every svc in spec.services {
		spec.get(svc, "signed", false) == true
	}
	spec.get(spec.platform, ["supplyChain", "signing", "tool"], "") != ""
}

# mixed-scheduling: some environment has both CPU-only and GPU pools.
has contains "mixed-scheduling" if {
	some env in object.keys(spec.environments)
	some cpu_pool in spec.pools(env)
	not gpu_pool(cpu_pool)
	some pool in spec.pools(env)
	gpu_pool(pool)
}

# lakehouse: the data fabric has a lakehouse.
has contains "lakehouse" if is_object(spec.data_fabric.lakehouse)

# streaming-pipelines: some pipeline runs in stream mode.
has contains "streaming-pipelines" if {
	some pipeline in spec.pipelines
	pipeline.mode == "stream"
}

# batch-pipelines: some pipeline runs in batch mode.
has contains "batch-pipelines" if {
	some pipeline in spec.pipelines
	pipeline.mode == "batch"
}

# data-catalog: a catalog with at least one dataset in it.
has contains "data-catalog" if {
	is_object(spec.data_fabric.catalog)
	count(spec.datasets) > 0
}

# api-gateway: some service has routes through the gateway.
has contains "api-gateway" if {
	some svc in spec.services
	count(routes(svc)) > 0
}

# smart-routing: some routed service shifts traffic by canary weights.
has contains "smart-routing" if {
	some svc in spec.services
	count(routes(svc)) > 0
	spec.get(svc, ["rollout", "strategy"], "") == "canary"
	count(spec.as_array(spec.get(svc, ["rollout", "steps"], []))) > 0
}

# rate-limits: there are routes and every one has a rate limit, its own or its service's.
has contains "rate-limits" if {
	some_route
	not unlimited_route
}

# budget-guardrails: there are paid upstreams or integrations and every one has a budget.
has contains "budget-guardrails" if {
	count(paid_apis) > 0
	every api in paid_apis {
		is_object(spec.get(api, "budget", null))
	}
}

# unified-observability: metrics, logs and traces in one stack, and an SLO
# on every serving service.
has contains "unified-observability" if {
	spec.get(spec.platform, ["observability", "metrics"], "") != ""
	spec.get(spec.platform, ["observability", "logs"], "") != ""
	spec.get(spec.platform, ["observability", "traces"], "") != ""
	every name in spec.serving_services {
		has_slo(spec.services[name])
	}
}

# slos: there are serving services and every one has an SLO.
has contains "slos" if {
	count(spec.serving_services) > 0
	every name in spec.serving_services {
		has_slo(spec.services[name])
	}
}

# auto-rollback: every serving service in production rolls back by itself.
has contains "auto-rollback" if {
	count(spec.prod_serving_services) > 0
	every name in spec.prod_serving_services {
		spec.get(spec.services[name], ["rollout", "autoRollback"], false) == true
	}
}

# auto-failover: every serving service keeps at least two replicas in each
# prod environment, so one can take over from another.
has contains "auto-failover" if {
	count(spec.prod_serving_services) > 0
	every name in spec.prod_serving_services {
		every env in spec.service_prod_envs(name) {
			redundant(spec.placements(spec.services[name])[env])
		}
	}
}

# event-bus: the bus has topics.
has contains "event-bus" if count(spec.topics) > 0

# drift-detection: some model has a drift monitor.
has contains "drift-detection" if {
	some model in spec.models
	count(spec.as_object(spec.get(model, "drift", {}))) > 0
}

# auto-retraining: some model retrains behind an evaluation gate.
has contains "auto-retraining" if {
	some model in spec.models
	is_object(spec.get(model, ["retraining", "evaluation"], null))
}

# gpu-quotas: some team reserves GPUs.
has contains "gpu-quotas" if {
	some q in spec.gpu_quotas
	q.reserved > 0
}

# gpu-borrowing: some team may borrow idle GPUs.
has contains "gpu-borrowing" if {
	some q in spec.gpu_quotas
	q.borrowingLimit > 0
}

gpu_pool(pool) if {
	some gpu in spec.pool_gpus(pool)
	spec.get(gpu, "count", 0) > 0
}

routes(svc) := spec.as_array(spec.get(svc, "routes", []))

some_route if {
	some svc in spec.services
	count(routes(svc)) > 0
}

unlimited_route if {
	some svc in spec.services
	some route in routes(svc)
	not rate_limited(svc, route)
}

rate_limited(_, route) if is_object(spec.get(route, "rateLimit", null))

rate_limited(svc, _) if is_object(spec.get(svc, "rateLimit", null))

paid_apis contains api if {
	some svc in spec.services
	some api in spec.as_object(spec.get(svc, "upstreams", {}))
	spec.get(api, "paid", false) == true
}

paid_apis contains api if {
	some api in spec.integrations
	spec.get(api, "paid", false) == true
}

has_slo(svc) if count(spec.as_object(spec.get(svc, "slos", {}))) > 0

redundant(placement) if spec.get(placement, "replicas", 0) >= 2

redundant(placement) if spec.get(placement, ["autoscaling", "min"], 0) >= 2
