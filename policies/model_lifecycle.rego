# METADATA
# title: Model lifecycle
# description: >-
#   The source document's Infra-to-Model loop ends with data-drift detection
#   against a baseline, automatic retraining, evaluation and a rolling upgrade
#   of the model. A model served in production without drift monitors decays
#   unnoticed, and one retrained without an evaluation gate can replace a
#   better model. Every model whose serving service runs in a prod environment
#   must have at least one drift monitor, and retraining with an evaluation
#   gate.
# custom:
#   id: model-lifecycle
package platc.builtin.model_lifecycle

import rego.v1

import data.platc.lib.spec

rule_id := "model-lifecycle"

prod_models contains name if {
	some name, model in spec.models
	spec.get(model, "service", "") in spec.prod_services
}

deny contains finding if {
	some name in prod_models
	model := spec.models[name]
	count(spec.as_object(spec.get(model, "drift", {}))) == 0
	finding := {
		"msg": sprintf("model %s is served in production by %s but has no drift monitor", [name, model.service]),
		"path": ["models", name],
		"rule": rule_id,
		"hint": "add drift: <name>: {metric: \"psi\", baseline: \"<dataset>:<snapshot>\", threshold: 0.2}",
	}
}

deny contains finding if {
	some name in prod_models
	model := spec.models[name]
	not is_object(spec.get(model, "retraining", null))
	finding := {
		"msg": sprintf("model %s is served in production by %s but has no retraining", [name, model.service]),
		"path": ["models", name],
		"rule": rule_id,
		"hint": "add retraining: {trigger: \"drift\", pipeline: \"<pipeline>\", evaluation: {metric: \"<metric>\", threshold: <minimum>}}",
	}
}

deny contains finding if {
	some name in prod_models
	model := spec.models[name]
	is_object(spec.get(model, "retraining", null))
	not is_object(spec.get(model, ["retraining", "evaluation"], null))
	finding := {
		"msg": sprintf("model %s is retrained without an evaluation gate, so a worse candidate can replace the model in production", [name]),
		"path": ["models", name, "retraining"],
		"rule": rule_id,
		"hint": "add evaluation: {metric: \"<metric>\", threshold: <minimum>, compareToProduction: true}",
	}
}
