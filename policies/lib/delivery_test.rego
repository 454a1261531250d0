package platc.lib.delivery_test

import rego.v1

import data.platc.lib.capabilities
import data.platc.lib.delivery

signed := {
	"platform": {"supplyChain": {
		"signing": {"tool": "cosign", "keyless": true, "identity": {"issuer": "https://token.actions.githubusercontent.com", "subject": "^https://github\\.com/acme/"}},
		"verify": {"enforce": ["prod"], "policyEngine": "kyverno"},
	}},
	"environments": {"prod": {"name": "prod", "tier": "prod", "pools": {}}},
	"services": {"api": {"name": "api", "team": "shop", "kind": "api", "signed": true, "environments": {"prod": {"replicas": 2}}}},
}

test_signed_images_delivered if {
	"signed-images" in capabilities.has with input as signed
	count(delivery.admission_gaps) == 0 with input as signed
}

test_signed_images_without_identity_is_declared_not_delivered if {
	inp := json.patch(signed, [{"op": "remove", "path": "/platform/supplyChain/signing/identity"}])
	"signed-images" in capabilities.declared with input as inp
	not "signed-images" in capabilities.has with input as inp
}

test_signed_images_verified_nowhere_is_not_delivered if {
	inp := json.patch(signed, [{"op": "replace", "path": "/platform/supplyChain/verify/enforce", "value": ["staging"]}])
	not "signed-images" in capabilities.has with input as inp
}

test_event_bus_is_declared_not_delivered if {
	inp := object.union(signed, {"events": {"bus": {"kind": "kafka"}, "topics": {"orders": {"name": "orders"}}}})
	"event-bus" in capabilities.declared with input as inp
	not "event-bus" in capabilities.has with input as inp
}

test_istio_is_a_delivered_mesh if {
	"istio" in delivery.meshes
	"cilium" in delivery.meshes
	not "linkerd" in delivery.meshes
}
