# METADATA
# title: GPU cost
# description: >-
#   The cost KPI of the source document wants GPUs busy at least 70 % of the
#   time (kpis.cost.gpuUtilisation). GPUs that no team reserves are busy only
#   when someone borrows them, so a pool whose GPUs are mostly unreserved is
#   paid for and idle. Per environment and GPU model, this rule warns when the
#   share of the pools' GPUs that teams reserve is below the KPI, with the
#   figures.
# custom:
#   id: gpu-cost
package platc.builtin.gpu_cost

import rego.v1

import data.platc.lib.spec

rule_id := "gpu-cost"

warn contains finding if {
	some [env, model] in spec.env_gpu_model_pairs
	have := spec.gpu_capacity[env][model].count
	have > 0
	reserved := spec.gpu_reserved_in[env][model]
	share := (reserved * 100) / have
	share < spec.kpi_gpu_utilisation
	finding := {
		"msg": sprintf("only %v%% of %s's %v %s GPUs are reserved by teams (%v); the cost KPI wants them busy %v%% of the time", [spec.round1(share), env, have, model, reserved, spec.kpi_gpu_utilisation]),
		"path": ["environments", env, "pools"],
		"rule": rule_id,
		"hint": sprintf("reserve at least %v %s GPUs for teams in %s or shrink the pools and cover peaks with burst", [ceil((have * spec.kpi_gpu_utilisation) / 100), model, env]),
	}
}
