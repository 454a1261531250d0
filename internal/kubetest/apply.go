package kubetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

// FieldManager is the field manager platc's objects are applied with.
const FieldManager = "platc"

// Result is the API server's answer to applying one object.
type Result struct {
	Object *unstructured.Unstructured
	// Err is the API server's rejection, or a client-side failure
	// (no resource serves the object's kind); nil when accepted.
	Err error
	// Warnings are the API server's warnings (deprecations, ...).
	Warnings []string
}

// String names the object: "apps/v1 Deployment shop/web".
func (r Result) String() string { return Describe(r.Object) }

// Describe names an object by apiVersion, kind, namespace and name.
func Describe(o *unstructured.Unstructured) string {
	name := o.GetName()
	if ns := o.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return o.GetAPIVersion() + " " + o.GetKind() + " " + name
}

// DecodeYAML decodes a YAML stream (documents separated by ---) or JSON
// into objects, skipping empty documents.
func DecodeYAML(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*unstructured.Unstructured
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}

// ReadCRDs reads the CustomResourceDefinitions in paths: YAML files, or
// directories whose *.yaml and *.yml files are read (not recursively).
// Documents that are not CRDs (kustomizations, admission policies) are
// left out.
func ReadCRDs(paths ...string) ([]*unstructured.Unstructured, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, filepath.Join(p, e.Name()))
			}
		}
	}
	var crds []*unstructured.Unstructured
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := DecodeYAML(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, o := range objs {
			if o.GetKind() == "CustomResourceDefinition" && strings.HasPrefix(o.GetAPIVersion(), "apiextensions.k8s.io/") {
				crds = append(crds, o)
			}
		}
	}
	if len(crds) == 0 {
		return nil, fmt.Errorf("no CustomResourceDefinition in %s", strings.Join(paths, ", "))
	}
	return crds, nil
}

// InstallCRDs installs every CRD in paths (see ReadCRDs). It returns the
// names of the CRDs installed.
func (s *Server) InstallCRDs(ctx context.Context, paths ...string) ([]string, error) {
	crds, err := ReadCRDs(paths...)
	if err != nil {
		return nil, err
	}
	return s.Install(ctx, crds)
}

// InstallCRDsFor installs the CRDs in paths that define the kinds of objs
// (the API server spends seconds of CPU on each CRD; most of a project's
// CRDs are for kinds a test does not use). Kinds no CRD in paths defines
// are left to fail when the objects are applied.
func (s *Server) InstallCRDsFor(ctx context.Context, objs []*unstructured.Unstructured, paths ...string) ([]string, error) {
	crds, err := ReadCRDs(paths...)
	if err != nil {
		return nil, err
	}
	used := map[schema.GroupKind]bool{}
	for _, o := range objs {
		used[o.GroupVersionKind().GroupKind()] = true
	}
	var needed []*unstructured.Unstructured
	for _, crd := range crds {
		group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
		if used[schema.GroupKind{Group: group, Kind: kind}] {
			needed = append(needed, crd)
		}
	}
	if len(needed) == 0 {
		return nil, nil
	}
	return s.Install(ctx, needed)
}

// Install creates or updates CustomResourceDefinitions through envtest
// (dropping conversion webhooks, which nothing here serves),
// waits until the API server serves each, and resets the RESTMapper. It
// returns their names, sorted.
func (s *Server) Install(ctx context.Context, crds []*unstructured.Unstructured) ([]string, error) {
	typed := make([]*apiextensionsv1.CustomResourceDefinition, len(crds))
	names := make([]string, len(crds))
	for i, crd := range crds {
		typed[i] = &apiextensionsv1.CustomResourceDefinition{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(crd.Object, typed[i]); err != nil {
			return nil, fmt.Errorf("CustomResourceDefinition %s: %w", crd.GetName(), err)
		}
		// No conversion webhook runs here (the sigstore policy-controller's
		// CRDs name one): versions convert by apiVersion alone, and each
		// object is still validated against its own version's schema.
		if c := typed[i].Spec.Conversion; c != nil && c.Strategy == apiextensionsv1.WebhookConverter {
			typed[i].Spec.Conversion = &apiextensionsv1.CustomResourceConversion{Strategy: apiextensionsv1.NoneConverter}
		}
		names[i] = crd.GetName()
	}
	if _, err := envtest.InstallCRDs(s.Config, envtest.CRDInstallOptions{CRDs: typed, MaxTime: 30 * time.Second}); err != nil {
		return nil, err
	}
	s.Mapper.Reset()
	slices.Sort(names)
	return names, nil
}

// CreateNamespaces creates namespaces for real (a dry-run Namespace is not
// stored, and namespaced objects are rejected in a namespace that does not
// exist). Namespaces that exist already are left alone.
func (s *Server) CreateNamespaces(ctx context.Context, names ...string) error {
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	for _, n := range names {
		ns := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": n},
		}}
		if _, err := s.Dynamic.Resource(gvr).Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("namespace %s: %w", n, err)
		}
	}
	return nil
}

// Apply server-side applies objs for real, as FieldManager, in order.
func (s *Server) Apply(ctx context.Context, objs []*unstructured.Unstructured) []Result {
	return s.apply(ctx, objs, false)
}

// DryRunApply server-side applies objs with dryRun=All and strict field
// validation, as FieldManager: the API server defaults, validates (also
// against CRD schemas) and admits each object without storing it. Each
// object gets a Result, in order; a namespaced object without a namespace
// is applied in "default", as kubectl would.
func (s *Server) DryRunApply(ctx context.Context, objs []*unstructured.Unstructured) []Result {
	return s.apply(ctx, objs, true)
}

func (s *Server) apply(ctx context.Context, objs []*unstructured.Unstructured, dryRun bool) []Result {
	out := make([]Result, len(objs))
	opts := metav1.PatchOptions{FieldManager: FieldManager, FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	one := func(i int) {
		wctx, w := withWarnings(ctx)
		out[i].Object = objs[i]
		out[i].Err = s.applyOne(wctx, objs[i], opts)
		out[i].Warnings = w.list
	}
	if !dryRun {
		// In order: an object may need one before it (its namespace).
		for i := range objs {
			one(i)
		}
		return out
	}
	// Dry-run objects cannot depend on each other: apply a few at once.
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				one(i)
			}
		})
	}
	for i := range objs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func (s *Server) applyOne(ctx context.Context, o *unstructured.Unstructured, opts metav1.PatchOptions) error {
	gvk := o.GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return fmt.Errorf("object has no apiVersion or kind")
	}
	if o.GetName() == "" {
		return fmt.Errorf("object has no metadata.name")
	}
	m, err := s.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// A CRD installed since the mapper last read discovery.
		s.Mapper.Reset()
		m, err = s.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return fmt.Errorf("the API server serves no %s (is its CRD installed?): %w", gvk, err)
	}
	var ri = s.Dynamic.Resource(m.Resource)
	var r interface {
		Patch(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (*unstructured.Unstructured, error)
	} = ri
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := o.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		r = ri.Namespace(ns)
	} else if o.GetNamespace() != "" {
		return fmt.Errorf("%s is cluster-scoped but has metadata.namespace %q", gvk.Kind, o.GetNamespace())
	}
	data, err := json.Marshal(o.Object)
	if err != nil {
		return err
	}
	_, err = r.Patch(ctx, o.GetName(), types.ApplyPatchType, data, opts)
	return err
}
