package platc.builtin.data_quality_test

import rego.v1

import data.platc.builtin.data_quality

base := {
	"data": {
		"datasets": {
			"orders-raw": {"name": "orders-raw", "owner": "data", "classification": "pii", "lineage": {"upstreams": ["topic/orders.created"]}, "quality": {"threshold": 95, "checks": []}, "tags": []},
			"orders": {"name": "orders", "owner": "data", "classification": "confidential", "lineage": {"upstreams": ["orders-raw"]}, "quality": {"threshold": 98, "checks": []}, "tags": []},
		},
		"pipelines": {
			"orders-realtime": {"name": "orders-realtime", "owner": "data", "mode": "stream", "sources": ["topic/orders.created"], "outputs": ["orders-raw", "orders"], "latencyTarget": 300, "objective": 95},
			"retrain": {"name": "retrain", "owner": "ml", "mode": "batch", "sources": ["orders"], "outputs": [], "latencyTarget": 3600, "objective": 90, "schedule": "0 4 * * 0"},
		},
	},
	"kpis": {"data": {"pipelineObjective": 95, "latencyTarget": 300}},
}

test_traceable_and_on_time if {
	count(data_quality.deny) == 0 with input as base
}

test_dataset_without_lineage if {
	inp := json.patch(base, [{"op": "replace", "path": "/data/datasets/orders/lineage/upstreams", "value": []}])
	data_quality.deny == {{
		"msg": "dataset orders has no lineage: lineage.upstreams is empty",
		"path": ["data", "datasets", "orders"],
		"rule": "data-quality",
		"hint": "list the datasets, topics (\"topic/<name>\") or integrations (\"integration/<name>\") it is derived from in lineage.upstreams",
	}} with input as inp
}

test_dataset_without_quality if {
	inp := json.patch(base, [{"op": "remove", "path": "/data/datasets/orders/quality"}])
	data_quality.deny == {{
		"msg": "dataset orders has no quality threshold",
		"path": ["data", "datasets", "orders"],
		"rule": "data-quality",
		"hint": "set quality: {threshold: 95, checks: [...]} (the minimum quality score, 0-100)",
	}} with input as inp
}

test_pipeline_without_latency_target if {
	inp := json.patch(base, [{"op": "remove", "path": "/data/pipelines/retrain/latencyTarget"}])
	data_quality.deny == {{
		"msg": "batch pipeline retrain has no latency target",
		"path": ["data", "pipelines", "retrain"],
		"rule": "data-quality",
		"hint": "set latencyTarget: the end-to-end latency (stream) or run duration (batch) a run must meet, e.g. \"5m\"",
	}} with input as inp
}

test_stream_pipeline_below_objective if {
	inp := object.union(base, {"data": {"pipelines": {"orders-realtime": {"objective": 90}}}})
	data_quality.deny == {{
		"msg": "stream pipeline orders-realtime has an objective of 90%, below the data KPI of 95%",
		"path": ["data", "pipelines", "orders-realtime"],
		"rule": "data-quality",
		"hint": "set objective: 95 or more",
	}} with input as inp
}

test_stream_pipeline_without_objective if {
	inp := json.patch(base, [{"op": "remove", "path": "/data/pipelines/orders-realtime/objective"}])
	data_quality.deny == {{
		"msg": "stream pipeline orders-realtime has no objective; the data KPI wants 95% of runs within the latency target",
		"path": ["data", "pipelines", "orders-realtime"],
		"rule": "data-quality",
		"hint": "set objective: 95 or more",
	}} with input as inp
}
