# METADATA
# title: Delivery through GitOps
# description: >-
#   The delivery KPI of the source document is commit to production within
#   24 hours, through the Infra-to-Model loop: code is pushed, unit tests and
#   static checks run, the image is signed, and a GitOps engine deploys what
#   was merged. A platform with a prod environment must therefore name the
#   GitOps repository Argo CD or Flux syncs from (platform.gitops.repo), and
#   its CI must include the unit-tests, static-analysis and image-signing
#   gates (platform.ci.gates), one error per missing gate.
# custom:
#   id: delivery-gitops
package platc.builtin.delivery_gitops

import rego.v1

import data.platc.lib.spec

rule_id := "delivery-gitops"

required_gates := ["unit-tests", "static-analysis", "image-signing"]

deny contains finding if {
	count(spec.prod_envs) > 0
	spec.get(spec.platform, ["gitops", "repo"], "") == ""
	finding := {
		"msg": sprintf("platform.gitops.repo is not set; %s must be deployed from a Git repository the GitOps engine syncs", [spec.join_sorted(spec.prod_envs)]),
		"path": ["platform", "gitops"],
		"rule": rule_id,
		"hint": "set platform: gitops: repo: \"https://github.com/<org>/<gitops-repo>.git\"",
	}
}

deny contains finding if {
	count(spec.prod_envs) > 0
	gates := spec.as_array(spec.get(spec.platform, ["ci", "gates"], []))
	some gate in required_gates
	not gate in gates
	finding := {
		"msg": sprintf("CI gate %s is missing; every change must pass unit-tests, static-analysis and image-signing before it reaches production", [gate]),
		"path": ["platform", "ci", "gates"],
		"rule": rule_id,
		"hint": sprintf("add %q to platform.ci.gates", [gate]),
	}
}
