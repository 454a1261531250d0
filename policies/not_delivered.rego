# METADATA
# title: Declared but not delivered
# description: >-
#   Declared means delivered: every field that describes runtime behaviour
#   either renders the objects that make it true, or platc says it does not.
#   These fields pass the schema but platc renders nothing that makes them
#   true yet, so a green check would promise more than the output does.
#   Each warning names the field and what would deliver it. Silence one
#   with an exception (policies.exceptions) once something outside platc
#   delivers it, or remove the field.
# custom:
#   id: not-delivered
package platc.builtin.not_delivered

import rego.v1

import data.platc.lib.delivery
import data.platc.lib.spec

rule_id := "not-delivered"

warn contains finding if {
	some name, env in spec.environments
	mesh := spec.get(env, ["cluster", "mesh"], "none")
	not mesh in delivery.meshes
	finding := {
		"msg": sprintf("environment %s declares the %s mesh, which platc does not deliver: it renders no sidecar injection, no mutual TLS and no authorisation of the declared callers for %s (no module served to platc carries its policy CRDs)", [name, mesh, mesh]),
		"path": ["environments", name, "cluster", "mesh"],
		"rule": rule_id,
		"hint": "use mesh: \"istio\" or \"cilium\" (platc renders mutual TLS and per-workload authorisation of the declared callers), or configure the mesh outside platc (and add an exception); NetworkPolicies from the declared callers are rendered either way",
	}
}

# Signed images at admission: platc renders Kyverno's ImageValidatingPolicy
# or the sigstore policy-controller's ClusterImagePolicy when it can say
# whose signature to require. The cases it cannot render are those of
# compiler/plan.AdmissionFor (TestAdmissionMatchesNotDelivered), listed in
# lib/delivery.rego.
warn contains finding if {
	tiers := delivery.admission_tiers
	count(tiers) > 0
	some gap in delivery.admission_gaps
	finding := {
		"msg": sprintf("signed images are to be enforced at admission in %s, which platc does not deliver (%s): it renders no admission policy, so an unsigned image is admitted", [spec.join_sorted(tiers), gap.why]),
		"path": array.concat(["platform", "supplyChain"], gap.path),
		"rule": rule_id,
		"hint": gap.hint,
	}
}

# Rate limits at the gateway: envoy-gateway, kong and nginx enforce a
# route's limit (its own or its service's) on the route rule; the cases
# they cannot are those of compiler/plan.RateLimitGap
# (TestRateLimitsMatchNotDelivered keeps the two in step).
gateway_impl := spec.get(spec.platform, ["gateway", "implementation"], "envoy-gateway")

rate_limited_gateways := {"envoy-gateway", "kong", "nginx"}

warn contains finding if {
	not gateway_impl in rate_limited_gateways
	limited := {name |
		some name, svc in spec.services
		limited_service(svc)
	}
	count(limited) > 0
	finding := {
		"msg": sprintf("the rate limits of %d services (%s) are not delivered on the %s gateway: %s has no rate-limit API for Gateway API routes (a local rate limit is an EnvoyFilter patch on the route names it generates, which no API promises)", [count(limited), spec.join_sorted(limited), gateway_impl, gateway_impl]),
		"path": ["platform", "gateway", "implementation"],
		"rule": rule_id,
		"hint": "use implementation: \"envoy-gateway\", \"kong\" or \"nginx\", or configure the limits on your gateway outside platc (and add an exception)",
	}
}

warn contains finding if {
	gateway_impl == "nginx"
	some name, svc in spec.services
	some i, route in spec.as_array(spec.get(svc, "routes", []))
	[limit, path] := route_limit(name, svc, i, route)
	gap := nginx_gap(limit)
	finding := {
		"msg": sprintf("the rate limit of route %s of service %s is not delivered on the nginx gateway: %s", [spec.get(route, "path", ""), name, gap]),
		"path": path,
		"rule": rule_id,
		"hint": "count the limit per second or per minute (or an hourly number that is a multiple of 60) and by a header whose name has only letters, digits and dashes, or use another gateway",
	}
}

# route_limit: a route's effective rate limit and where it is declared.
route_limit(name, svc, i, route) := [limit, path] if {
	limit := spec.get(route, "rateLimit", null)
	is_object(limit)
	path := ["services", name, "routes", i, "rateLimit"]
} else := [limit, ["services", name, "rateLimit"]] if {
	limit := spec.get(svc, "rateLimit", null)
	is_object(limit)
}

nginx_gap(limit) := sprintf("NGINX counts requests per second or per minute, and %d per hour is no whole number per minute", [limit.requests]) if {
	spec.get(limit, "per", "") == "hour"
	limit.requests % 60 != 0
} else := sprintf("NGINX reads a header as a variable, which cannot name the header %q", [limit.header]) if {
	spec.get(limit, "by", "client-ip") == "header"
	not regex.match(`^[A-Za-z0-9-]+$`, spec.get(limit, "header", ""))
}

