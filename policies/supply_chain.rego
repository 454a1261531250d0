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
#   prod tier (platform.supplyChain.verify.enforce contains "prod"). A
#   service with an unsigned image in any other tier that verifies
#   signatures is an error too: admission would refuse its pods.
# custom:
#   id: supply-chain
package platc.builtin.supply_chain

import rego.v1

import data.platc.lib.delivery
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

# Environments of other tiers whose admission verifies signatures refuse
# an unsigned image just the same: signed: false there is an error, not a
# silent exemption.
deny contains finding if {
	enforce := spec.as_array(spec.get(spec.platform, ["supplyChain", "verify", "enforce"], []))
	enforced := {t | some t in enforce} - {"prod"}
	count(enforced) > 0
	envs := {name | some name, env in spec.environments; spec.get(env, "tier", "") in enforced}
	count(envs) > 0
	some name in spec.unsigned_services - spec.prod_services
	placed := {e | some e, _ in spec.placements(spec.services[name]); e in envs}
	count(placed) > 0
	finding := {
		"msg": sprintf("service %s runs in %s with an unsigned image, where image signatures are verified at admission (platform.supplyChain.verify.enforce): its pods would be refused", [name, spec.join_sorted(placed)]),
		"path": ["services", name, "signed"],
		"rule": rule_id,
		"hint": "sign the image in CI (the image-signing gate) and set signed: true, or take the tier out of verify.enforce",
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

# The egress guards run in the teams' namespaces, where admission verifies
# every image of the registry (every image, without one): their Envoy
# image must then be the platform's own, pinned by digest and signed.
warn contains finding if {
	count(delivery.admission_tiers) > 0
	count(delivery.guarded_with_url) > 0
	image := spec.get(spec.platform, ["egress", "image"], "docker.io/envoyproxy/envoy:distroless-v1.36.2")
	registry := spec.get(spec.platform, ["supplyChain", "registry"], "")
	verified_image(registry, image)
	not contains(image, "@sha256:")
	finding := {
		"msg": sprintf("the egress guards' image %s is not pinned by digest, and admission verifies the images of %s in %s: their pods would be refused", [image, registry_text(registry), spec.join_sorted(delivery.admission_tiers)]),
		"path": ["platform", "egress", "image"],
		"rule": rule_id,
		"hint": "mirror Envoy's image into the registry, sign it with the platform's signer and set platform.egress.image to it pinned by digest",
	}
}

verified_image("", _)

verified_image(registry, image) if {
	registry != ""
	startswith(image, concat("", [registry, "/"]))
}

registry_text("") := "every registry"

registry_text(registry) := registry if registry != ""
