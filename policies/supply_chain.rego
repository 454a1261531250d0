# METADATA
# title: Supply chain
# description: >-
#   In the source document's Infra-to-Model loop every image is signed in CI,
#   stored in the registry and verified before it runs; platc's security bar
#   asks for images pinned by digest and signature verification for
#   production. The schema already requires every image to be pinned by
#   digest; this rule requires every service that runs in a prod environment
#   to be signed (services.<name>.signed) and, when the spec has a prod
#   environment, signature verification to be enforced at admission in the
#   prod tier (platform.supplyChain.verify.enforce contains "prod").
# custom:
#   id: supply-chain
package platc.builtin.supply_chain

import rego.v1

import data.platc.lib.spec

rule_id := "supply-chain"

deny contains finding if {
	unsigned := spec.prod_services & spec.unsigned_services
	some name in unsigned
	finding := {
		"msg": sprintf("service %s runs in %s with an unsigned image", [name, spec.join_sorted(spec.service_prod_envs(name))]),
		"path": ["services", name, "signed"],
		"rule": rule_id,
		"hint": "sign the image in CI (the image-signing gate) and set signed: true",
	}
}

deny contains finding if {
	count(spec.prod_envs) > 0
	enforce := spec.as_array(spec.get(spec.platform, ["supplyChain", "verify", "enforce"], []))
	not "prod" in enforce
	finding := {
		"msg": sprintf("image signatures are not verified in prod (platform.supplyChain.verify.enforce is [%s])", [concat(", ", enforce)]),
		"path": ["platform", "supplyChain", "verify", "enforce"],
		"rule": rule_id,
		"hint": "add \"prod\" to platform.supplyChain.verify.enforce",
	}
}
