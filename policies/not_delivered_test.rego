package platc.builtin.not_delivered_test

import rego.v1

import data.platc.builtin.not_delivered

# A spec that declares nothing platc cannot deliver.
delivered := {
	"platform": {
		"gateway": {"implementation": "envoy-gateway"},
		"supplyChain": {"verify": {"enforce": [], "policyEngine": "kyverno"}},
	},
	"environments": {"prod": {"name": "prod", "tier": "prod", "cluster": {"mesh": "none"}, "pools": {"general": {"cpu": 8, "nodes": {"min": 1, "max": 2}}}}},
	"services": {"api": {"name": "api", "routes": [{"path": "/", "rateLimit": {"requests": 10, "per": "second"}}], "environments": {"prod": {"replicas": 2, "autoscaling": {"min": 2, "max": 4, "targetCPU": 70}}}}},
	"integrations": {"crm": {"name": "crm", "kind": "saas"}},
	"models": {"ranker": {"name": "ranker", "promotion": {"strategy": "rolling"}}},
	"data": {"pipelines": {"etl": {"name": "etl", "mode": "batch"}}},
}

paths(findings) := {f.path | some f in findings}

test_delivered_spec_has_no_warning if {
	count(not_delivered.warn) == 0 with input as delivered
}

test_each_undelivered_field_warns_at_its_path if {
	inp := json.patch(delivered, [
		{"op": "replace", "path": "/environments/prod/cluster/mesh", "value": "linkerd"},
		{"op": "replace", "path": "/platform/supplyChain/verify/enforce", "value": ["prod", "staging"]},
		{"op": "add", "path": "/integrations/crm/budget", "value": {"amount": 100, "onExhausted": "block"}},
		{"op": "add", "path": "/services/api/upstreams", "value": {"llm": {"rateLimit": {"requests": 5, "per": "second"}, "budget": {"amount": 10, "onExhausted": "degrade", "fallback": "small"}}}},
		{"op": "add", "path": "/platform/observability", "value": {"metrics": "prometheus", "logs": "loki", "traces": "tempo", "alertmanager": {"receiver": "oncall"}}},
		{"op": "add", "path": "/events", "value": {"bus": {"kind": "kafka"}, "topics": {"orders": {"name": "orders"}}}},
		{"op": "add", "path": "/data/pipelines/etl/schedule", "value": "0 * * * *"},
		{"op": "add", "path": "/models/ranker/retraining", "value": {"trigger": "drift"}},
		{"op": "replace", "path": "/models/ranker/promotion", "value": {"strategy": "shadow"}},
		{"op": "replace", "path": "/environments/prod/pools/general/nodes/max", "value": 2},
		{"op": "add", "path": "/environments/prod/pools/general/nodes/burst", "value": 4},
	])
	found := not_delivered.warn with input as inp
	paths(found) == {
		["environments", "prod", "cluster", "mesh"],
		["platform", "supplyChain", "signing", "identity"],
		["integrations", "crm", "budget"],
		["services", "api", "upstreams", "llm", "rateLimit"],
		["services", "api", "upstreams", "llm", "budget"],
		["platform", "observability"],
		["platform", "observability", "alertmanager", "receiver"],
		["events", "bus"],
		["data", "pipelines", "etl"],
		["models", "ranker", "retraining"],
		["models", "ranker", "promotion"],
		["environments", "prod", "pools"],
	}
}

# An upstream with a url gets an egress guard: a global limit and a
# budget that blocks, breaks or degrades to a placed service or a URL are
# delivered.
test_guarded_upstreams_are_delivered if {
	inp := json.patch(delivered, [
		{"op": "add", "path": "/services/small", "value": {"name": "small", "environments": {"prod": {}}}},
		{"op": "add", "path": "/integrations/crm/url", "value": "https://crm.example/api"},
		{"op": "add", "path": "/integrations/crm/budget", "value": {"amount": 100, "onExhausted": "block"}},
		{"op": "add", "path": "/services/api/dependencies", "value": ["integration/crm"]},
		{"op": "add", "path": "/services/api/upstreams", "value": {
			"llm": {"url": "https://llm.example:8443/v1", "rateLimit": {"requests": 5, "per": "second", "by": "global"}, "budget": {"amount": 10, "onExhausted": "degrade", "fallback": "small"}},
			"maps": {"url": "http://maps.example", "budget": {"amount": 10, "onExhausted": "degrade", "fallback": "https://maps-lite.example"}},
			"fx": {"url": "https://fx.example", "budget": {"amount": 10, "onExhausted": "circuit-break"}},
		}},
	])
	count(not_delivered.warn) == 0 with input as inp
}

