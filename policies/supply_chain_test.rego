package platc.builtin.supply_chain_test

import rego.v1

import data.platc.builtin.supply_chain

base := {
	"platform": {"name": "shop", "supplyChain": {"signing": {"tool": "cosign", "keyless": true}, "verify": {"enforce": ["test", "prod"], "policyEngine": "kyverno"}}},
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {}},
		"dev": {"name": "dev", "tier": "dev", "pools": {}},
	},
	"services": {
		"cart": {"name": "cart", "team": "shop", "kind": "api", "signed": true, "environments": {"prod": {"replicas": 2}, "dev": {"replicas": 1}}},
		"sandbox": {"name": "sandbox", "team": "shop", "kind": "api", "signed": false, "environments": {"dev": {"replicas": 1}}},
	},
	"kpis": {},
}

test_signed_and_verified if {
	count(supply_chain.deny) == 0 with input as base
}

test_unsigned_prod_service if {
	inp := object.union(base, {"services": {"cart": {"signed": false}}})
	supply_chain.deny == {{
		"msg": "service cart runs in prod with an unsigned image",
		"path": ["services", "cart", "signed"],
		"rule": "supply-chain",
		"hint": "sign the image in CI (the image-signing gate) and set signed: true",
	}} with input as inp
}

test_prod_not_verified if {
	inp := object.union(base, {"platform": {"supplyChain": {"verify": {"enforce": ["test"]}}}})
	supply_chain.deny == {{
		"msg": "image signatures are not verified in prod (platform.supplyChain.verify.enforce is [test])",
		"path": ["platform", "supplyChain", "verify", "enforce"],
		"rule": "supply-chain",
		"hint": "add \"prod\" to platform.supplyChain.verify.enforce",
	}} with input as inp
}

test_unsigned_in_another_enforced_tier if {
	inp := object.union(base, {"environments": {"test": {"name": "test", "tier": "test", "pools": {}}}, "services": {"sandbox": {"environments": {"test": {"replicas": 1}}}}})
	supply_chain.deny == {{
		"msg": "service sandbox runs in test with an unsigned image, where image signatures are verified at admission (platform.supplyChain.verify.enforce): its pods would be refused",
		"path": ["services", "sandbox", "signed"],
		"rule": "supply-chain",
		"hint": "sign the image in CI (the image-signing gate) and set signed: true, or take the tier out of verify.enforce",
	}} with input as inp
}

test_unsigned_in_an_unenforced_tier_is_fine if {
	count(supply_chain.deny) == 0 with input as base
}

test_egress_image_must_be_pinned_where_verified if {
	inp := {
		"platform": {"supplyChain": {"verify": {"enforce": ["prod"]}}},
		"environments": {"prod": {"name": "prod", "tier": "prod"}},
		"services": {"api": {"name": "api", "signed": true, "environments": {"prod": {}}, "upstreams": {"llm": {"url": "https://llm.example", "budget": {"amount": 1, "onExhausted": "block"}}}}},
	}
	[f] := [f | some f in supply_chain.warn] with input as inp
	f.path == ["platform", "egress", "image"]
	startswith(f.msg, "the egress guards' image docker.io/envoyproxy/envoy:distroless-v1.36.2 is not pinned by digest, and admission verifies the images of every registry in prod")

	# Outside the registry admission verifies, or pinned: no warning.
	count(supply_chain.warn) == 0 with input as json.patch(inp, [{"op": "add", "path": "/platform/supplyChain/registry", "value": "registry.example"}])
	pinned := json.patch(inp, [{"op": "add", "path": "/platform/egress", "value": {"image": "registry.example/envoy@sha256:cf69f61c7359a41af1a7d445973ac5488f8428d85ad051ff57ab4b63f663f445"}}])
	count(supply_chain.warn) == 0 with input as pinned
}
