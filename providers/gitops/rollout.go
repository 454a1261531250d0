package gitops

import (
	"fmt"
	"strconv"
	"strings"

	rollouts "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platc-dev/platc/compiler/plan"
	"k8s.io/utils/ptr"
)

// PrometheusAddress is where analysis runs query the SLO recording rules.
const PrometheusAddress = "http://prometheus-operated.monitoring.svc:9090"

// rolloutSpec is RolloutSpec without its MarshalJSON. For a spec whose
// template and selector are its own (always, here) that method writes
// exactly the fields the type declares, through a second encoder whose
// output encoding/json then scans and compacts again: twice the work for
// the same bytes, on the largest object of most services.
type rolloutSpec rollouts.RolloutSpec

// rolloutDoc is a Rollout as written: its status is the controller's.
type rolloutDoc struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              rolloutSpec `json:"spec"`
}

// encodable returns r in the form it is encoded in. rollout never sets
// TemplateResolvedFromRef or SelectorResolvedFromRef (no workloadRef), the
// only case in which RolloutSpec.MarshalJSON leaves fields out.
func encodable(r *rollouts.Rollout) *rolloutDoc {
	return &rolloutDoc{TypeMeta: r.TypeMeta, ObjectMeta: r.ObjectMeta, Spec: rolloutSpec(r.Spec)}
}

// rollout builds an Argo Rollout with canary steps (or blue-green, or a
// rolling update with a bake time) and an AnalysisTemplate that queries the service's SLO error ratios; a breach
// fails the analysis, which aborts the rollout and shifts traffic back to
// the stable version.
func rollout(wl *plan.Workload, ns *plan.Namespace, labels map[string]string, selector *metav1.LabelSelector, tpl corev1.PodTemplateSpec) []any {
	r := &rollouts.Rollout{
		TypeMeta:   typeMeta("argoproj.io/v1alpha1", "Rollout"),
		ObjectMeta: meta(wl.Name, ns.Name, labels),
		Spec: rollouts.RolloutSpec{
			Replicas:             replicas(wl),
			Selector:             selector,
			Template:             tpl,
			RevisionHistoryLimit: ptr.To(int32(3)),
		},
	}
	analysisName := wl.Name + "-slo"
	withAnalysis := wl.Rollout.AutoRollback && len(wl.SLOs) > 0
	switch wl.Rollout.Strategy {
	case "blue-green":
		bg := &rollouts.BlueGreenStrategy{ActiveService: wl.Name, PreviewService: wl.Name + "-preview", AutoPromotionEnabled: ptr.To(true)}
		if withAnalysis {
			bg.PrePromotionAnalysis = &rollouts.RolloutAnalysis{Templates: []rollouts.AnalysisTemplateRef{{TemplateName: analysisName}}}
		}
		r.Spec.Strategy.BlueGreen = bg
	case "rolling":
		// A rolling update (a quarter more pods at a time, none fewer)
		// whose old ReplicaSet is kept, scaled down but not deleted, while
		// the SLO analysis runs for five intervals after the last new pod
		// is ready; a breach aborts the rollout and scales the old
		// version back up. The plan makes a rolling workload a Rollout
		// only with autoRollback and SLOs.
		r.Spec.Strategy.Canary = &rollouts.CanaryStrategy{
			MaxSurge:       ptr.To(intstr.FromString("25%")),
			MaxUnavailable: ptr.To(intstr.FromInt32(0)),
			Steps: []rollouts.CanaryStep{
				{SetWeight: ptr.To(int32(100))},
				{Pause: &rollouts.RolloutPause{Duration: ptr.To(intstr.FromString(durationString(wl.Rollout.IntervalSeconds * 5)))}},
			},
			Analysis: &rollouts.RolloutAnalysisBackground{
				RolloutAnalysis: rollouts.RolloutAnalysis{Templates: []rollouts.AnalysisTemplateRef{{TemplateName: analysisName}}},
			},
		}
	default:
		c := &rollouts.CanaryStrategy{}
		for _, w := range wl.Rollout.Steps {
			c.Steps = append(c.Steps, rollouts.CanaryStep{SetWeight: ptr.To(int32(w))})
			if w < 100 {
				// Hold each weight for five analysis intervals before the next.
				c.Steps = append(c.Steps, rollouts.CanaryStep{Pause: &rollouts.RolloutPause{Duration: ptr.To(intstr.FromString(durationString(wl.Rollout.IntervalSeconds * 5)))}})
			}
		}
		if withAnalysis {
			c.Analysis = &rollouts.RolloutAnalysisBackground{
				RolloutAnalysis: rollouts.RolloutAnalysis{Templates: []rollouts.AnalysisTemplateRef{{TemplateName: analysisName}}},
				StartingStep:    ptr.To(int32(1)),
			}
		}
		r.Spec.Strategy.Canary = c
	}
	out := []any{encodable(r)}
	if wl.Rollout.Strategy == "blue-green" {
		out = append(out, &corev1.Service{
			TypeMeta:   typeMeta("v1", "Service"),
			ObjectMeta: meta(wl.Name+"-preview", ns.Name, labels),
			Spec: corev1.ServiceSpec{
				Selector: map[string]string{LabelName: wl.Name},
				Ports:    []corev1.ServicePort{{Name: "http", Port: int32(wl.Port), TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
			},
		})
	}
	if !withAnalysis {
		return out
	}
	at := &rollouts.AnalysisTemplate{
		TypeMeta:   typeMeta("argoproj.io/v1alpha1", "AnalysisTemplate"),
		ObjectMeta: meta(analysisName, ns.Name, labels),
	}
	interval := durationString(wl.Rollout.IntervalSeconds)
	for _, s := range wl.SLOs {
		budget := 1 - s.Objective/100
		// Fail as soon as the short-window error ratio burns the error
		// budget faster than the page threshold (14.4× over 5 minutes).
		limit := budget * 14.4
		at.Spec.Metrics = append(at.Spec.Metrics, rollouts.Metric{
			Name:             "slo-" + s.Name,
			Interval:         rollouts.DurationString(interval),
			FailureLimit:     ptr.To(intstr.FromInt32(1)),
			SuccessCondition: fmt.Sprintf("len(result) == 0 || isNaN(result[0]) || result[0] <= %s", trimFloat(limit)),
			Provider: rollouts.MetricProvider{Prometheus: &rollouts.PrometheusMetric{
				Address: PrometheusAddress,
				Query:   fmt.Sprintf("%s\n/\n%s", window(s.ErrorQuery, "5m"), window(s.TotalQuery, "5m")),
			}},
		})
	}
	return append(out, at)
}

func window(q, w string) string { return strings.ReplaceAll(q, plan.WindowPlaceholder, w) }

func durationString(seconds float64) string {
	if seconds <= 0 {
		seconds = 60
	}
	s := int(seconds)
	switch {
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	default:
		return fmt.Sprintf("%ds", s)
	}
}

func trimFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
