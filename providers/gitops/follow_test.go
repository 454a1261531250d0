package gitops_test

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/kubetest"
	"github.com/platc-dev/platc/providers/gitops"
)

// followEngine reads the rendered repository as the GitOps engine does:
// from what each environment's bootstrap syncs (plan.GitOps.EngineDir), it
// builds the directory with kustomize, then follows every Argo CD
// Application's source.path and every Flux Kustomization's spec.path in
// the objects built, and builds those, until nothing new is named. It
// returns every object built, each with the directory it was built from,
// and fails the test on a path that does not build or points outside the
// repository. It may run outside the test's goroutine: it never stops
// the test.
func followEngine(t *testing.T, p *plan.Plan, tree gitops.Tree) []renderedObject {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for _, name := range tree.Paths() {
		if err := fs.MkdirAll(path.Dir("/" + name)); err != nil {
			t.Error(err)
			return nil
		}
		if err := fs.WriteFile("/"+name, tree[name]); err != nil {
			t.Error(err)
			return nil
		}
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	g := p.Platform.GitOps
	var queue []string
	for _, env := range p.Environments {
		queue = append(queue, g.EngineDir(env.Name))
	}
	built := map[string]bool{}
	var out []renderedObject
	for len(queue) > 0 {
		dir := path.Clean(queue[0])
		queue = queue[1:]
		if built[dir] {
			continue
		}
		built[dir] = true
		if dir == ".." || strings.HasPrefix(dir, "../") || path.IsAbs(dir) {
			t.Errorf("an engine object points outside the repository: %s", dir)
			continue
		}
		res, err := k.Run(fs, "/"+dir)
		if err != nil {
			t.Errorf("kustomize build %s (named by the engine): %v", dir, err)
			continue
		}
		if len(res.Resources()) == 0 {
			t.Errorf("kustomize build %s: no objects", dir)
		}
		for _, r := range res.Resources() {
			m, err := r.Map()
			if err != nil {
				t.Errorf("kustomize build %s: %v", dir, err)
				continue
			}
			o := &unstructured.Unstructured{Object: m}
			out = append(out, renderedObject{dir, o})
			if next, ok := enginePath(o); ok {
				queue = append(queue, next)
			}
		}
	}
	return out
}

// enginePath is the repository path an Argo CD Application or a Flux
// Kustomization syncs.
func enginePath(o *unstructured.Unstructured) (string, bool) {
	gvk := o.GroupVersionKind()
	switch {
	case gvk.Group == "argoproj.io" && gvk.Kind == "Application":
		p, ok, _ := unstructured.NestedString(o.Object, "spec", "source", "path")
		return p, ok
	case gvk.Group == "kustomize.toolkit.fluxcd.io" && gvk.Kind == "Kustomization":
		p, ok, _ := unstructured.NestedString(o.Object, "spec", "path")
		return strings.TrimPrefix(p, "./"), ok
	}
	return "", false
}

// objectKeys counts objects by kind, namespace and name.
func objectKeys(objs []*unstructured.Unstructured) map[string]int {
	out := map[string]int{}
	for _, o := range objs {
		out[fmt.Sprintf("%s %s/%s", o.GroupVersionKind(), o.GetNamespace(), o.GetName())]++
	}
	return out
}

// engineVariants are the example's plan as rendered (Argo CD under
// clusters/, Envoy Gateway), with Flux under a nested path (and Kong at the
// gateway), and with NGINX Gateway Fabric at the gateway: the layout
// contract holds for either engine and any platform.gitops.path, and each
// gateway's rate limiters are checked.
func engineVariants(p *plan.Plan) map[string]*plan.Plan {
	flux := *p
	flux.Platform.GitOps.Engine = "flux"
	flux.Platform.GitOps.Namespace = "flux-system"
	flux.Platform.GitOps.Path = "deploy/k8s"
	flux.Platform.GitOps.KubectlImage = "registry.k8s.io/kubectl:v1.36.3"
	// The Flux variant verifies images with the sigstore policy-controller
	// and a KMS key, so that its ClusterImagePolicy is checked too.
	flux.Platform.Admission = &plan.Admission{Engine: "sigstore-policy-controller", Tool: "cosign", KeyKMS: "awskms:///alias/acme-signer"}
	// Its meshed environments run Cilium instead of Istio.
	flux.Environments = make([]*plan.Environment, len(p.Environments))
	for i, env := range p.Environments {
		e := *env
		if e.Cluster.Mesh != "none" {
			e.Cluster.Mesh = "cilium"
		}
		flux.Environments[i] = &e
	}
	// Its routes are rate-limited by Kong.
	flux.Platform.Gateway.Implementation = "kong"
	// And Argo CD again with NGINX Gateway Fabric at the gateway.
	nginx := *p
	nginx.Platform.Gateway.Implementation = "nginx"
	return map[string]*plan.Plan{"argocd": p, "flux": &flux, "argocd-nginx": &nginx}
}

// TestEngineReachesEveryObject: following the engine from each
// environment's bootstrap reaches every object of the rendered tree, each
// as often as the tree holds it, and nothing else.
func TestEngineReachesEveryObject(t *testing.T) {
	p, _ := render(t, "../../examples/acme-shop")
	for name, vp := range engineVariants(p) {
		t.Run(name, func(t *testing.T) {
			tree, err := emitTree(vp)
			if err != nil {
				t.Fatal(err)
			}
			var inTree []*unstructured.Unstructured
			for _, file := range tree.Paths() {
				if !strings.HasPrefix(file, vp.Platform.GitOps.Path+"/") {
					t.Errorf("%s is outside platform.gitops.path %s", file, vp.Platform.GitOps.Path)
				}
				if path.Base(file) == "kustomization.yaml" {
					continue
				}
				objs, err := kubetest.DecodeYAML(tree[file])
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				inTree = append(inTree, objs...)
			}
			reached := followEngine(t, vp, tree)
			want, got := objectKeys(inTree), objectKeys(objects(reached))
			var missing, extra []string
			for k, n := range want {
				if got[k] < n {
					missing = append(missing, fmt.Sprintf("%s (%d of %d)", k, got[k], n))
				}
			}
			for k, n := range got {
				if n > want[k] {
					extra = append(extra, fmt.Sprintf("%s (%d, the tree has %d)", k, n, want[k]))
				}
			}
			slices.Sort(missing)
			slices.Sort(extra)
			if len(missing) > 0 {
				t.Errorf("%d objects of the tree are not reached from the bootstraps:\n%s", len(missing), strings.Join(missing, "\n"))
			}
			if len(extra) > 0 {
				t.Errorf("%d objects are reached more often than the tree holds them:\n%s", len(extra), strings.Join(extra, "\n"))
			}
			t.Logf("%s: %d objects reached from %d bootstraps", name, len(reached), len(vp.Environments))
		})
	}
}

// TestRouteFiltersResolve: every ExtensionRef filter of an HTTPRoute rule
// (the Kong and NGINX rate limiters) names an object of that kind in the
// route's namespace that the engine reaches, and each gateway's rate
// limiters are rendered at all.
func TestRouteFiltersResolve(t *testing.T) {
	p, _ := render(t, "../../examples/acme-shop")
	for name, vp := range engineVariants(p) {
		t.Run(name, func(t *testing.T) {
			tree, err := emitTree(vp)
			if err != nil {
				t.Fatal(err)
			}
			objs := followEngine(t, vp, tree)
			have := map[string]bool{}
			for _, o := range objs {
				have[fmt.Sprintf("%s/%s %s/%s", o.obj.GroupVersionKind().Group, o.obj.GetKind(), o.obj.GetNamespace(), o.obj.GetName())] = true
			}
			refs := 0
			for _, o := range objs {
				if o.obj.GetKind() != "HTTPRoute" {
					continue
				}
				// (kustomize's maps hold ints, which the Nested helpers
				// cannot deep-copy.)
				spec, _ := o.obj.Object["spec"].(map[string]any)
				rules, _ := spec["rules"].([]any)
				for _, r := range rules {
					filters, _ := r.(map[string]any)["filters"].([]any)
					for _, f := range filters {
						ref, ok := f.(map[string]any)["extensionRef"].(map[string]any)
						if !ok {
							continue
						}
						refs++
						key := fmt.Sprintf("%s/%s %s/%s", ref["group"], ref["kind"], o.obj.GetNamespace(), ref["name"])
						if !have[key] {
							t.Errorf("HTTPRoute %s/%s names %s, which the engine does not reach", o.obj.GetNamespace(), o.obj.GetName(), key)
						}
					}
				}
			}
			if impl := vp.Platform.Gateway.Implementation; impl != "envoy-gateway" && refs == 0 {
				t.Errorf("no route of acme-shop is rate-limited on %s", impl)
			}
		})
	}
}