test_guard_gaps if {
	cases := [
		{"upstream": {"rateLimit": {"requests": 5, "per": "second", "by": "global"}}, "path": ["services", "api", "upstreams", "u", "rateLimit"], "msg": "it has no url, so no egress guard can forward its calls"},
		{"upstream": {"url": "ftp://x.example", "budget": {"amount": 1, "onExhausted": "block"}}, "path": ["services", "api", "upstreams", "u", "budget"], "msg": "its url \"ftp://x.example\" is no http or https URL with a host"},
		{"upstream": {"url": "https://x.example", "rateLimit": {"requests": 5, "per": "second"}}, "path": ["services", "api", "upstreams", "u", "rateLimit"], "msg": "the egress guard counts the limit for all of the caller's calls together (by: global), not by client-ip"},
		{"upstream": {"url": "https://x.example", "budget": {"amount": 1, "onExhausted": "degrade", "fallback": "cached answers"}}, "path": ["services", "api", "upstreams", "u", "budget"], "msg": "the fallback \"cached answers\" is neither a service of the spec nor an http(s) URL"},
		{"upstream": {"url": "https://x.example", "budget": {"amount": 1, "onExhausted": "degrade", "fallback": "small"}}, "path": ["services", "api", "upstreams", "u", "budget"], "msg": "the fallback service small is not placed in prod, where the upstream is called"},
	]
	every c in cases {
		inp := json.patch(delivered, [
			{"op": "add", "path": "/services/small", "value": {"name": "small", "environments": {"dev": {}}}},
			{"op": "add", "path": "/services/api/upstreams", "value": {"u": c.upstream}},
		])
		[f] := [f | some f in not_delivered.warn] with input as inp
		f.path == c.path
		contains(f.msg, c.msg)
	}
}

test_enforcement_only_in_declared_tiers if {
	inp := json.patch(delivered, [{"op": "replace", "path": "/platform/supplyChain/verify/enforce", "value": ["staging"]}])
	count(not_delivered.warn) == 0 with input as inp
}

test_rate_limits_on_istio if {
	inp := json.patch(delivered, [{"op": "replace", "path": "/platform/gateway/implementation", "value": "istio"}])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.path == ["platform", "gateway", "implementation"]
	startswith(f.msg, "the rate limits of 1 services (api) are not delivered on the istio gateway: istio has no rate-limit API")
}

test_rate_limits_on_kong_and_nginx_are_delivered if {
	every impl in ["kong", "nginx"] {
		inp := json.patch(delivered, [{"op": "replace", "path": "/platform/gateway/implementation", "value": impl}])
		count(not_delivered.warn) == 0 with input as inp
	}
}

# The nginx gaps, the same table as compiler's
# TestRateLimitsMatchNotDelivered: an hourly count that is no whole number
# per minute, and a header NGINX cannot read as a variable; at the route's
# own limit, or at the service's it falls back on.
test_rate_limits_nginx_gaps if {
	cases := [
		{"limit": {"requests": 120, "per": "hour"}, "warned": false},
		{"limit": {"requests": 100, "per": "hour"}, "warned": true},
		{"limit": {"requests": 5, "per": "minute", "by": "header", "header": "X-Api-Key"}, "warned": false},
		{"limit": {"requests": 5, "per": "second", "by": "header", "header": "x.api.key"}, "warned": true},
	]
	every c in cases {
		inp := json.patch(delivered, [
			{"op": "replace", "path": "/platform/gateway/implementation", "value": "nginx"},
			{"op": "replace", "path": "/services/api/routes/0/rateLimit", "value": c.limit},
		])
		found := paths(not_delivered.warn) with input as inp
		want := {p | c.warned; p := ["services", "api", "routes", 0, "rateLimit"]}
		found == want
	}
	inp := json.patch(delivered, [
		{"op": "replace", "path": "/platform/gateway/implementation", "value": "nginx"},
		{"op": "remove", "path": "/services/api/routes/0/rateLimit"},
		{"op": "add", "path": "/services/api/rateLimit", "value": {"requests": 7, "per": "hour"}},
	])
	paths(not_delivered.warn) == {["services", "api", "rateLimit"]} with input as inp
}

