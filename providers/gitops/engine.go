package gitops

import (
	"path"

	"github.com/platc-dev/platc/compiler/plan"
)

// The GitOps engine's objects are built as plain maps: Argo CD's Go API
// cannot be built with this Kubernetes version, so the tests validate these
// objects against the Argo CD and Flux CRD schemas instead.

// emitEngine writes, per environment in its engine directory, the objects
// that make the engine sync the environment's directory: for Argo
// CD an AppProject whose sync windows come from the change calendar
// (allow) and freezes (deny), and an Application; for Flux a
// GitRepository and a Kustomization, with CronJobs that suspend the
// Kustomization for each freeze (fluxFreezeJobs). Each environment's bootstrap
// Application or Kustomization (providers/pulumi) syncs the engine
// directory, so the sync windows reach Argo CD with the rest.
func emitEngine(w *writer, p *plan.Plan) {
	g := p.Platform.GitOps
	dir := path.Join(g.Path, g.Engine)
	name := p.Platform.Name
	labels := map[string]any{LabelManagedBy: "platc", LabelPartOf: name}
	repo := g.Repo
	if repo == "" {
		repo = "https://git.example.invalid/" + name + "-gitops.git"
	}
	for _, env := range p.Environments {
		edir := g.EngineDir(env.Name)
		w.subdir(dir, env.Name)
		switch g.Engine {
		case "flux":
			w.file(path.Join(edir, "gitrepository.yaml"), map[string]any{
				"apiVersion": "source.toolkit.fluxcd.io/v1",
				"kind":       "GitRepository",
				"metadata":   map[string]any{"name": name, "namespace": g.Namespace, "labels": labels},
				"spec": map[string]any{
					"interval": "1m",
					"url":      repo,
					"ref":      map[string]any{"branch": g.Branch},
				},
			})
			fluxFreezeJobs(w, p, env, edir, name+"-"+env.Name, map[string]string{LabelManagedBy: "platc", LabelPartOf: name})
			w.file(path.Join(edir, "kustomization-"+env.Name+".yaml"), map[string]any{
				"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
				"kind":       "Kustomization",
				"metadata":   map[string]any{"name": name + "-" + env.Name, "namespace": g.Namespace, "labels": labels},
				"spec": map[string]any{
					"interval":  "5m",
					"path":      "./" + g.EnvDir(env.Name),
					"prune":     true,
					"wait":      true,
					"timeout":   "10m",
					"sourceRef": map[string]any{"kind": "GitRepository", "name": name},
				},
			})
		default:
			project := name + "-" + env.Name
			var windows []any
			for _, sw := range env.SyncWindows {
				windows = append(windows, map[string]any{
					"kind":         sw.Kind,
					"schedule":     sw.Schedule,
					"duration":     sw.Duration,
					"timeZone":     sw.TimeZone,
					"description":  sw.Name,
					"applications": []any{project},
					// Emergencies go through `platc apply --emergency`, which
					// syncs by hand; a freeze still blocks automated syncs.
					"manualSync": sw.Kind == "deny",
				})
			}
			spec := map[string]any{
				"description":  "Environment " + env.Name + " of the " + name + " platform, rendered by platc",
				"sourceRepos":  []any{repo},
				"destinations": []any{map[string]any{"server": plan.InClusterServer, "namespace": "*"}},
				// Least privilege: the cluster-scoped kinds platc renders, nothing else.
				"clusterResourceWhitelist": []any{
					map[string]any{"group": "", "kind": "Namespace"},
					map[string]any{"group": "scheduling.k8s.io", "kind": "PriorityClass"},
					map[string]any{"group": "kueue.x-k8s.io", "kind": "ResourceFlavor"},
					map[string]any{"group": "kueue.x-k8s.io", "kind": "ClusterQueue"},
				},
			}
			if len(windows) > 0 {
				spec["syncWindows"] = windows
			}
			w.file(path.Join(edir, "appproject.yaml"), map[string]any{
				"apiVersion": "argoproj.io/v1alpha1",
				"kind":       "AppProject",
				"metadata":   map[string]any{"name": project, "namespace": g.Namespace, "labels": labels},
				"spec":       spec,
			})
			w.file(path.Join(edir, "application.yaml"), map[string]any{
				"apiVersion": "argoproj.io/v1alpha1",
				"kind":       "Application",
				"metadata": map[string]any{
					"name": name + "-" + env.Name, "namespace": g.Namespace, "labels": labels,
					"finalizers": []any{"resources-finalizer.argocd.argoproj.io"},
				},
				"spec": map[string]any{
					"project": project,
					"source": map[string]any{
						"repoURL":        repo,
						"targetRevision": g.Branch,
						"path":           g.EnvDir(env.Name),
					},
					"destination": map[string]any{"server": plan.InClusterServer},
					"syncPolicy": map[string]any{
						"automated":   map[string]any{"prune": true, "selfHeal": true},
						"syncOptions": []any{"ServerSideApply=true", "CreateNamespace=false"},
						"retry":       map[string]any{"limit": 5, "backoff": map[string]any{"duration": "10s", "factor": 2, "maxDuration": "5m"}},
					},
				},
			})
		}
	}
}