# A service's own rate limit applies to its routes at the gateway; a
# service with none has nothing it applies to.
warn contains finding if {
	some name, svc in spec.services
	is_object(spec.get(svc, "rateLimit", null))
	count(spec.as_array(spec.get(svc, "routes", []))) == 0
	finding := {
		"msg": sprintf("the rate limit of service %s is not delivered: it is enforced at the gateway on the service's routes, and the service has none", [name]),
		"path": ["services", name, "rateLimit"],
		"rule": rule_id,
		"hint": "declare the routes the gateway serves it on, or remove the rateLimit",
	}
}

limited_service(svc) if is_object(spec.get(svc, "rateLimit", null))

limited_service(svc) if {
	some route in spec.as_array(spec.get(svc, "routes", []))
	is_object(spec.get(route, "rateLimit", null))
}

# Upstream rate limits and budgets: platc puts an egress guard (Envoy)
# between the caller and an upstream with a url (compiler/plan
# guardUpstreams). It enforces a limit counted for all calls together
# (by: global) and switches the calls once the budget is spent. The cases
# it cannot are lib/delivery.rego's; TestGuardsMatchNotDelivered keeps
# the two in step.
warn contains finding if {
	some path, upstream in delivery.guarded
	limit := spec.get(upstream, "rateLimit", null)
	is_object(limit)
	gap := delivery.limit_gap(upstream, limit)
	finding := {
		"msg": sprintf("the rate limit of %s is not delivered: %s", [budget_owner(path), gap]),
		"path": array.concat(path, ["rateLimit"]),
		"rule": rule_id,
		"hint": "give the upstream its https url and count the limit by: \"global\" (the guard counts every call of the caller together), or limit the calls outside platc (and add an exception)",
	}
}

warn contains finding if {
	some path, upstream in delivery.guarded
	budget := spec.get(upstream, "budget", null)
	is_object(budget)
	gap := delivery.budget_gap(path, upstream, budget)
	finding := {
		"msg": sprintf("the budget of %s: onExhausted: %s is not delivered: %s; platc renders the budget alerts only", [budget_owner(path), spec.get(budget, "onExhausted", ""), gap]),
		"path": array.concat(path, ["budget"]),
		"rule": rule_id,
		"hint": "give the upstream its http(s) url, and a degrade fallback that is a service placed where the callers run or an http(s) URL; or act on the UpstreamBudgetExhausted alert outside platc (and add an exception)",
	}
}

budget_owner(["integrations", name]) := sprintf("integration %s", [name])

budget_owner(["services", name, "upstreams", upstream]) := sprintf("upstream %s of service %s", [upstream, name])

warn contains finding if {
	obs := spec.as_object(spec.get(spec.platform, "observability", {}))
	declared := [sprintf("%s (%s)", [f, v]) |
		some f in ["logs", "traces"]
		v := spec.get(obs, f, "")
		v != ""
	]
	count(declared) > 0
	finding := {
		"msg": sprintf("%s not delivered: platc renders no collector and no instrumentation, only the metrics rules and dashboards", [concat(" and ", declared)]),
		"path": ["platform", "observability"],
		"rule": rule_id,
		"hint": "run the collector and backends outside platc (and add an exception)",
	}
}

# Alert routing: with alertmanager.slackWebhook platc renders each team's
# AlertmanagerConfig (providers/gitops/alerting.go); without it, or for a
# team with no slack channel, the alerts it renders reach nobody.
warn contains finding if {
	slack_webhook == ""
	count(alerted_teams) > 0
	finding := {
		"msg": sprintf("alert routing is not delivered: platc renders alerts for the teams %s and routes none of them, so their onCall and channels receive nothing", [some_of(alerted_teams)]),
		"path": ["platform", "observability"],
		"rule": rule_id,
		"hint": "set platform.observability.alertmanager.slackWebhook to the key of the Slack webhook URL in the secret store; or route the alerts outside platc (and add an exception)",
	}
}

warn contains finding if {
	slack_webhook != ""
	some name in alerted_teams
	spec.get(spec.teams, [name, "slack"], "") == ""
	finding := {
		"msg": sprintf("the alerts of team %s are not routed: it has no slack channel", [name]),
		"path": ["teams", name],
		"rule": rule_id,
		"hint": sprintf("set teams.%s.slack to the channel its alerts go to", [name]),
	}
}

warn contains finding if {
	slack_webhook == ""
	receiver := spec.get(spec.platform, ["observability", "alertmanager", "receiver"], "")
	receiver != ""
	finding := {
		"msg": sprintf("alert routing to %s is not delivered: platc renders no Alertmanager configuration without alertmanager.slackWebhook", [receiver]),
		"path": ["platform", "observability", "alertmanager", "receiver"],
		"rule": rule_id,
		"hint": "set alertmanager.slackWebhook (platc then routes each team's alerts to its channel), or configure Alertmanager's routes outside platc (and add an exception)",
	}
}

# some_of(names): the first five names, sorted, and how many more there are.
some_of(names) := spec.join_sorted(names) if count(names) <= 5

some_of(names) := sprintf("%s and %d more", [concat(", ", array.slice(sort(names), 0, 5)), count(names) - 5]) if count(names) > 5

