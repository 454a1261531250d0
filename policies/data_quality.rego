# METADATA
# title: Data quality
# description: >-
#   A data swamp is a pitfall of the source document: data nobody can trace
#   or trust. Its counter-measures are a catalog with lineage and quality
#   scores, and its data KPI wants 95 % of real-time pipeline runs within
#   their latency target. Every dataset must name its lineage upstreams and a
#   quality threshold; every pipeline must state its latency target; and
#   every stream pipeline must have an objective that meets
#   kpis.data.pipelineObjective (batch pipelines, such as training runs, are
#   not held to the real-time KPI).
# custom:
#   id: data-quality
package platc.builtin.data_quality

import rego.v1

import data.platc.lib.spec

rule_id := "data-quality"

deny contains finding if {
	some name, dataset in spec.datasets
	count(spec.as_array(spec.get(dataset, ["lineage", "upstreams"], []))) == 0
	finding := {
		"msg": sprintf("dataset %s has no lineage: lineage.upstreams is empty", [name]),
		"path": ["data", "datasets", name],
		"rule": rule_id,
		"hint": "list the datasets, topics (\"topic/<name>\") or integrations (\"integration/<name>\") it is derived from in lineage.upstreams",
	}
}

deny contains finding if {
	some name, dataset in spec.datasets
	spec.get(dataset, ["quality", "threshold"], null) == null
	finding := {
		"msg": sprintf("dataset %s has no quality threshold", [name]),
		"path": ["data", "datasets", name],
		"rule": rule_id,
		"hint": "set quality: {threshold: 95, checks: [...]} (the minimum quality score, 0-100)",
	}
}

deny contains finding if {
	some name, pipeline in spec.pipelines
	spec.get(pipeline, "latencyTarget", 0) == 0
	finding := {
		"msg": sprintf("%s pipeline %s has no latency target", [spec.get(pipeline, "mode", ""), name]),
		"path": ["data", "pipelines", name],
		"rule": rule_id,
		"hint": sprintf("set latencyTarget: the end-to-end latency (stream) or run duration (batch) a run must meet, e.g. \"%s\"", [spec.duration(spec.kpi_latency_target)]),
	}
}

deny contains finding if {
	some name, pipeline in spec.pipelines
	spec.get(pipeline, "mode", "") == "stream"
	objective := spec.get(pipeline, "objective", 0)
	objective < spec.kpi_pipeline_objective
	finding := {
		"msg": objective_msg(name, objective),
		"path": ["data", "pipelines", name],
		"rule": rule_id,
		"hint": sprintf("set objective: %v or more", [spec.kpi_pipeline_objective]),
	}
}

objective_msg(name, 0) := sprintf("stream pipeline %s has no objective; the data KPI wants %v%% of runs within the latency target", [name, spec.kpi_pipeline_objective])

objective_msg(name, objective) := sprintf("stream pipeline %s has an objective of %v%%, below the data KPI of %v%%", [name, objective, spec.kpi_pipeline_objective]) if objective != 0
