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
