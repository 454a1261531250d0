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
#   instead. autoRollback without an SLO has nothing to judge a release
#   by, so it is an error wherever the service runs.
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
		"hint": "set rollout: autoRollback: true, with an SLO to judge by (each rollout is analysed against the SLOs and aborted on a breach)",
	}
}

deny contains finding if {
	some name, svc in spec.services
	svc.rollout.autoRollback == true
	count(spec.as_object(object.get(svc, "slos", {}))) == 0
	finding := {
		"msg": sprintf("service %s sets rollout.autoRollback but declares no SLO: a rollout is rolled back when its analysis finds an SLO breached, so nothing would ever roll it back", [name]),
		"path": ["services", name, "rollout", "autoRollback"],
		"rule": rule_id,
		"hint": "add an SLO (slos: availability: {kind: \"availability\", objective: 99.9}), or remove autoRollback",
	}
}
