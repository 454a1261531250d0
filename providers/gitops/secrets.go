package gitops

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/platc-dev/platc/compiler/plan"
)

// externalSecret is the External Secrets Operator's external-secrets.io/v1
// ExternalSecret. The operator's Go API (v0.16.2) lives in its main
// module with every provider's SDK, so this is a local struct, validated
// against the CRD in that module's zip by
// TestRenderedTreeIsAcceptedByAPIServer.
type externalSecret struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              externalSecretSpec `json:"spec"`
}

type externalSecretSpec struct {
	RefreshInterval string             `json:"refreshInterval"`
	SecretStoreRef  secretStoreRef     `json:"secretStoreRef"`
	Target          externalTarget     `json:"target"`
	Data            []externalData     `json:"data,omitempty"`
	DataFrom        []externalDataFrom `json:"dataFrom,omitempty"`
}

// externalData is one key of the Secret, read from one key of the store.
type externalData struct {
	SecretKey string            `json:"secretKey"`
	RemoteRef externalRemoteRef `json:"remoteRef"`
}

type externalRemoteRef struct {
	Key string `json:"key"`
}

type secretStoreRef struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type externalTarget struct {
	Name           string `json:"name"`
	CreationPolicy string `json:"creationPolicy"`
	DeletionPolicy string `json:"deletionPolicy"`
}

type externalDataFrom struct {
	Extract *externalExtract `json:"extract"`
}

type externalExtract struct {
	Key string `json:"key"`
}

// externalSecrets are a team's ExternalSecrets in an environment: one per
// integration with a secretRef that a workload of the team calls, synced
// from the platform's store into a Secret the callers mount. The secret's
// values never pass through platc: the spec names only its key.
func externalSecrets(p *plan.Plan, ns *plan.Namespace, labels map[string]string) []any {
	seen := map[string]bool{}
	var out []any
	for _, wl := range ns.Workloads {
		for _, u := range wl.Upstreams {
			if u.SecretRef == "" || seen[u.Secret] {
				continue
			}
			seen[u.Secret] = true
			out = append(out, &externalSecret{
				TypeMeta:   typeMeta("external-secrets.io/v1", "ExternalSecret"),
				ObjectMeta: meta(u.Secret, ns.Name, labels),
				Spec: externalSecretSpec{
					RefreshInterval: refreshInterval(p),
					SecretStoreRef:  secretStoreRef{Name: p.Platform.Secrets.Store, Kind: p.Platform.Secrets.StoreKind},
					Target:          externalTarget{Name: u.Secret, CreationPolicy: "Owner", DeletionPolicy: "Retain"},
					DataFrom:        []externalDataFrom{{Extract: &externalExtract{Key: u.SecretRef}}},
				},
			})
		}
	}
	return out
}

// secretMounts are a workload's volumes and mounts of the credentials of
// the integrations it calls, read-only, one directory per integration
// (each key of the secret a file).
func secretMounts(wl *plan.Workload) ([]corev1.Volume, []corev1.VolumeMount) {
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	for _, u := range wl.Upstreams {
		if u.SecretRef == "" || slices.ContainsFunc(vols, func(v corev1.Volume) bool { return v.Name == u.Secret }) {
			continue
		}
		vols = append(vols, corev1.Volume{Name: u.Secret, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: u.Secret, DefaultMode: ptr.To(int32(0o440)),
		}}})
		mounts = append(mounts, corev1.VolumeMount{Name: u.Secret, MountPath: u.MountPath, ReadOnly: true})
	}
	return vols, mounts
}

// refreshInterval is how often the operator re-reads the platform's
// secrets, as a Go duration.
func refreshInterval(p *plan.Plan) string {
	return time.Duration(p.Platform.Secrets.RefreshSeconds * float64(time.Second)).String()
}
