# METADATA
# title: Blueprint schedule
# description: >-
#   The source document plans the platform in 90 days: days 1-30 lay the
#   foundation, days 31-60 weave the data fabric, days 61-90 add the gateway,
#   observability and automation. The blueprint's phases must lie within days
#   1-90 with from <= to, one after another without overlapping, and each
#   milestone must be due inside its phase. A milestone is done when the spec
#   has every capability it names; one whose due day (blueprint.start + due -
#   1 days) has passed at input.now without them gets a warning naming the
#   missing capabilities.
# custom:
#   id: blueprint-schedule
package platc.builtin.blueprint_schedule

import rego.v1

import data.platc.lib.capabilities
import data.platc.lib.spec

rule_id := "blueprint-schedule"

phases := spec.as_object(spec.get(spec.blueprint, "phases", {}))

milestones(phase) := spec.as_object(spec.get(phase, "milestones", {}))

span(phase) := sprintf("days %v-%v", [spec.get(phase, "from", 0), spec.get(phase, "to", 0)])

# A phase outside days 1-90 or ending before it starts.
deny contains finding if {
	some name, phase in phases
	from := spec.get(phase, "from", 0)
	to := spec.get(phase, "to", 0)
	not valid_span(from, to)
	finding := {
		"msg": sprintf("phase %s spans %s; phases lie within days 1-90 with from <= to", [name, span(phase)]),
		"path": ["blueprint", "phases", name],
		"rule": rule_id,
		"hint": "set from and to to days of the 90-day plan",
	}
}

valid_span(from, to) if {
	from >= 1
	to <= 90
	from <= to
}

# Two phases overlap (reported on the later one).
deny contains finding if {
	some first_name, first in phases
	some name, phase in phases
	first_name != name
	before(first_name, first, name, phase)
	spec.get(phase, "from", 0) <= spec.get(first, "to", 0)
	finding := {
		"msg": sprintf("phase %s (%s) overlaps phase %s (%s)", [name, span(phase), first_name, span(first)]),
		"path": ["blueprint", "phases", name],
		"rule": rule_id,
		"hint": sprintf("start phase %s after day %v", [name, spec.get(first, "to", 0)]),
	}
}

# before: phase a starts before phase b (by from, then by name).
before(_, a, _, b) if spec.get(a, "from", 0) < spec.get(b, "from", 0)

before(a_name, a, b_name, b) if {
	spec.get(a, "from", 0) == spec.get(b, "from", 0)
	a_name < b_name
}

# A milestone due outside its phase.
deny contains finding if {
	some phase_name, phase in phases
	some name, milestone in milestones(phase)
	due := spec.get(milestone, "due", 0)
	not within(due, phase)
	finding := {
		"msg": sprintf("milestone %s is due on day %v, outside its phase %s (%s)", [name, due, phase_name, span(phase)]),
		"path": ["blueprint", "phases", phase_name, "milestones", name, "due"],
		"rule": rule_id,
		"hint": "move the milestone to the phase its due day falls in, or change its due day",
	}
}

within(day, phase) if {
	day >= spec.get(phase, "from", 0)
	day <= spec.get(phase, "to", 0)
}

day_ns := ((24 * 60) * 60) * 1000000000

# A milestone past its due day without the capabilities that mark it done.
warn contains finding if {
	now := spec.rfc3339_ns(input.now)
	start := spec.date_ns(spec.blueprint.start)
	some phase_name, phase in phases
	some name, milestone in milestones(phase)
	missing := {c |
		some c in spec.as_array(spec.get(milestone, "capabilities", []))
		not c in capabilities.has
	}
	count(missing) > 0
	due_day := spec.get(milestone, "due", 1)
	is_number(due_day)
	due := time.add_date(start, 0, 0, round(due_day) - 1)
	due + day_ns <= now
	due_date := time.format([due, "UTC", "2006-01-02"])
	finding := {
		"msg": sprintf("milestone %s was due on %s and is not done: missing capabilities %s", [name, due_date, spec.join_sorted(missing)]),
		"path": ["blueprint", "phases", phase_name, "milestones", name],
		"rule": rule_id,
		"hint": sprintf("the owner, %s, should complete it or move its due day", [spec.get(milestone, "owner", "")]),
	}
}
