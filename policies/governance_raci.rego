# METADATA
# title: RACI and change calendar
# description: >-
#   The source document's toolbox has a data-governance RACI matrix and a
#   change and release calendar. A task with no one, or several people,
#   accountable has in effect nobody accountable; a party that is neither a
#   team nor a person cannot be asked; a planned change without a rollback
#   plan cannot be undone within the MTTR KPI; and a change scheduled inside a
#   production freeze will be refused by platc apply. Each RACI task must have
#   exactly one accountable and at least one responsible party, every party
#   must be a declared team, a person ("@handle") or an e-mail address, every
#   planned or approved change must have a rollback plan, and no pending
#   change in a prod environment may fall on a day inside one of that
#   environment's freezes.
# custom:
#   id: governance-raci
package platc.builtin.governance_raci

import rego.v1

import data.platc.lib.spec

rule_id := "governance-raci"

raci := spec.as_object(spec.get(spec.governance, "raci", {}))

changes := spec.as_object(spec.get(spec.governance, "changes", {}))

roles := ["responsible", "accountable", "consulted", "informed"]

parties(task, role) := spec.as_array(spec.get(task, role, []))

deny contains finding if {
	some name, task in raci
	accountable := parties(task, "accountable")
	count(accountable) != 1
	finding := {
		"msg": sprintf("RACI task %s has %v accountable parties (%s); it needs exactly one", [name, count(accountable), concat(", ", accountable)]),
		"path": ["governance", "raci", name],
		"rule": rule_id,
		"hint": "name exactly one person or team in accountable; others belong in responsible or consulted",
	}
}

deny contains finding if {
	some name, task in raci
	count(parties(task, "responsible")) == 0
	finding := {
		"msg": sprintf("RACI task %s has nobody responsible", [name]),
		"path": ["governance", "raci", name],
		"rule": rule_id,
		"hint": "name at least one team or person in responsible",
	}
}

deny contains finding if {
	some name, task in raci
	some role in roles
	some party in parties(task, role)
	not spec.known_party(party)
	finding := {
		"msg": sprintf("RACI task %s names %q as %s, which is neither a declared team nor a person", [name, party, role]),
		"path": ["governance", "raci", name, role],
		"rule": rule_id,
		"hint": sprintf("use a team (%s), a person (\"@handle\") or an e-mail address", [spec.join_sorted(object.keys(spec.teams))]),
	}
}

pending := {"planned", "approved"}

deny contains finding if {
	some name, change in changes
	spec.get(change, "status", "planned") in pending
	spec.get(change, "rollbackPlan", "") == ""
	finding := {
		"msg": sprintf("%s change %s on %s has no rollback plan", [spec.get(change, "status", "planned"), name, spec.get(change, "date", "")]),
		"path": ["governance", "changes", name],
		"rule": rule_id,
		"hint": "describe in rollbackPlan how the change is undone",
	}
}

day_ns := ((24 * 60) * 60) * 1000000000

# Changes still to be made; done, rolled-back and cancelled ones are history.
open_statuses := {"planned", "approved", "in-progress"}

deny contains finding if {
	some name, change in changes
	spec.get(change, "status", "planned") in open_statuses
	env_name := spec.get(change, "environment", "")
	env := spec.environments[env_name]
	spec.get(env, "tier", "") == "prod"
	day_start := spec.date_ns(change.date)
	some freeze in spec.as_array(spec.get(env, "freezes", []))
	freeze_start := spec.rfc3339_ns(freeze.start)
	freeze_end := spec.rfc3339_ns(freeze.end)
	day_start < freeze_end
	day_start + day_ns > freeze_start
	finding := {
		"msg": sprintf("change %s on %s in %s falls inside the freeze %s (%s to %s)", [name, change.date, env_name, spec.get(freeze, "name", ""), freeze.start, freeze.end]),
		"path": ["governance", "changes", name, "date"],
		"rule": rule_id,
		"hint": "move the change out of the freeze, or record why it cannot wait as a policy exception",
	}
}
