package gitops

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/platc-dev/platc/compiler/plan"
)

// Flux has no sync windows, so a freeze reaches it as the Flux way of
// stopping a sync: spec.suspend on the environment's Kustomization. Two
// CronJobs per freeze, in the engine's namespace, patch it: one sets
// suspend at the freeze's start, the other clears it at its end. They run
// as a ServiceAccount that may only get and patch that one Kustomization.
//
// A CronJob's schedule names no year, like an Argo CD window's; the
// freeze's jobs are rendered under the same rule as its deny window
// (plan.buildSyncWindows): only from a year before the freeze until it
// ends, so the first render after it drops them.

// fluxFreezeJobs writes the suspend and resume CronJobs of env's freezes,
// with their ServiceAccount and RBAC, into the engine directory edir.
// kustomization is the name of the environment's Flux Kustomization.
func fluxFreezeJobs(w *writer, p *plan.Plan, env *plan.Environment, edir, kustomization string, labels map[string]string) {
	var freezes []*plan.SyncWindow
	for _, sw := range env.SyncWindows {
		if sw.Kind == "deny" && sw.Start != nil && sw.End != nil {
			freezes = append(freezes, sw)
		}
	}
	if len(freezes) == 0 {
		return
	}
	g := p.Platform.GitOps
	ns := g.Namespace
	account := kustomization + "-freeze"
	w.file(path.Join(edir, "freeze-rbac.yaml"),
		&corev1.ServiceAccount{
			TypeMeta:   typeMeta("v1", "ServiceAccount"),
			ObjectMeta: meta(account, ns, labels),
		},
		&rbacv1.Role{
			TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "Role"),
			ObjectMeta: meta(account, ns, labels),
			Rules: []rbacv1.PolicyRule{{
				APIGroups:     []string{"kustomize.toolkit.fluxcd.io"},
				Resources:     []string{"kustomizations"},
				ResourceNames: []string{kustomization},
				Verbs:         []string{"get", "patch"},
			}},
		},
		&rbacv1.RoleBinding{
			TypeMeta:   typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"),
			ObjectMeta: meta(account, ns, labels),
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: account},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: account, Namespace: ns}},
		},
	)
	var jobs []any
	for i, f := range freezes {
		length := f.End.Sub(*f.Start)
		jobs = append(jobs,
			// A suspend missed (the controller down at the start) still
			// happens while the freeze lasts.
			freezeJob(freezeJobName(kustomization, i+1, "suspend"), ns, account, kustomization, g.KubectlImage, *f.Start, true,
				max(int64(length.Seconds()), 60), f.Name, labels),
			// A resume missed is made up for a week after.
			freezeJob(freezeJobName(kustomization, i+1, "resume"), ns, account, kustomization, g.KubectlImage, *f.End, false,
				int64((7*24*time.Hour).Seconds()), f.Name, labels),
		)
	}
	w.file(path.Join(edir, "freeze-jobs.yaml"), jobs...)
}

// freezeJob is a CronJob that sets (suspend) or clears the Kustomization's
// spec.suspend at the minute at, in UTC.
func freezeJob(name, ns, account, kustomization, image string, at time.Time, suspend bool, deadline int64, freeze string, labels map[string]string) *batchv1.CronJob {
	at = at.UTC()
	patch := fmt.Sprintf(`{"spec":{"suspend":%t}}`, suspend)
	verb := "resumes"
	if suspend {
		verb = "suspends"
	}
	cj := &batchv1.CronJob{
		TypeMeta:   typeMeta("batch/v1", "CronJob"),
		ObjectMeta: meta(name, ns, labels),
		Spec: batchv1.CronJobSpec{
			Schedule:                   fmt.Sprintf("%d %d %d %d *", at.Minute(), at.Hour(), at.Day(), int(at.Month())),
			TimeZone:                   ptr.To("Etc/UTC"),
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr.To(deadline),
			SuccessfulJobsHistoryLimit: ptr.To(int32(1)),
			FailedJobsHistoryLimit:     ptr.To(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				Spec: batchv1.JobSpec{
					BackoffLimit: ptr.To(int32(6)),
					Template: corev1.PodTemplateSpec{
						Spec: corev1.PodSpec{
							ServiceAccountName: account,
							RestartPolicy:      corev1.RestartPolicyOnFailure,
							SecurityContext: &corev1.PodSecurityContext{
								RunAsNonRoot:   ptr.To(true),
								RunAsUser:      ptr.To(int64(65532)),
								SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
							},
							Containers: []corev1.Container{{
								Name:    "kubectl",
								Image:   image,
								Command: []string{"kubectl"},
								Args: []string{"patch", "kustomizations.kustomize.toolkit.fluxcd.io", kustomization,
									"--namespace", ns, "--type", "merge", "--patch", patch, "--field-manager", "platc-freeze", "--cache-dir", "/tmp/kube-cache"},
								Resources: corev1.ResourceRequirements{
									Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("32Mi")},
									Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
								},
								SecurityContext: &corev1.SecurityContext{
									AllowPrivilegeEscalation: ptr.To(false),
									ReadOnlyRootFilesystem:   ptr.To(true),
									Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
								},
								VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
							}},
							Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
						},
					},
				},
			},
		},
	}
	cj.Annotations = map[string]string{"platc.dev/freeze": freeze, "platc.dev/description": fmt.Sprintf("%s Flux Kustomization %s for freeze %q at %s", verb, kustomization, freeze, at.Format(time.RFC3339))}
	return cj
}

// freezeJobName is "<kustomization>-freeze-<n>-<verb>", shortened with a
// hash of the whole when it would pass the 52 characters a CronJob's name
// may have.
func freezeJobName(kustomization string, n int, verb string) string {
	name := fmt.Sprintf("%s-freeze-%d-%s", kustomization, n, verb)
	if len(name) <= 52 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := fmt.Sprintf("-%s-%d-%s", hex.EncodeToString(sum[:])[:8], n, verb)
	return kustomization[:52-len(suffix)] + suffix
}
