package platc.builtin.blueprint_schedule_test

import rego.v1

import data.platc.builtin.blueprint_schedule

base := {
	"platform": {"name": "shop", "gitops": {"repo": "https://github.com/shop/gitops.git"}},
	"environments": {"dev": {"name": "dev", "tier": "dev", "pools": {"general": {"cpu": 8, "memory": 1, "gpus": {}}}}},
	"blueprint": {
		"start": "2027-01-11",
		"phases": {
			"foundation": {"name": "foundation", "from": 1, "to": 30, "goals": [], "milestones": {
				"gitops": {"name": "gitops", "due": 15, "owner": "platform", "capabilities": ["gitops"]},
				"gpus": {"name": "gpus", "due": 10, "owner": "platform", "capabilities": ["gpu-kubernetes", "mixed-scheduling"]},
			}},
			"data-fabric": {"name": "data-fabric", "from": 31, "to": 60, "goals": [], "milestones": {"lakehouse": {"name": "lakehouse", "due": 38, "owner": "data", "capabilities": ["lakehouse"]}}},
		},
	},
	"kpis": {},
	"now": "2027-01-20T12:00:00Z",
	"inventory": {},
}

test_schedule_ok_and_nothing_late if {
	count(blueprint_schedule.deny) == 0 with input as base
	count(blueprint_schedule.warn) == 0 with input as base
}

test_no_now_no_warning if {
	inp := json.patch(base, [{"op": "remove", "path": "/now"}])
	count(blueprint_schedule.warn) == 0 with input as inp
}

test_phase_out_of_range if {
	inp := object.union(base, {"blueprint": {"phases": {"data-fabric": {"from": 61, "to": 95}}}})
	blueprint_schedule.deny == {
		{
			"msg": "phase data-fabric spans days 61-95; phases lie within days 1-90 with from <= to",
			"path": ["blueprint", "phases", "data-fabric"],
			"rule": "blueprint-schedule",
			"hint": "set from and to to days of the 90-day plan",
		},
		{
			"msg": "milestone lakehouse is due on day 38, outside its phase data-fabric (days 61-95)",
			"path": ["blueprint", "phases", "data-fabric", "milestones", "lakehouse", "due"],
			"rule": "blueprint-schedule",
			"hint": "move the milestone to the phase its due day falls in, or change its due day",
		},
	} with input as inp
}

test_phase_ends_before_start if {
	inp := json.patch(base, [
		{"op": "replace", "path": "/blueprint/phases/data-fabric/from", "value": 60},
		{"op": "replace", "path": "/blueprint/phases/data-fabric/to", "value": 31},
		{"op": "replace", "path": "/blueprint/phases/data-fabric/milestones", "value": {}},
	])
	blueprint_schedule.deny == {{
		"msg": "phase data-fabric spans days 60-31; phases lie within days 1-90 with from <= to",
		"path": ["blueprint", "phases", "data-fabric"],
		"rule": "blueprint-schedule",
		"hint": "set from and to to days of the 90-day plan",
	}} with input as inp
}

test_overlapping_phases if {
	inp := object.union(base, {"blueprint": {"phases": {"data-fabric": {"from": 25}}}})
	blueprint_schedule.deny == {{
		"msg": "phase data-fabric (days 25-60) overlaps phase foundation (days 1-30)",
		"path": ["blueprint", "phases", "data-fabric"],
		"rule": "blueprint-schedule",
		"hint": "start phase data-fabric after day 30",
	}} with input as inp
}

test_milestone_outside_phase if {
	inp := object.union(base, {"blueprint": {"phases": {"foundation": {"milestones": {"gitops": {"due": 45}}}}}})
	blueprint_schedule.deny == {{
		"msg": "milestone gitops is due on day 45, outside its phase foundation (days 1-30)",
		"path": ["blueprint", "phases", "foundation", "milestones", "gitops", "due"],
		"rule": "blueprint-schedule",
		"hint": "move the milestone to the phase its due day falls in, or change its due day",
	}} with input as inp
}

# Day 10 of a plan starting 2027-01-11 is 2027-01-20: late only from 2027-01-21.
test_milestone_due_today_not_late if {
	count(blueprint_schedule.warn) == 0 with input as base
}

test_late_milestone if {
	inp := object.union(base, {"now": "2027-01-21T00:00:00Z"})
	blueprint_schedule.warn == {{
		"msg": "milestone gpus was due on 2027-01-20 and is not done: missing capabilities gpu-kubernetes, mixed-scheduling",
		"path": ["blueprint", "phases", "foundation", "milestones", "gpus"],
		"rule": "blueprint-schedule",
		"hint": "the owner, platform, should complete it or move its due day",
	}} with input as inp
}

test_late_milestone_done_no_warning if {
	inp := object.union(base, {
		"now": "2027-01-21T00:00:00Z",
		"environments": {"dev": {"pools": {"gpu": {"cpu": 8, "memory": 1, "gpus": {"l4": {"model": "l4", "count": 2}}}}}},
	})
	count(blueprint_schedule.warn) == 0 with input as inp
}
