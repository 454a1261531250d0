package platc.builtin.delivery_gitops_test

import rego.v1

import data.platc.builtin.delivery_gitops

base := {
	"platform": {
		"name": "shop",
		"gitops": {"engine": "argocd", "repo": "https://github.com/shop/gitops.git", "branch": "main", "path": "clusters"},
		"ci": {"provider": "github-actions", "gates": ["unit-tests", "static-analysis", "sbom", "image-signing"]},
	},
	"environments": {"prod": {"name": "prod", "tier": "prod", "pools": {}}},
	"kpis": {},
}

test_gitops_and_gates if {
	count(delivery_gitops.deny) == 0 with input as base
}

test_no_prod_environment_no_findings if {
	inp := {"platform": {"name": "lab", "gitops": {"engine": "argocd"}, "ci": {"gates": []}}, "environments": {"dev": {"tier": "dev"}}, "kpis": {}}
	count(delivery_gitops.deny) == 0 with input as inp
}

test_no_gitops_repo if {
	inp := json.patch(base, [{"op": "remove", "path": "/platform/gitops/repo"}])
	delivery_gitops.deny == {{
		"msg": "platform.gitops.repo is not set; prod must be deployed from a Git repository the GitOps engine syncs",
		"path": ["platform", "gitops"],
		"rule": "delivery-gitops",
		"hint": "set platform: gitops: repo: \"https://github.com/<org>/<gitops-repo>.git\"",
	}} with input as inp
}

test_missing_gates if {
	inp := object.union(base, {"platform": {"ci": {"gates": ["unit-tests", "sbom"]}}})
	delivery_gitops.deny == {
		{
			"msg": "CI gate static-analysis is missing; every change must pass unit-tests, static-analysis and image-signing before it reaches production",
			"path": ["platform", "ci", "gates"],
			"rule": "delivery-gitops",
			"hint": "add \"static-analysis\" to platform.ci.gates",
		},
		{
			"msg": "CI gate image-signing is missing; every change must pass unit-tests, static-analysis and image-signing before it reaches production",
			"path": ["platform", "ci", "gates"],
			"rule": "delivery-gitops",
			"hint": "add \"image-signing\" to platform.ci.gates",
		},
	} with input as inp
}