test_service_limit_without_routes if {
	inp := json.patch(delivered, [
		{"op": "replace", "path": "/services/api/routes", "value": []},
		{"op": "add", "path": "/services/api/rateLimit", "value": {"requests": 7, "per": "second"}},
	])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.path == ["services", "api", "rateLimit"]
}

test_rolling_promotion_is_the_rollout if {
	inp := json.patch(delivered, [{"op": "add", "path": "/models/ranker/promotion/approval", "value": "@lead"}])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.msg == "model ranker: promotion (rolling, approval by @lead) is not delivered: platc renders no canary, shadow or approval step for a new model version"
}

test_istio_and_secret_refs_are_delivered if {
	inp := json.patch(delivered, [
		{"op": "replace", "path": "/environments/prod/cluster/mesh", "value": "istio"},
		{"op": "add", "path": "/integrations/crm/secretRef", "value": "crm/token"},
	])
	count(not_delivered.warn) == 0 with input as inp
}

# Each supply chain and whether platc can render its admission policy:
# the same table as compiler/plan's TestAdmissionFor.
admission_cases := [
	{"sc": {"signing": {"tool": "cosign", "keyless": true, "identity": {"issuer": "https://token.actions.githubusercontent.com", "subject": "^https://github\\.com/acme/"}}, "verify": {"policyEngine": "kyverno"}}, "gap": set()},
	{"sc": {"signing": {"tool": "cosign", "keyless": true}, "verify": {"policyEngine": "kyverno"}}, "gap": {["platform", "supplyChain", "signing", "identity"]}},
	{"sc": {"signing": {"tool": "cosign", "keyless": false, "key": "awskms:///alias/signer"}, "verify": {"policyEngine": "sigstore-policy-controller"}}, "gap": set()},
	{"sc": {"signing": {"tool": "cosign", "keyless": false, "key": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"}, "verify": {"policyEngine": "kyverno"}}, "gap": set()},
	{"sc": {"signing": {"tool": "cosign", "keyless": false, "key": "signer.pub"}, "verify": {"policyEngine": "kyverno"}}, "gap": {["platform", "supplyChain", "signing", "key"]}},
	{"sc": {"signing": {"tool": "cosign", "keyless": false}, "verify": {"policyEngine": "kyverno"}}, "gap": {["platform", "supplyChain", "signing", "key"]}},
	{"sc": {"signing": {"tool": "notation", "keyless": false, "key": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}, "verify": {"policyEngine": "kyverno"}}, "gap": set()},
	{"sc": {"signing": {"tool": "notation", "keyless": true}, "verify": {"policyEngine": "kyverno"}}, "gap": {["platform", "supplyChain", "signing", "key"]}},
	{"sc": {"signing": {"tool": "notation", "keyless": false, "key": "-----BEGIN CERTIFICATE-----"}, "verify": {"policyEngine": "sigstore-policy-controller"}}, "gap": {["platform", "supplyChain", "verify", "policyEngine"]}},
	{"sc": {"signing": {"tool": "cosign", "keyless": true, "identity": {"issuer": "x", "subject": "y"}}, "verify": {"policyEngine": "gatekeeper"}}, "gap": {["platform", "supplyChain", "verify", "policyEngine"]}},
]

test_admission_gaps if {
	every c in admission_cases {
		sc := object.union(c.sc, {"verify": object.union(c.sc.verify, {"enforce": ["prod"]})})
		inp := json.patch(delivered, [{"op": "replace", "path": "/platform/supplyChain", "value": sc}])
		paths(not_delivered.warn) == c.gap with input as inp
	}
}

test_nothing_enforced_is_no_gap if {
	inp := json.patch(delivered, [{"op": "replace", "path": "/platform/supplyChain", "value": {"signing": {"tool": "cosign", "keyless": true}, "verify": {"enforce": ["staging"], "policyEngine": "gatekeeper"}}}])
	count(not_delivered.warn) == 0 with input as inp
}

alerting := json.patch(delivered, [
	{"op": "add", "path": "/teams", "value": {"shop": {"onCall": "@ann", "slack": "#shop"}, "data": {"onCall": "@bo"}}},
	{"op": "add", "path": "/services/api/team", "value": "shop"},
	{"op": "add", "path": "/services/api/slos", "value": {"availability": {"kind": "availability", "objective": 99.9}}},
	{"op": "add", "path": "/data/pipelines/etl/owner", "value": "data"},
])

test_alerts_routed_nowhere_warn_once if {
	found := not_delivered.warn with input as alerting
	[f.msg | some f in found] == ["alert routing is not delivered: platc renders alerts for the teams data, shop and routes none of them, so their onCall and channels receive nothing"]
}

test_a_slack_webhook_routes_every_team_with_a_channel if {
	inp := json.patch(alerting, [{"op": "add", "path": "/platform/observability", "value": {"alertmanager": {"slackWebhook": "platform/slack-webhook", "receiver": "default"}}}])
	paths(not_delivered.warn) == {["teams", "data"]} with input as inp
}

test_many_unrouted_teams_are_summarised if {
	teams := {sprintf("t%d", [i]): {"onCall": "@x"} | some i in numbers.range(1, 7)}
	pipelines := {sprintf("p%d", [i]): {"name": sprintf("p%d", [i]), "mode": "batch", "owner": sprintf("t%d", [i])} | some i in numbers.range(1, 7)}
	inp := json.patch(delivered, [{"op": "add", "path": "/teams", "value": teams}, {"op": "replace", "path": "/data/pipelines", "value": pipelines}])
	found := not_delivered.warn with input as inp
	some f in found
	f.msg == "alert routing is not delivered: platc renders alerts for the teams t1, t2, t3, t4, t5 and 2 more and routes none of them, so their onCall and channels receive nothing"
}

test_batch_pipeline_with_an_image_is_delivered if {
	inp := json.patch(delivered, [
		{"op": "add", "path": "/data/pipelines/etl/schedule", "value": "0 * * * *"},
		{"op": "add", "path": "/data/pipelines/etl/engine", "value": "dbt"},
		{"op": "add", "path": "/data/pipelines/etl/image", "value": "registry.example/etl@sha256:0000000000000000000000000000000000000000000000000000000000000000"},
	])
	count(not_delivered.warn) == 0 with input as inp
}

test_batch_pipeline_without_an_image_names_the_field_that_delivers_it if {
	inp := json.patch(delivered, [
		{"op": "add", "path": "/data/pipelines/etl/schedule", "value": "0 * * * *"},
		{"op": "add", "path": "/data/pipelines/etl/engine", "value": "airflow"},
	])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.msg == "pipeline etl: schedule and engine not delivered: platc runs a batch pipeline only when it has an image, and renders freshness alerts only for this one"
	f.hint == "set data.pipelines.etl.image (and command) to run it as a CronJob on its schedule, or schedule it in airflow outside platc (and add an exception)"
}

test_stream_pipeline_is_the_engines if {
	inp := json.patch(delivered, [{"op": "add", "path": "/data/pipelines/stream", "value": {"name": "stream", "mode": "stream", "engine": "flink", "image": "registry.example/s@sha256:0000000000000000000000000000000000000000000000000000000000000000"}}])
	[f] := [f | some f in not_delivered.warn] with input as inp
	f.path == ["data", "pipelines", "stream", "engine"]
	f.msg == "pipeline stream: the flink stream is not delivered: platc runs no stream pipeline, it renders freshness alerts only"
}
