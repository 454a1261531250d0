package gitops_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/internal/kubetest"
)

// crdSources are where the CRDs of the kinds platc renders come from: the
// module zips of the projects whose Go types build the objects, at the
// versions go.mod selects, so that the schemas match those types. A module
// with an @version is not a dependency and is downloaded just for its CRDs.
var crdSources = []struct{ module, dir string }{
	{"sigs.k8s.io/kueue", "config/components/crd/bases"},
	{"sigs.k8s.io/gateway-api", "config/crd/standard"},
	{"github.com/envoyproxy/gateway", "charts/gateway-helm/charts/crds/crds/generated"},
	{"github.com/argoproj/argo-rollouts", "manifests/crds"},
	// go.mod requires only the pkg/apis/monitoring submodule (v0.95.1),
	// which holds no CRDs, and the proxy does not serve the main module at
	// v0.95.x: v0.85.0 is the newest it serves. PrometheusRule and
	// ServiceMonitor are monitoring.coreos.com/v1 in both.
	{"github.com/prometheus-operator/prometheus-operator@v0.85.0", "example/prometheus-operator-crd"},
	// Argo CD's Go API cannot be built here (see engine.go); its CRDs can.
	{"github.com/argoproj/argo-cd/v3@v3.2.0", "manifests/crds"},
	// Flux's GitRepository and Kustomization, from the controllers'
	// modules (v1 APIs in both).
	{"github.com/fluxcd/source-controller@v1.7.2", "config/crd/bases"},
	{"github.com/fluxcd/kustomize-controller@v1.7.3", "config/crd/bases"},
	// Istio's PeerAuthentication and AuthorizationPolicy: the CRDs of the
	// API module istio.io/client-go's types are generated from.
	{"istio.io/api", "kubernetes"},
	// Admission policies and ExternalSecrets are local structs (see
	// admission.go, secrets.go), checked against their projects' CRDs.
	{"github.com/kyverno/kyverno@v1.19.1", "config/crds/policies.kyverno.io"},
	{"github.com/sigstore/policy-controller@v0.13.1", "config/300-clusterimagepolicy.yaml"},
	{"github.com/external-secrets/external-secrets@v0.16.2", "config/crds/bases"},
	// KEDA's ScaledObject, from the module its Go types come from.
	{"github.com/kedacore/keda/v2", "config/crd/bases"},
	// The gateways' rate limiters without a usable Go API (ratelimit.go):
	// Kong's KongPlugin and NGINX Gateway Fabric's SnippetsFilter. Neither
	// module lists its versions on the proxy; these exact ones are served.
	{"github.com/kong/kubernetes-configuration@v1.5.2", "config/crd/ingress-controller/configuration.konghq.com_kongplugins.yaml"},
	{"github.com/nginxinc/nginx-gateway-fabric@v1.6.2", "config/crd/bases/gateway.nginx.org_snippetsfilters.yaml"},
	// CiliumNetworkPolicy (the Flux variant's mesh), from Cilium's module.
	{"github.com/cilium/cilium@v1.20.2", "pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml"},
}

// renderedObject is one object of the rendered tree and the file it is in.
type renderedObject struct {
	file string
	obj  *unstructured.Unstructured
}

