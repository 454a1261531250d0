package gitops

import (
	"fmt"
	"strconv"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/utils/ptr"

	"github.com/platc-dev/platc/compiler/plan"
)

// scaledObject is a KEDA ScaledObject for a workload that scales on GPU
// utilisation or request rate. The HorizontalPodAutoscaler alone could
// read those only through a custom-metrics adapter platc does not render;
// KEDA queries Prometheus itself and owns the HPA it creates. Nil when
// the workload scales on CPU alone (the plain HPA does that).
func scaledObject(p *plan.Plan, wl *plan.Workload, ns *plan.Namespace, labels map[string]string) *kedav1alpha1.ScaledObject {
	a := wl.Autoscaling
	if a == nil || (a.TargetGPU == 0 && a.TargetRPS == 0) {
		return nil
	}
	kind, apiVersion := "Deployment", "apps/v1"
	if wl.Kind == "rollout" {
		kind, apiVersion = "Rollout", "argoproj.io/v1alpha1"
	}
	server := p.Platform.Observability.PrometheusServer
	var triggers []kedav1alpha1.ScaleTriggers
	if a.TargetCPU > 0 {
		triggers = append(triggers, kedav1alpha1.ScaleTriggers{
			Type: "cpu", MetricType: autoscalingv2.UtilizationMetricType,
			Metadata: map[string]string{"value": strconv.Itoa(a.TargetCPU)},
		})
	}
	// The pods of the workload, as DCGM exporter and the HTTP metrics
	// label them.
	pods := fmt.Sprintf(`namespace=%q,pod=~%q`, ns.Name, wl.Name+"-.*")
	if a.TargetGPU > 0 {
		// The mean utilisation of the workload's GPUs against the target:
		// the HPA scales by their ratio (metric type Value).
		triggers = append(triggers, kedav1alpha1.ScaleTriggers{
			Type: "prometheus", Name: "gpu-utilisation", MetricType: autoscalingv2.ValueMetricType,
			Metadata: map[string]string{
				"serverAddress": server,
				"query":         fmt.Sprintf(`avg(DCGM_FI_DEV_GPU_UTIL{%s})`, pods),
				"threshold":     strconv.Itoa(a.TargetGPU),
			},
		})
	}
	if a.TargetRPS > 0 {
		// Requests per second of the whole workload, a target per pod
		// (metric type AverageValue).
		triggers = append(triggers, kedav1alpha1.ScaleTriggers{
			Type: "prometheus", Name: "requests-per-second", MetricType: autoscalingv2.AverageValueMetricType,
			Metadata: map[string]string{
				"serverAddress": server,
				"query":         fmt.Sprintf(`sum(rate(http_requests_total{namespace=%q,service=%q}[2m]))`, ns.Name, wl.Service),
				"threshold":     strconv.FormatFloat(a.TargetRPS, 'f', -1, 64),
			},
		})
	}
	return &kedav1alpha1.ScaledObject{
		TypeMeta:   typeMeta("keda.sh/v1alpha1", "ScaledObject"),
		ObjectMeta: meta(wl.Name, ns.Name, labels),
		Spec: kedav1alpha1.ScaledObjectSpec{
			ScaleTargetRef:  &kedav1alpha1.ScaleTarget{APIVersion: apiVersion, Kind: kind, Name: wl.Name},
			MinReplicaCount: ptr.To(int32(max(a.Min, 1))),
			MaxReplicaCount: ptr.To(int32(a.Max)),
			Triggers:        triggers,
		},
	}
}
