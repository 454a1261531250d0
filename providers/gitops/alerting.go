package gitops

import (
	"encoding/json"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"

	"github.com/platc-dev/platc/compiler/plan"
)

// Alert routing. Every alert platc renders carries the namespace of the
// team it is for (the team's namespace, or platc-system for the
// platform's own), and the Prometheus Operator confines an
// AlertmanagerConfig to alerts of its namespace: each team's config, in
// its namespace, receives exactly that team's alerts.

// AlertmanagerConfigName names the AlertmanagerConfig of a namespace.
const AlertmanagerConfigName = "platc-alerts"

// alertNamespace is the namespace label an alert for team carries in env:
// the team's namespace there, or the system namespace (where the
// platform owner's route is) when the team has none.
func alertNamespace(env *plan.Environment, team string) string {
	for _, ns := range env.Namespaces {
		if ns.Team == team {
			return ns.Name
		}
	}
	return SystemNamespace
}

// alertRouting is the ExternalSecret holding the Slack webhook and the
// AlertmanagerConfig that posts namespace's alerts to a's channel: pages
// at once, mentioning the on-call, every hour until resolved; tickets
// grouped for five minutes, repeated daily. Nil without routing.
func alertRouting(p *plan.Plan, a *plan.Alerts, namespace string, labels map[string]string) []any {
	al := p.Platform.Alerting
	if al == nil || a == nil {
		return nil
	}
	secret := &externalSecret{
		TypeMeta:   typeMeta("external-secrets.io/v1", "ExternalSecret"),
		ObjectMeta: meta(al.Secret, namespace, labels),
		Spec: externalSecretSpec{
			RefreshInterval: refreshInterval(p),
			SecretStoreRef:  secretStoreRef{Name: p.Platform.Secrets.Store, Kind: p.Platform.Secrets.StoreKind},
			Target:          externalTarget{Name: al.Secret, CreationPolicy: "Owner", DeletionPolicy: "Retain"},
			Data:            []externalData{{SecretKey: "url", RemoteRef: externalRemoteRef{Key: al.SlackWebhookRef}}},
		},
	}
	slack := func(text string, mention bool) []monitoringv1alpha1.SlackConfig {
		return []monitoringv1alpha1.SlackConfig{{
			SendResolved: ptr.To(true),
			// Slack turns the on-call's @handle into a mention.
			LinkNames: ptr.To(mention),
			APIURL:    &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: al.Secret}, Key: "url"},
			Channel:   ptr.To(a.Channel),
			Title:     ptr.To(`[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.environment }})`),
			Text:      ptr.To(text),
		}}
	}
	const summaries = `{{ range .Alerts }}{{ .Annotations.summary }}{{ "\n" }}{{ end }}`
	page := monitoringv1alpha1.Route{
		Receiver:       "page",
		Matchers:       []monitoringv1alpha1.Matcher{{Name: "severity", Value: "page", MatchType: monitoringv1alpha1.MatchEqual}},
		GroupWait:      ptr.To(monitoringv1.NonEmptyDuration("30s")),
		RepeatInterval: ptr.To(monitoringv1.NonEmptyDuration("1h")),
	}
	child, err := json.Marshal(page)
	if err != nil {
		panic(err) // a Route of strings always marshals
	}
	pageText := summaries
	if a.OnCall != "" {
		pageText = a.OnCall + " " + summaries
	}
	config := &monitoringv1alpha1.AlertmanagerConfig{
		TypeMeta:   typeMeta("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"),
		ObjectMeta: meta(AlertmanagerConfigName, namespace, labels),
		Spec: monitoringv1alpha1.AlertmanagerConfigSpec{
			Route: &monitoringv1alpha1.Route{
				Receiver:       "ticket",
				GroupBy:        []string{"alertname", "environment", "service"},
				GroupWait:      ptr.To(monitoringv1.NonEmptyDuration("5m")),
				GroupInterval:  ptr.To(monitoringv1.NonEmptyDuration("15m")),
				RepeatInterval: ptr.To(monitoringv1.NonEmptyDuration("24h")),
				Routes:         []apiextensionsv1.JSON{{Raw: child}},
			},
			Receivers: []monitoringv1alpha1.Receiver{
				{Name: "page", SlackConfigs: slack(pageText, a.OnCall != "")},
				{Name: "ticket", SlackConfigs: slack(summaries, false)},
			},
		},
	}
	return []any{secret, config}
}
