package gitops

import (
	"path"

	"github.com/platc-dev/platc/compiler/plan"
)

// The GitOps engine's objects are built as plain maps: Argo CD's Go API
// cannot be built with this Kubernetes version, so the tests validate these
// objects against the Argo CD and Flux CRD schemas instead.

// emitEngine writes the objects that make the engine sync each
// environment's directory: for Argo CD an AppProject whose sync windows
// come from the change calendar (allow) and freezes (deny) and one
// Application per environment; for Flux a GitRepository and one
// Kustomization per environment.
func emitEngine(w *writer, p *plan.Plan, dir string) {
	g := p.Platform.GitOps
	name := p.Platform.Name
	labels := map[string]any{LabelManagedBy: "platc", LabelPartOf: name}
	repo := g.Repo
	if repo == "" {
		repo = "https://git.example.invalid/" + name + "-gitops.git"
	}
	switch g.Engine {
	case "flux":
		w.file(path.Join(dir, "gitrepository.yaml"), map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1",
			"kind":       "GitRepository",
			"metadata":   map[string]any{"name": name, "namespace": g.Namespace, "labels": labels},
			"spec": map[string]any{
				"interval": "1m",
				"url":      repo,
				"ref":      map[string]any{"branch": g.Branch},
			},
		})
		for _, env := range p.Environments {
			w.file(path.Join(dir, "kustomization-"+env.Name+".yaml"), map[string]any{
				"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
				"kind":       "Kustomization",
				"metadata":   map[string]any{"name": name + "-" + env.Name, "namespace": g.Namespace, "labels": labels},
				"spec": map[string]any{
					"interval":  "5m",
					"path":      "./" + path.Join(g.Path, env.Name),
					"prune":     true,
					"wait":      true,
					"timeout":   "10m",
					"sourceRef": map[string]any{"kind": "GitRepository", "name": name},
				},
			})
		}
	default:
		var destinations, windows []any
		for _, env := range p.Environments {
			destinations = append(destinations, map[string]any{"name": env.Cluster.Name, "namespace": "*"})
			for _, sw := range env.SyncWindows {
				windows = append(windows, map[string]any{
					"kind":         sw.Kind,
					"schedule":     sw.Schedule,
					"duration":     sw.Duration,
					"timeZone":     sw.TimeZone,
					"applications": []any{name + "-" + env.Name},
					// Emergencies go through `platc apply --emergency`, which
					// syncs by hand; a freeze still blocks automated syncs.
					"manualSync": sw.Kind == "deny",
				})
			}
		}
		project := map[string]any{
			"description":  "Environments of the " + name + " platform, rendered by platc",
			"sourceRepos":  []any{repo},
			"destinations": destinations,
			// Least privilege: the cluster-scoped kinds platc renders, nothing else.
			"clusterResourceWhitelist": []any{
				map[string]any{"group": "", "kind": "Namespace"},
				map[string]any{"group": "scheduling.k8s.io", "kind": "PriorityClass"},
				map[string]any{"group": "kueue.x-k8s.io", "kind": "ResourceFlavor"},
				map[string]any{"group": "kueue.x-k8s.io", "kind": "ClusterQueue"},
			},
		}
		if len(windows) > 0 {
			project["syncWindows"] = windows
		}
		w.file(path.Join(dir, "appproject.yaml"), map[string]any{
			"apiVersion": "argoproj.io/v1alpha1",
			"kind":       "AppProject",
			"metadata":   map[string]any{"name": name, "namespace": g.Namespace, "labels": labels},
			"spec":       project,
		})
		for _, env := range p.Environments {
			w.file(path.Join(dir, "application-"+env.Name+".yaml"), map[string]any{
				"apiVersion": "argoproj.io/v1alpha1",
				"kind":       "Application",
				"metadata": map[string]any{
					"name": name + "-" + env.Name, "namespace": g.Namespace, "labels": labels,
					"finalizers": []any{"resources-finalizer.argocd.argoproj.io"},
				},
				"spec": map[string]any{
					"project": name,
					"source": map[string]any{
						"repoURL":        repo,
						"targetRevision": g.Branch,
						"path":           path.Join(g.Path, env.Name),
					},
					"destination": map[string]any{"name": env.Cluster.Name},
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
