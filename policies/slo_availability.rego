# METADATA
# title: SLOs and availability
# description: >-
#   The reliability KPI of the source document is 99.9 % availability (at
#   most 8 h 45 m down a year), and its counter-measure for missing unified
#   observability is SLOs with alert templates. platc renders burn-rate alerts
#   and rollout analysis from SLOs, so a serving service (api, inference,
#   worker; training and batch jobs run to completion) without one is
#   unobserved. Every serving service must have an SLO; every serving service
#   in a prod environment must have an availability SLO whose objective meets
#   kpis.reliability.availability; and every service must belong to a
#   declared team with an on-call rotation to page.
# custom:
#   id: slo-availability
package platc.builtin.slo_availability

import rego.v1

import data.platc.lib.spec

rule_id := "slo-availability"

slos(svc) := spec.as_object(spec.get(svc, "slos", {}))

availability_slos(svc) := {name: slo |
	some name, slo in slos(svc)
	spec.get(slo, "kind", "") == "availability"
}

# These rules are about every service. They combine the service indexes of
# lib/spec.rego with set operations and look closer only at the services in
# the result; see the notes there.

# A serving service without any SLO.
deny contains finding if {
	without_slos := spec.services_without_slos - spec.job_services
	some name in without_slos
	finding := {
		"msg": sprintf("service %s has no SLO; without one it gets no burn-rate alerts and no rollout analysis", [name]),
		"path": ["services", name, "slos"],
		"rule": rule_id,
		"hint": sprintf("add an availability SLO (objective %v) and a latency SLO", [spec.kpi_availability]),
	}
}

# A serving service in production without an availability SLO.
deny contains finding if {
	svcs := spec.services
	without_slos := spec.services_without_slos
	some name in spec.prod_serving_services_to_check
	not without_slos[name]
	count(availability_slos(svcs[name])) == 0
	finding := {
		"msg": sprintf("service %s runs in %s without an availability SLO; the reliability KPI is %v%%", [name, spec.join_sorted(spec.service_prod_envs(name)), spec.kpi_availability]),
		"path": ["services", name, "slos"],
		"rule": rule_id,
		"hint": sprintf("add slos: availability: {kind: \"availability\", objective: %v}", [spec.kpi_availability]),
	}
}

# A production availability SLO below the KPI (when no other one meets it).
deny contains finding if {
	svcs := spec.services
	kpi := spec.kpi_availability
	some name in spec.prod_serving_services_to_check
	some slo_name, slo in svcs[name].slos
	slo.kind == "availability"
	object.get(slo, "objective", 0) < kpi
	every other in availability_slos(svcs[name]) {
		spec.get(other, "objective", 0) < kpi
	}
	finding := {
		"msg": sprintf("service %s runs in %s with an availability objective of %v%%, below the reliability KPI of %v%%", [name, spec.join_sorted(spec.service_prod_envs(name)), spec.get(slo, "objective", 0), spec.kpi_availability]),
		"path": ["services", name, "slos", slo_name, "objective"],
		"rule": rule_id,
		"hint": sprintf("raise the objective to at least %v", [spec.kpi_availability]),
	}
}

# A service whose team is not declared.
deny contains finding if {
	svcs := spec.services
	teams := spec.teams
	some name in spec.services_to_check
	team := object.get(svcs[name], "team", "")
	not teams[team]
	finding := {
		"msg": sprintf("service %s belongs to team %q, which is not declared, so nobody is paged when it breaks", [name, team]),
		"path": ["services", name, "team"],
		"rule": rule_id,
		"hint": sprintf("declare teams: %q with owners and onCall, or use one of: %s", [team, spec.join_sorted(object.keys(spec.teams))]),
	}
}

# A service whose team has nobody on call.
deny contains finding if {
	svcs := spec.services
	teams := spec.teams
	some name in spec.services_to_check
	team := object.get(svcs[name], "team", "")
	t := teams[team]
	object.get(t, "onCall", "") == ""
	finding := {
		"msg": sprintf("service %s belongs to team %s, which has no onCall to page", [name, team]),
		"path": ["teams", team],
		"rule": rule_id,
		"hint": "set onCall to the team's rotation or a person (\"@handle\")",
	}
}
