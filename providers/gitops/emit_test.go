package gitops_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rollouts "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus/prometheus/promql/parser"
	istiosecurity "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	kueue "sigs.k8s.io/kueue/apis/kueue/v1beta2"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/golden"
	"github.com/platc-dev/platc/internal/outtree"
	"github.com/platc-dev/platc/internal/synth"
	"github.com/platc-dev/platc/providers/gitops"
)

var now = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// promParser is Prometheus's own PromQL parser with its default options.
var promParser = parser.NewParser(parser.Options{})

// emitTree renders p's GitOps tree in memory.
func emitTree(p *plan.Plan) (gitops.Tree, error) {
	files, err := emit.Collect(context.Background(), p, gitops.Emitter{})
	return gitops.Tree(files), err
}

func render(t *testing.T, dir string) (*plan.Plan, gitops.Tree) {
	t.Helper()
	_, p, ds, err := compiler.Compile(context.Background(), compiler.CheckConfig{Config: compiler.Config{Dir: dir}, Now: now})
	if err != nil || ds.HasErrors() || p == nil {
		t.Fatalf("compile %s: %v %v", dir, err, ds)
	}
	tree, err := emitTree(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, tree
}

// goTypes are the official Go types of every kind platc renders.
var goTypes = map[string]func() any{
	"v1/Namespace":      func() any { return &corev1.Namespace{} },
	"v1/ResourceQuota":  func() any { return &corev1.ResourceQuota{} },
	"v1/LimitRange":     func() any { return &corev1.LimitRange{} },
	"v1/Service":        func() any { return &corev1.Service{} },
	"v1/ConfigMap":      func() any { return &corev1.ConfigMap{} },
	"v1/ServiceAccount": func() any { return &corev1.ServiceAccount{} },
	"security.istio.io/v1/PeerAuthentication":             func() any { return &istiosecurity.PeerAuthentication{} },
	"security.istio.io/v1/AuthorizationPolicy":            func() any { return &istiosecurity.AuthorizationPolicy{} },
	"apps/v1/Deployment":                                  func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                                        func() any { return &batchv1.Job{} },
	"batch/v1/CronJob":                                    func() any { return &batchv1.CronJob{} },
	"autoscaling/v2/HorizontalPodAutoscaler":              func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/NetworkPolicy":                  func() any { return &networkingv1.NetworkPolicy{} },
	"scheduling.k8s.io/v1/PriorityClass":                  func() any { return &schedulingv1.PriorityClass{} },
	"kueue.x-k8s.io/v1beta2/ResourceFlavor":               func() any { return &kueue.ResourceFlavor{} },
	"kueue.x-k8s.io/v1beta2/ClusterQueue":                 func() any { return &kueue.ClusterQueue{} },
	"kueue.x-k8s.io/v1beta2/LocalQueue":                   func() any { return &kueue.LocalQueue{} },
	"argoproj.io/v1alpha1/Rollout":                        func() any { return &rollouts.Rollout{} },
	"argoproj.io/v1alpha1/AnalysisTemplate":               func() any { return &rollouts.AnalysisTemplate{} },
	"gateway.networking.k8s.io/v1/HTTPRoute":              func() any { return &gwv1.HTTPRoute{} },
	"gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy": func() any { return &egv1a1.BackendTrafficPolicy{} },
	"monitoring.coreos.com/v1/PrometheusRule":             func() any { return &monitoringv1.PrometheusRule{} },
	"monitoring.coreos.com/v1/ServiceMonitor":             func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1alpha1/AlertmanagerConfig":   func() any { return &monitoringv1alpha1.AlertmanagerConfig{} },
	"keda.sh/v1alpha1/ScaledObject":                       func() any { return &kedav1alpha1.ScaledObject{} },
}

// untyped are the kinds without a usable Go API (Argo CD, Flux, Kyverno,
// the sigstore policy-controller, the External Secrets Operator): the API
// server test validates them against their CRD schemas.
var untyped = map[string]bool{
	"policies.kyverno.io/v1/ImageValidatingPolicy":   true,
	"policy.sigstore.dev/v1beta1/ClusterImagePolicy": true,
	"external-secrets.io/v1/ExternalSecret":          true,
	"argoproj.io/v1alpha1/AppProject":                true,
	"argoproj.io/v1alpha1/Application":               true,
	"source.toolkit.fluxcd.io/v1/GitRepository":      true,
	"kustomize.toolkit.fluxcd.io/v1/Kustomization":   true,
	"kustomize.config.k8s.io/v1beta1/Kustomization":  true,
	"configuration.konghq.com/v1/KongPlugin":         true,
	"gateway.nginx.org/v1alpha1/SnippetsFilter":      true,
}

func docs(b []byte) [][]byte {
	var out [][]byte
	for _, d := range bytes.Split(b, []byte("\n---\n")) {
		if len(bytes.TrimSpace(d)) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// TestStrictDecoding decodes every rendered object back into its official
// Go type with unknown fields as errors, and parses every PromQL
// expression with Prometheus's own parser.
func TestStrictDecoding(t *testing.T) {
	for _, spec := range []string{"../../examples/acme-shop", "../../examples/minimal", "../../blueprints/ai-foundation-90d"} {
		t.Run(path.Base(spec), func(t *testing.T) {
			_, tree := render(t, spec)
			kinds := map[string]int{}
			for _, p := range tree.Paths() {
				for i, d := range docs(tree[p]) {
					var tm struct {
						APIVersion string `json:"apiVersion"`
						Kind       string `json:"kind"`
					}
					if err := yaml.Unmarshal(d, &tm); err != nil {
						t.Fatalf("%s #%d: %v", p, i, err)
					}
					gvk := tm.APIVersion + "/" + tm.Kind
					kinds[gvk]++
					if untyped[gvk] {
						continue
					}
					newObj, ok := goTypes[gvk]
					if !ok {
						t.Errorf("%s #%d: %s has no Go type in this test", p, i, gvk)
						continue
					}
					obj := newObj()
					if err := yaml.UnmarshalStrict(d, obj); err != nil {
						t.Errorf("%s #%d (%s): strict decoding: %v", p, i, gvk, err)
					}
					if pr, ok := obj.(*monitoringv1.PrometheusRule); ok {
						for _, g := range pr.Spec.Groups {
							for _, r := range g.Rules {
								if _, err := promParser.ParseExpr(r.Expr.String()); err != nil {
									t.Errorf("%s: rule %s%s: %v\n%s", p, r.Record, r.Alert, err, r.Expr.String())
								}
							}
						}
					}
					if at, ok := obj.(*rollouts.AnalysisTemplate); ok {
						for _, m := range at.Spec.Metrics {
							if _, err := promParser.ParseExpr(m.Provider.Prometheus.Query); err != nil {
								t.Errorf("%s: analysis %s: %v", p, m.Name, err)
							}
						}
					}
				}
			}
			if len(kinds) < 5 {
				t.Errorf("only %d kinds rendered: %v", len(kinds), kinds)
			}
		})
	}
}

// TestKustomizeBuild builds every environment's tree and the engine's
// objects with kustomize, in process.
func TestKustomizeBuild(t *testing.T) {
	p, tree := render(t, "../../examples/acme-shop")
	fs := filesys.MakeFsInMemory()
	for _, name := range tree.Paths() {
		if err := fs.MkdirAll(path.Dir("/" + name)); err != nil {
			t.Fatal(err)
		}
		if err := fs.WriteFile("/"+name, tree[name]); err != nil {
			t.Fatal(err)
		}
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	dirs := []string{"/" + p.Platform.GitOps.Path}
	for _, env := range p.Environments {
		dirs = append(dirs, "/"+p.Platform.GitOps.EnvDir(env.Name))
	}
	for _, dir := range dirs {
		res, err := k.Run(fs, dir)
		if err != nil {
			t.Errorf("kustomize build %s: %v", dir, err)
			continue
		}
		if len(res.Resources()) == 0 {
			t.Errorf("kustomize build %s: no resources", dir)
		}
	}
}

// TestGoldenTrees compares the rendered trees of the examples with
// testdata/golden (PLATC_UPDATE=1 rewrites them): the same spec gives the
// same bytes.
func TestGoldenTrees(t *testing.T) {
	for _, spec := range []string{"minimal", "acme-shop"} {
		t.Run(spec, func(t *testing.T) {
			_, tree := render(t, "../../examples/"+spec)
			golden.Dir(t, filepath.Join("testdata", "golden", spec), tree)
			// And a second render is byte-identical.
			_, again := render(t, "../../examples/"+spec)
			for p, b := range again {
				if !bytes.Equal(b, tree[p]) {
					t.Errorf("%s differs between two renders", p)
				}
			}
		})
	}
}

// TestTeamChangeStaysLocal: changing one team's quota changes that team's
// files and nothing else.
func TestTeamChangeStaysLocal(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/acme-shop")); err != nil {
		t.Fatal(err)
	}
	_, before := render(t, dir)
	f := filepath.Join(dir, "team-search.cue")
	b, _ := os.ReadFile(f)
	changed := strings.Replace(string(b), "cpu:    96", "cpu:    104", 1)
	if changed == string(b) {
		t.Fatal("team-search.cue no longer has `cpu:    96`: update the test")
	}
	os.WriteFile(f, []byte(changed), 0o644)
	_, after := render(t, dir)
	var diffs []string
	for p := range after {
		if !bytes.Equal(before[p], after[p]) {
			diffs = append(diffs, p)
		}
	}
	for _, p := range diffs {
		if !strings.HasSuffix(p, "/teams/search.yaml") {
			t.Errorf("%s changed too", p)
		}
	}
	if len(diffs) == 0 {
		t.Error("nothing changed")
	}
	t.Logf("changed: %v", diffs)
}

// BenchmarkRender measures check, plan, emit and the atomic write of a
// generated organisation: what `platc render` does.
func BenchmarkRender(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			if teams > 100 && testing.Short() {
				b.Skip("large organisations are skipped with -short")
			}
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			out := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				_, p, ds, err := compiler.Compile(context.Background(), compiler.CheckConfig{Config: compiler.Config{Dir: dir}, Now: now})
				if err != nil || ds.HasErrors() {
					b.Fatal(err, ds)
				}
				tree, err := emitTree(p)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := outtree.Write(context.Background(), out, tree, outtree.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestEmitStopsAtFirstRefusal: when put refuses a file (render's check
// failed, a disk filled up), Emit returns that error without rendering
// the remaining teams.
func TestEmitStopsAtFirstRefusal(t *testing.T) {
	p, tree := render(t, "../../examples/acme-shop")
	teams := 0
	for name := range tree {
		if strings.Contains(name, "/teams/") {
			teams++
		}
	}
	refused := errors.New("refused")
	var mu sync.Mutex
	tried := 0
	err := gitops.Emitter{}.Emit(context.Background(), p, emit.SinkFunc(func(name string, _ []byte) error {
		if !strings.Contains(name, "/teams/") {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		tried++
		return refused
	}))
	if !errors.Is(err, refused) {
		t.Fatalf("Emit returned %v, want the refusal", err)
	}
	// Each worker may have begun one more team before it saw the failure.
	if max := runtime.GOMAXPROCS(0) + 1; tried > max || tried >= teams {
		t.Errorf("%d of %d team files were tried after the first refusal; want at most %d", tried, teams, max)
	}
}

// TestEmitStopsWhenCancelled: a context that ends (render's check
// failed, an interrupt) stops the emitter with its error.
func TestEmitStopsWhenCancelled(t *testing.T) {
	p, _ := render(t, "../../examples/acme-shop")
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	put := 0
	err := gitops.Emitter{}.Emit(ctx, p, emit.SinkFunc(func(string, []byte) error {
		mu.Lock()
		defer mu.Unlock()
		put++
		cancel() // the first file ends the run
		return ctx.Err()
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Emit returned %v, want context.Canceled", err)
	}
	if put != 1 {
		t.Errorf("%d files were handed on after the context ended; want only the first", put-1)
	}
}

// BenchmarkEmit measures the GitOps emitter alone (objects built, encoded
// and handed to a sink that drops them) on the plan of a generated
// organisation: the work render adds to check.
func BenchmarkEmit(b *testing.B) {
	for _, teams := range []int{100} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			_, p, ds, err := compiler.Compile(context.Background(), compiler.CheckConfig{Config: compiler.Config{Dir: dir}, Now: now})
			if err != nil || ds.HasErrors() {
				b.Fatal(err, ds)
			}
			var bytes atomic.Int64
			b.ReportAllocs()
			for b.Loop() {
				bytes.Store(0)
				if err := (gitops.Emitter{}).Emit(context.Background(), p, emit.SinkFunc(func(_ string, data []byte) error {
					bytes.Add(int64(len(data)))
					return nil
				})); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bytes.Load())/(1<<20), "MiB")
		})
	}
}

// TestNoSecretValuesInTheTree: credentials reach the pods only through
// ExternalSecrets that name a key in the platform's store. The tree holds
// no Secret, no secret data, and every ExternalSecret reads only by
// reference.
func TestNoSecretValuesInTheTree(t *testing.T) {
	_, tree := render(t, "../../examples/acme-shop")
	externals := 0
	for _, p := range tree.Paths() {
		for i, d := range docs(tree[p]) {
			var obj map[string]any
			if err := yaml.Unmarshal(d, &obj); err != nil {
				t.Fatalf("%s #%d: %v", p, i, err)
			}
			switch obj["kind"] {
			case "Secret":
				t.Errorf("%s #%d: the tree holds a Secret", p, i)
			case "ExternalSecret":
				externals++
				spec, _ := obj["spec"].(map[string]any)
				if _, ok := spec["template"]; ok {
					t.Errorf("%s #%d: ExternalSecret has a template", p, i)
				}
				// data names keys of the store, never values.
				items, _ := spec["data"].([]any)
				for _, item := range items {
					m, _ := item.(map[string]any)
					ref, _ := m["remoteRef"].(map[string]any)
					if len(m) != 2 || m["secretKey"] == nil || len(ref) != 1 || ref["key"] == nil {
						t.Errorf("%s #%d: ExternalSecret data item %v is not a key and a reference", p, i, item)
					}
				}
				if target, _ := spec["target"].(map[string]any); target["template"] != nil {
					t.Errorf("%s #%d: ExternalSecret templates its Secret", p, i)
				}
			}
			if bytes.Contains(d, []byte("stringData")) {
				t.Errorf("%s #%d: stringData in the tree", p, i)
			}
		}
	}
	if externals == 0 {
		t.Error("acme-shop's integrations declare secretRefs, and the tree has no ExternalSecret")
	}
}

// TestEveryAlertHasARoute: with alert routing, every alert rule of the
// example's tree carries the namespace label the Prometheus Operator
// confines AlertmanagerConfigs by, and that namespace has the
// AlertmanagerConfig that routes it (every acme-shop team has a channel).
func TestEveryAlertHasARoute(t *testing.T) {
	_, tree := render(t, "../../examples/acme-shop")
	type alert struct{ file, name, namespace string }
	var alerts []alert
	routed := map[string]bool{} // "<env dir>/<namespace>"
	for _, p := range tree.Paths() {
		env := strings.SplitN(p, "/", 3)[1]
		for i, d := range docs(tree[p]) {
			var obj struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Namespace string `json:"namespace"`
				} `json:"metadata"`
				Spec monitoringv1.PrometheusRuleSpec `json:"spec"`
			}
			if err := yaml.Unmarshal(d, &obj); err != nil {
				t.Fatalf("%s #%d: %v", p, i, err)
			}
			switch obj.Kind {
			case "AlertmanagerConfig":
				routed[env+"/"+obj.Metadata.Namespace] = true
			case "PrometheusRule":
				for _, g := range obj.Spec.Groups {
					for _, r := range g.Rules {
						if r.Alert != "" {
							alerts = append(alerts, alert{p, r.Alert, r.Labels["namespace"]})
						}
					}
				}
			}
		}
	}
	if len(alerts) == 0 {
		t.Fatal("no alert rules in the tree")
	}
	for _, a := range alerts {
		env := strings.SplitN(a.file, "/", 3)[1]
		if a.namespace == "" {
			t.Errorf("%s: alert %s has no namespace label", a.file, a.name)
		} else if !routed[env+"/"+a.namespace] {
			t.Errorf("%s: alert %s is for namespace %s, which has no AlertmanagerConfig", a.file, a.name, a.namespace)
		}
	}
}
