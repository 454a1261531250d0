package kubetest_test

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/platc-dev/platc/internal/kubetest"
)

func TestDryRunApply(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real kube-apiserver and etcd (built by `make tools`)")
	}
	ctx := t.Context()
	srv := kubetest.Start(t)
	crds, err := srv.InstallCRDs(ctx, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 1 || crds[0] != "widgets.example.platc.dev" {
		t.Fatalf("installed %v, want the one CRD of testdata", crds)
	}
	objs, err := kubetest.DecodeYAML([]byte(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ok, namespace: shop}
data: {a: b}
---
apiVersion: example.platc.dev/v1
kind: Widget
metadata: {name: ok, namespace: shop}
spec: {size: 3}
---
# The CRD schema: size must be at least 1.
apiVersion: example.platc.dev/v1
kind: Widget
metadata: {name: small, namespace: shop}
spec: {size: 0}
---
# Strict field validation: unknown fields are errors, not dropped.
apiVersion: example.platc.dev/v1
kind: Widget
metadata: {name: typo, namespace: shop}
spec: {size: 1, colour: red}
---
# Built-in validation: names are DNS-1123 subdomains.
apiVersion: v1
kind: ConfigMap
metadata: {name: Not_A_Name, namespace: shop}
---
# Admission: the namespace does not exist.
apiVersion: v1
kind: ConfigMap
metadata: {name: lost, namespace: nowhere}
---
apiVersion: example.platc.dev/v1
kind: Gadget
metadata: {name: unknown, namespace: shop}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Apply(ctx, objs[:1]) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r, r.Err)
		}
	}
	want := []string{
		"",
		"",
		"",
		"spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
		".spec.colour: field not declared in schema",
		"metadata.name: Invalid value: \"Not_A_Name\"",
		`namespaces "nowhere" not found`,
		"the API server serves no example.platc.dev/v1, Kind=Gadget",
	}
	results := srv.DryRunApply(ctx, objs)
	for i, r := range results {
		switch {
		case want[i] == "" && r.Err != nil:
			t.Errorf("%s: %v", r, r.Err)
		case want[i] != "" && r.Err == nil:
			t.Errorf("%s: accepted, want an error containing %q", r, want[i])
		case want[i] != "" && !strings.Contains(r.Err.Error(), want[i]):
			t.Errorf("%s: %v, want an error containing %q", r, r.Err, want[i])
		}
	}
	// Dry run stores nothing.
	_, err = srv.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).
		Namespace("shop").Get(ctx, "ok", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("get the dry-run ConfigMap: %v, want not found", err)
	}
}
