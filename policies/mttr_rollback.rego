# METADATA
# title: MTTR and automatic rollback
# description: >-
#   The resilience KPI of the source document is a mean time to recovery of
#   at most 30 minutes (kpis.resilience.mttr), and its counter-measure for too
#   little automation is canary releases with one-click rollback. A bad
#   release found by a human and rolled back by hand rarely meets that, so
#   every serving service (api, inference, worker) that runs in a prod
#   environment must roll back automatically when its SLOs are breached
#   during a rollout (rollout.autoRollback: true). Training and batch jobs run
#   to completion through their queue and are promoted by evaluation gates
#   instead.
# custom:
#   id: mttr-rollback
package platc.builtin.mttr_rollback

import rego.v1

import data.platc.lib.spec

rule_id := "mttr-rollback"

deny contains finding if {
	some name in spec.prod_serving_services_without_auto_rollback
	finding := {
		"msg": sprintf("service %s runs in %s without automatic rollback; the MTTR KPI of %s needs a bad release rolled back on SLO breach without waiting for a human", [name, spec.join_sorted(spec.service_prod_envs(name)), spec.duration(spec.kpi_mttr)]),
		"path": ["services", name, "rollout"],
		"rule": rule_id,
		"hint": "set rollout: autoRollback: true (with a canary strategy and steps, the rollout is analysed against the SLOs)",
	}
}
