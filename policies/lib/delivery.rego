# METADATA
# title: What platc delivers
# description: >-
#   Which declared runtime behaviour platc renders the objects of, for the
#   built-in not-delivered policy (which warns about the rest) and for the
#   blueprint's capabilities (a capability is done only when what delivers
#   it renders).
package platc.lib.delivery

import rego.v1

import data.platc.lib.spec

# meshes are the cluster.mesh values platc renders the objects of.
meshes := {"none", "", "istio", "cilium"}

# admission_tiers: the tiers of the spec's environments that are to verify
# image signatures at admission.
admission_tiers := {t | some t in spec.as_array(spec.get(spec.platform, ["supplyChain", "verify", "enforce"], []))} & {spec.get(env, "tier", "") | some env in spec.environments}

supply_chain := spec.as_object(spec.get(spec.platform, "supplyChain", {}))

policy_engine := spec.get(supply_chain, ["verify", "policyEngine"], "kyverno")

signing_tool := spec.get(supply_chain, ["signing", "tool"], "cosign")

signing_key := trim_space(spec.get(supply_chain, ["signing", "key"], ""))

# admission_gaps: why platc cannot render the admission policy that
# verifies image signatures (empty when it can), each with the supply-chain
# field to change and what to do.
admission_gaps contains {
	"why": sprintf("%s verifies no image signatures without an external data provider", [policy_engine]),
	"path": ["verify", "policyEngine"],
	"hint": "use policyEngine: \"kyverno\" or \"sigstore-policy-controller\", or verify signatures outside platc (and add an exception)",
} if {
	not policy_engine in {"kyverno", "sigstore-policy-controller"}
}

admission_gaps contains {
	"why": "the sigstore policy-controller verifies no notation signatures",
	"path": ["verify", "policyEngine"],
	"hint": "use policyEngine: \"kyverno\" with notation, or sign with cosign",
} if {
	policy_engine == "sigstore-policy-controller"
	signing_tool == "notation"
}

admission_gaps contains {
	"why": "notation signatures are verified against a certificate, and signing.key holds no PEM certificate",
	"path": ["signing", "key"],
	"hint": "set signing.key to the signing certificate in PEM (-----BEGIN CERTIFICATE-----)",
} if {
	policy_engine == "kyverno"
	signing_tool == "notation"
	not startswith(signing_key, "-----BEGIN CERTIFICATE")
}

admission_gaps contains {
	"why": "keyless signing names no signing.identity, so nothing says whose signatures to require",
	"path": ["signing", "identity"],
	"hint": "set signing.identity.subject to the signing workflow's certificate subject, a regular expression (and issuer if it is not GitHub Actions')",
} if {
	policy_engine in {"kyverno", "sigstore-policy-controller"}
	signing_tool != "notation"
	spec.get(supply_chain, ["signing", "keyless"], true) == true
	spec.get(supply_chain, ["signing", "identity", "subject"], "") == ""
}

admission_gaps contains {
	"why": "signing.key is neither a PEM public key nor a KMS URI",
	"path": ["signing", "key"],
	"hint": "set signing.key to the public key in PEM, or to a KMS URI (awskms://, gcpkms://, azurekms://, hashivault://, k8s://)",
} if {
	policy_engine in {"kyverno", "sigstore-policy-controller"}
	signing_tool != "notation"
	spec.get(supply_chain, ["signing", "keyless"], true) == false
	not startswith(signing_key, "-----BEGIN ")
	not contains(signing_key, "://")
}

# undelivered_capabilities: blueprint capabilities the spec declares but
# platc does not yet render what makes them true.
undelivered_capabilities contains "signed-images" if count(admission_tiers) == 0

undelivered_capabilities contains "signed-images" if count(admission_gaps) > 0

# The bus and its topics are not provisioned.
undelivered_capabilities contains "event-bus"

# No collector or instrumentation for logs and traces.
undelivered_capabilities contains "unified-observability"

# Nothing starts a retraining pipeline or runs its evaluation gate.
undelivered_capabilities contains "auto-retraining"

# A budget acts through its egress guard.
undelivered_capabilities contains "budget-guardrails" if {
	some path, upstream in guarded
	budget := spec.get(upstream, "budget", null)
	is_object(budget)
	budget_gap(path, upstream, budget)
}

# Egress guards (compiler/plan guardUpstreams): why an upstream's rate
# limit or budget gets none.
limit_gap(upstream, _) := gap if gap := url_gap(upstream)

limit_gap(upstream, limit) := sprintf("the egress guard counts the limit for all of the caller's calls together (by: global), not by %s", [spec.get(limit, "by", "client-ip")]) if {
	not url_gap(upstream)
	spec.get(limit, "by", "client-ip") != "global"
}

budget_gap(_, upstream, _) := gap if gap := url_gap(upstream)

budget_gap(path, upstream, budget) := gap if {
	not url_gap(upstream)
	spec.get(budget, "onExhausted", "") == "degrade"
	gap := fallback_gap(path, spec.get(budget, "fallback", ""))
}

url_gap(upstream) := "it has no url, so no egress guard can forward its calls" if {
	spec.get(upstream, "url", "") == ""
} else := sprintf("its url %q is no http or https URL with a host", [u]) if {
	u := spec.get(upstream, "url", "")
	not regex.match(`^https?://[^/?#@:]+(:[0-9]{1,5})?([/?#].*)?$`, u)
}

# fallback_gap: why a degrade fallback cannot be reached from where the
# callers run: it must be a service placed in each of their environments,
# or an http(s) URL.
fallback_gap(path, fallback) := sprintf("the fallback %q is neither a service of the spec nor an http(s) URL", [fallback]) if {
	not spec.services[fallback]
	not regex.match(`^https?://[^/?#@:]+(:[0-9]{1,5})?([/?#].*)?$`, fallback)
} else := sprintf("the fallback service %s is not placed in %s, where the upstream is called", [fallback, spec.join_sorted(missing)]) if {
	svc := spec.services[fallback]
	placed := {e | some e, _ in spec.as_object(spec.get(svc, "environments", {}))}
	missing := caller_envs(path) - placed
	count(missing) > 0
}

# caller_envs: the environments the callers of an upstream run in.
caller_envs(["services", name, "upstreams", _]) := {e |
	some e, _ in spec.as_object(spec.get(spec.services[name], "environments", {}))
}

caller_envs(["integrations", name]) := {e |
	some svc in spec.services
	sprintf("integration/%s", [name]) in spec.as_array(spec.get(svc, "dependencies", []))
	some e, _ in spec.as_object(spec.get(svc, "environments", {}))
}

# guarded_with_url: the guarded upstreams and integrations that get an
# egress guard for their limit or budget.
guarded_with_url contains path if {
	some path, upstream in guarded
	some f in ["rateLimit", "budget"]
	is_object(spec.get(upstream, f, null))
	not url_gap(upstream)
}

# guarded: the upstreams and integrations a caller reaches through a guard
# when they have a rate limit or a budget, by their path.
guarded[["integrations", name]] := integration if {
	some name, integration in spec.integrations
}

guarded[["services", name, "upstreams", upstream_name]] := upstream if {
	some name, svc in spec.services
	some upstream_name, upstream in spec.as_object(spec.get(svc, "upstreams", {}))
}

