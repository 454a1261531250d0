package gitops

import (
	"bytes"
	"testing"

	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/kubeyaml"
)

// BenchmarkMeshPolicies measures building and encoding one team's mesh
// objects (a PeerAuthentication and an AuthorizationPolicy per workload,
// each with callers): Istio's types encode their specs through protojson.
func BenchmarkMeshPolicies(b *testing.B) {
	p := &plan.Plan{Platform: plan.Platform{Gateway: plan.Gateway{Namespace: "gateway-system"}}}
	env := &plan.Environment{Name: "prod", Cluster: plan.Cluster{Mesh: MeshIstio}}
	ns := &plan.Namespace{Name: "search"}
	callers := map[string][][2]string{}
	for _, name := range []string{"api", "ranker", "embeddings", "indexer", "suggest"} {
		ns.Workloads = append(ns.Workloads, &plan.Workload{Name: name, Service: name, Kind: "deployment", Port: 8080, Routes: []*plan.Route{{Path: "/"}}})
		callers["search/"+name] = [][2]string{{"web", "frontend"}, {"search", "api"}}
	}
	enc := kubeyaml.NewEncoder()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(&buf, meshPolicies(p, env, callers, ns, map[string]string{LabelTeam: "search"})...); err != nil {
			b.Fatal(err)
		}
	}
}
