package platc.builtin.governance_raci_test

import rego.v1

import data.platc.builtin.governance_raci

base := {
	"environments": {
		"prod": {"name": "prod", "tier": "prod", "pools": {}, "freezes": [{"name": "peak", "start": "2027-11-08T00:00:00Z", "end": "2027-12-01T06:00:00Z"}]},
		"test": {"name": "test", "tier": "test", "pools": {}, "freezes": [{"name": "test-freeze", "start": "2027-11-08T00:00:00Z", "end": "2027-12-01T00:00:00Z"}]},
	},
	"teams": {"data": {"name": "data", "quotas": {}}, "platform": {"name": "platform", "quotas": {}}},
	"governance": {
		"raci": {"etl-change": {
			"task": "etl-change",
			"responsible": ["data"],
			"accountable": ["@mei"],
			"consulted": ["platform", "dpo@acme.example"],
			"informed": [],
		}},
		"changes": {
			"upgrade": {"id": "upgrade", "date": "2027-11-07", "environment": "prod", "system": "EKS", "type": "normal", "impact": "high", "rollbackPlan": "blue-green node groups", "status": "planned"},
			"test-upgrade": {"id": "test-upgrade", "date": "2027-11-10", "environment": "test", "system": "EKS", "type": "normal", "impact": "low", "status": "done"},
			"peak-done": {"id": "peak-done", "date": "2027-11-11", "environment": "prod", "system": "gateway", "type": "emergency", "impact": "high", "rollbackPlan": "revert", "status": "done"},
		},
	},
	"kpis": {},
}

test_raci_and_calendar_ok if {
	count(governance_raci.deny) == 0 with input as base
}

test_two_accountable if {
	inp := object.union(base, {"governance": {"raci": {"etl-change": {"accountable": ["@mei", "@lars"]}}}})
	governance_raci.deny == {{
		"msg": "RACI task etl-change has 2 accountable parties (@mei, @lars); it needs exactly one",
		"path": ["governance", "raci", "etl-change"],
		"rule": "governance-raci",
		"hint": "name exactly one person or team in accountable; others belong in responsible or consulted",
	}} with input as inp
}

test_nobody_accountable_or_responsible if {
	inp := object.union(base, {"governance": {"raci": {"etl-change": {"accountable": [], "responsible": []}}}})
	governance_raci.deny == {
		{
			"msg": "RACI task etl-change has 0 accountable parties (); it needs exactly one",
			"path": ["governance", "raci", "etl-change"],
			"rule": "governance-raci",
			"hint": "name exactly one person or team in accountable; others belong in responsible or consulted",
		},
		{
			"msg": "RACI task etl-change has nobody responsible",
			"path": ["governance", "raci", "etl-change"],
			"rule": "governance-raci",
			"hint": "name at least one team or person in responsible",
		},
	} with input as inp
}

test_unknown_party if {
	inp := object.union(base, {"governance": {"raci": {"etl-change": {"informed": ["finance"]}}}})
	governance_raci.deny == {{
		"msg": "RACI task etl-change names \"finance\" as informed, which is neither a declared team nor a person",
		"path": ["governance", "raci", "etl-change", "informed"],
		"rule": "governance-raci",
		"hint": "use a team (data, platform), a person (\"@handle\") or an e-mail address",
	}} with input as inp
}

test_planned_change_without_rollback_plan if {
	inp := json.patch(base, [{"op": "remove", "path": "/governance/changes/upgrade/rollbackPlan"}])
	governance_raci.deny == {{
		"msg": "planned change upgrade on 2027-11-07 has no rollback plan",
		"path": ["governance", "changes", "upgrade"],
		"rule": "governance-raci",
		"hint": "describe in rollbackPlan how the change is undone",
	}} with input as inp
}

test_change_inside_prod_freeze if {
	inp := object.union(base, {"governance": {"changes": {"upgrade": {"date": "2027-12-01", "status": "approved"}}}})
	governance_raci.deny == {{
		"msg": "change upgrade on 2027-12-01 in prod falls inside the freeze peak (2027-11-08T00:00:00Z to 2027-12-01T06:00:00Z)",
		"path": ["governance", "changes", "upgrade", "date"],
		"rule": "governance-raci",
		"hint": "move the change out of the freeze, or record why it cannot wait as a policy exception",
	}} with input as inp
}

test_change_on_day_after_freeze_ok if {
	inp := object.union(base, {"governance": {"changes": {"upgrade": {"date": "2027-12-02"}}}})
	count(governance_raci.deny) == 0 with input as inp
}

test_freeze_without_seconds if {
	inp := json.patch(base, [
		{"op": "replace", "path": "/environments/prod/freezes/0/start", "value": "2027-11-06T12:00Z"},
		{"op": "replace", "path": "/environments/prod/freezes/0/end", "value": "2027-11-08T00:00+01:00"},
	])
	governance_raci.deny == {{
		"msg": "change upgrade on 2027-11-07 in prod falls inside the freeze peak (2027-11-06T12:00Z to 2027-11-08T00:00+01:00)",
		"path": ["governance", "changes", "upgrade", "date"],
		"rule": "governance-raci",
		"hint": "move the change out of the freeze, or record why it cannot wait as a policy exception",
	}} with input as inp
}

test_unparsable_dates_are_skipped if {
	inp := json.patch(base, [
		{"op": "replace", "path": "/governance/changes/upgrade/date", "value": "2027-11-31"},
		{"op": "replace", "path": "/environments/prod/freezes/0/end", "value": "soon"},
	])
	count(governance_raci.deny) == 0 with input as inp
}