// TestRenderedTreeIsAcceptedByAPIServer reads the example's GitOps
// repository as the engine does (followEngine: from each environment's
// bootstrap, every Application and Flux Kustomization path, built with
// kustomize), for Argo CD and for Flux, and server-side dry-run applies
// every object reached to a real kube-apiserver with the CRDs of Kueue,
// Gateway API, Envoy Gateway, Argo Rollouts, Prometheus Operator, Argo CD,
// Flux, Istio, Kyverno, the sigstore policy-controller and the External
// Secrets Operator installed: the API server's own defaulting, validation (strict:
// unknown fields are errors) and admission.
func TestRenderedTreeIsAcceptedByAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real kube-apiserver and etcd (built by `make tools`)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	// Compile the example while the API server starts.
	type compiled struct {
		objs []renderedObject
		err  error
	}
	done := make(chan compiled, 1)
	go func() {
		objs, err := renderObjects(ctx, t, "../../examples/acme-shop")
		done <- compiled{objs, err}
	}()

	srv := kubetest.Start(t)

	var crdDirs []string
	for _, src := range crdSources {
		dir, err := kubetest.ModuleDir(ctx, src.module)
		if err != nil {
			t.Fatalf("CRDs of %s: %v", src.module, err)
		}
		crdDirs = append(crdDirs, filepath.Join(dir, filepath.FromSlash(src.dir)))
	}
	c := <-done
	if c.err != nil {
		t.Fatal(c.err)
	}
	if len(c.objs) == 0 {
		t.Fatal("the rendered tree has no objects")
	}
	start := time.Now()
	crds, err := srv.InstallCRDsFor(ctx, objects(c.objs), crdDirs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("installed the %d CRDs the tree uses in %s: %s", len(crds), time.Since(start).Round(time.Millisecond), strings.Join(crds, ", "))

	// A dry-run Namespace is not stored: create the rendered namespaces
	// for real, then those the objects are in that platc does not render
	// (the GitOps engine's own, e.g. argocd, exists before platc's tree).
	rendered := map[string]bool{}
	var namespaces []renderedObject
	for _, o := range c.objs {
		if o.obj.GetAPIVersion() == "v1" && o.obj.GetKind() == "Namespace" {
			namespaces = append(namespaces, o)
			rendered[o.obj.GetName()] = true
		}
	}
	for i, r := range srv.Apply(ctx, objects(namespaces)) {
		if r.Err != nil {
			t.Errorf("%s: %s: %v", namespaces[i].file, r, r.Err)
		}
	}
	external := map[string][]string{}
	for _, o := range c.objs {
		if ns := o.obj.GetNamespace(); ns != "" && !rendered[ns] {
			external[ns] = append(external[ns], o.file)
		}
	}
	for _, ns := range slices.Sorted(maps.Keys(external)) {
		files := slices.Compact(slices.Sorted(slices.Values(external[ns])))
		t.Logf("namespace %s is not rendered, created by the test (used by %s)", ns, strings.Join(files, ", "))
	}
	if err := srv.CreateNamespaces(ctx, slices.Sorted(maps.Keys(external))...); err != nil {
		t.Fatal(err)
	}

	start = time.Now()
	results := srv.DryRunApply(ctx, objects(c.objs))
	kinds := map[string]int{}
	rejected := 0
	for i, r := range results {
		o := c.objs[i]
		kinds[o.obj.GroupVersionKind().GroupKind().String()]++
		for _, w := range r.Warnings {
			t.Logf("%s: %s: warning: %s", o.file, r, w)
		}
		if r.Err != nil {
			rejected++
			t.Errorf("%s: %s: %v", o.file, r, r.Err)
		}
	}
	var summary []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		summary = append(summary, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	t.Logf("dry-run applied %d objects (%d rejected) in %s: %s", len(results), rejected,
		time.Since(start).Round(time.Millisecond), strings.Join(summary, ", "))

	fluxFreezeRunsAsItsAccount(ctx, t, srv, c.objs)
}

// fluxFreezeRunsAsItsAccount creates the Flux variant's freeze RBAC and
// Kustomizations for real, then runs each freeze CronJob's kubectl patch
// as its ServiceAccount (impersonated): it may suspend and resume its
// environment's Kustomization, and nothing else.
func fluxFreezeRunsAsItsAccount(ctx context.Context, t *testing.T, srv *kubetest.Server, objs []renderedObject) {
	var create []*unstructured.Unstructured
	var jobs []*unstructured.Unstructured
	for _, o := range objs {
		if !strings.HasPrefix(o.file, "flux: ") {
			continue
		}
		switch o.obj.GetKind() {
		case "ServiceAccount", "Role", "RoleBinding", "Kustomization":
			if o.obj.GetNamespace() == "flux-system" {
				create = append(create, o.obj)
			}
		case "CronJob":
			if o.obj.GetNamespace() == "flux-system" {
				jobs = append(jobs, o.obj)
			}
		}
	}
	if len(jobs) == 0 {
		t.Fatal("the Flux variant has no freeze CronJobs")
	}
	for _, r := range srv.Apply(ctx, create) {
		if r.Err != nil {
			t.Fatalf("create %s: %v", r, r.Err)
		}
	}
	gvr := schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}
	for _, job := range jobs {
		// (kustomize's maps hold ints, which NestedSlice cannot deep-copy.)
		pod, _, _ := unstructured.NestedFieldNoCopy(job.Object, "spec", "jobTemplate", "spec", "template", "spec")
		podSpec, _ := pod.(map[string]any)
		account, _ := podSpec["serviceAccountName"].(string)
		containers, _ := podSpec["containers"].([]any)
		if len(containers) != 1 {
			t.Fatalf("%s has %d containers", job.GetName(), len(containers))
		}
		var args []string
		rawArgs, _ := containers[0].(map[string]any)["args"].([]any)
		for _, a := range rawArgs {
			s, _ := a.(string)
			args = append(args, s)
		}
		// kubectl patch RESOURCE NAME --namespace NS --type merge --patch P …
		if len(args) < 9 || args[0] != "patch" || args[3] != "--namespace" || args[5] != "--type" || args[6] != "merge" || args[7] != "--patch" {
			t.Fatalf("%s runs kubectl %v", job.GetName(), args)
		}
		name, ns, patch := args[2], args[4], args[8]
		cfg := rest.CopyConfig(srv.Config)
		cfg.Impersonate = rest.ImpersonationConfig{
			UserName: "system:serviceaccount:" + job.GetNamespace() + ":" + account,
			Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + job.GetNamespace(), "system:authenticated"},
		}
		as, err := dynamic.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := as.Resource(gvr).Namespace(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "platc-freeze"})
		if err != nil {
			t.Errorf("%s: kubectl patch as %s: %v", job.GetName(), account, err)
			continue
		}
		suspended, _, _ := unstructured.NestedBool(got.Object, "spec", "suspend")
		if want := strings.HasSuffix(job.GetName(), "-suspend"); suspended != want {
			t.Errorf("%s: the Kustomization's spec.suspend is %v after the patch, want %v", job.GetName(), suspended, want)
		}
		// Least privilege: no other Kustomization, no listing.
		for _, other := range create {
			if other.GetKind() == "Kustomization" && other.GetName() != name {
				if _, err := as.Resource(gvr).Namespace(ns).Patch(ctx, other.GetName(), types.MergePatchType, []byte(patch), metav1.PatchOptions{}); !apierrors.IsForbidden(err) {
					t.Errorf("%s's account may patch Kustomization %s: %v", job.GetName(), other.GetName(), err)
				}
			}
		}
		if _, err := as.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
			t.Errorf("%s's account may list Kustomizations: %v", job.GetName(), err)
		}
	}
}

// renderObjects compiles the spec in dir and returns the objects the
// engine reaches in its GitOps repository, for Argo CD and for Flux
// (engineVariants); each object's file is "<engine>: <directory built>".
func renderObjects(ctx context.Context, t *testing.T, dir string) ([]renderedObject, error) {
	_, p, ds, err := compiler.Compile(ctx, compiler.CheckConfig{
		Config: compiler.Config{Dir: dir},
		Now:    time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
	})
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", dir, err)
	}
	if ds.HasErrors() || p == nil {
		return nil, fmt.Errorf("compile %s: %v", dir, ds)
	}
	var out []renderedObject
	variants := engineVariants(p)
	for _, name := range slices.Sorted(maps.Keys(variants)) {
		tree, err := emitTree(variants[name])
		if err != nil {
			return nil, fmt.Errorf("emit: %w", err)
		}
		for _, o := range followEngine(t, variants[name], tree) {
			o.file = name + ": " + o.file
			out = append(out, o)
		}
	}
	return out, nil
}

func objects(rs []renderedObject) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(rs))
	for i, r := range rs {
		out[i] = r.obj
	}
	return out
}