slack_webhook := spec.get(spec.platform, ["observability", "alertmanager", "slackWebhook"], "")

# alerted_teams: the teams platc renders alerts for: SLO burn rates,
# freshness of the pipelines they own, drift of their models.
# (A team the spec does not declare is a reference error already.)
alerted_teams contains team if {
	some svc in spec.services
	count(spec.as_object(spec.get(svc, "slos", {}))) > 0
	team := spec.get(svc, "team", "")
	spec.teams[team]
}

alerted_teams contains team if {
	some pipeline in spec.pipelines
	team := spec.get(pipeline, "owner", "")
	spec.teams[team]
}

alerted_teams contains team if {
	some model in spec.models
	count(spec.as_object(spec.get(model, "drift", {}))) > 0
	team := spec.get(model, "team", "")
	spec.teams[team]
}

warn contains finding if {
	kind := spec.get(spec.events, ["bus", "kind"], "")
	kind != ""
	count(spec.topics) > 0
	finding := {
		"msg": sprintf("the %s event bus and its %d topics are not delivered: platc provisions no bus and creates no topic (partitions, retention and schema are unused); they appear in the catalog only", [kind, count(spec.topics)]),
		"path": ["events", "bus"],
		"rule": rule_id,
		"hint": "provision the bus and topics outside platc (and add an exception)",
	}
}

# A batch pipeline with an image runs as a CronJob on its schedule
# (providers/gitops); one without, or a stream pipeline, is the engine's to
# run.
warn contains finding if {
	some name, pipeline in spec.pipelines
	spec.get(pipeline, "mode", "") == "batch"
	spec.get(pipeline, "image", "") == ""
	runs := [f | some f in ["schedule", "engine"]; spec.get(pipeline, f, "") != ""]
	count(runs) > 0
	finding := {
		"msg": sprintf("pipeline %s: %s not delivered: platc runs a batch pipeline only when it has an image, and renders freshness alerts only for this one", [name, concat(" and ", runs)]),
		"path": ["data", "pipelines", name],
		"rule": rule_id,
		"hint": sprintf("set data.pipelines.%s.image (and command) to run it as a CronJob on its schedule, or schedule it in %s outside platc (and add an exception)", [name, spec.get(pipeline, "engine", "its engine")]),
	}
}

warn contains finding if {
	some name, pipeline in spec.pipelines
	spec.get(pipeline, "mode", "") == "stream"
	engine := spec.get(pipeline, "engine", "")
	engine != ""
	finding := {
		"msg": sprintf("pipeline %s: the %s stream is not delivered: platc runs no stream pipeline, it renders freshness alerts only", [name, engine]),
		"path": ["data", "pipelines", name, "engine"],
		"rule": rule_id,
		"hint": sprintf("run it in %s outside platc (and add an exception)", [engine]),
	}
}

warn contains finding if {
	some name, model in spec.models
	is_object(spec.get(model, "retraining", null))
	finding := {
		"msg": sprintf("model %s: retraining is not delivered: a drift alert carries platc_action=retrain, but nothing starts the pipeline or runs the evaluation gate", [name]),
		"path": ["models", name, "retraining"],
		"rule": rule_id,
		"hint": "trigger the retraining pipeline from the drift alert outside platc (and add an exception)",
	}
}

warn contains finding if {
	some name, model in spec.models
	promotion := spec.as_object(spec.get(model, "promotion", {}))
	promotes(promotion)
	finding := {
		"msg": sprintf("model %s: promotion (%s%s) is not delivered: platc renders no canary, shadow or approval step for a new model version", [name, spec.get(promotion, "strategy", "rolling"), approval_text(promotion)]),
		"path": ["models", name, "promotion"],
		"rule": rule_id,
		"hint": "promote models outside platc (and add an exception); a rolling promotion without approval is the serving service's own rollout",
	}
}

promotes(promotion) if spec.get(promotion, "strategy", "rolling") != "rolling"

promotes(promotion) if spec.get(promotion, "approval", "") != ""

approval_text(promotion) := sprintf(", approval by %s", [a]) if {
	a := spec.get(promotion, "approval", "")
	a != ""
} else := ""

warn contains finding if {
	some name, env in spec.environments
	bursting := {pool |
		some pool, p in spec.pools(name)
		bursts(p)
	}
	count(bursting) > 0
	finding := {
		"msg": sprintf("environment %s: the burst of pools %s is not delivered: platc installs no cluster autoscaler, so nodes beyond a pool's minimum are never added (the AWS node groups allow them)", [name, spec.join_sorted(bursting)]),
		"path": ["environments", name, "pools"],
		"rule": rule_id,
		"hint": "install a cluster autoscaler (Cluster Autoscaler or Karpenter) outside platc (and add an exception)",
	}
}

bursts(pool) if spec.get(pool, ["nodes", "burst"], 0) > 0

bursts(pool) if {
	some gpu in spec.pool_gpus(pool)
	spec.get(gpu, "burst", 0) > 0
}
