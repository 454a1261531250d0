package compiler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/providers/gitops"
)

// TestRateLimitsMatchNotDelivered: for each gateway implementation and
// each way a route's rate limit can be declared, either the gateway
// enforces it (plan.RateLimitGap is "", and the GitOps emitter renders
// what enforces it) or `platc check` warns not-delivered about it, never
// both and never neither. The two are written twice, in Go and in Rego;
// this keeps them in step.
func TestRateLimitsMatchNotDelivered(t *testing.T) {
	limits := []string{
		`{requests: 10, per: "second"}`,
		`{requests: 600, per: "minute", burst: 50, by: "global"}`,
		`{requests: 120, per: "hour"}`,
		`{requests: 100, per: "hour"}`,
		`{requests: 5, per: "second", by: "header", header: "X-Api-Key"}`,
		`{requests: 5, per: "second", by: "header", header: "x.api.key"}`,
	}
	for _, impl := range []string{"envoy-gateway", "kong", "nginx", "istio"} {
		for i, limit := range limits {
			t.Run(fmt.Sprintf("%s/%d", impl, i), func(t *testing.T) {
				dir := t.TempDir()
				if err := os.CopyFS(dir, os.DirFS("../examples/minimal")); err != nil {
					t.Fatal(err)
				}
				overlay := `package minimal

platform: gateway: {implementation: "` + impl + `", hostnames: ["api.example.com"]}

services: api: {
	team:  "platform"
	kind:  "api"
	image: "registry.example/platform/api:1.0.0@sha256:cf69f61c7359a41af1a7d445973ac5488f8428d85ad051ff57ab4b63f663f445"
	port:  8080
	slos: availability: {kind: "availability", objective: 99.9}
	routes: [{path: "/v1", rateLimit: ` + limit + `}]
	environments: dev: replicas: 1
}
`
				if err := os.WriteFile(filepath.Join(dir, "api.cue"), []byte(overlay), 0o644); err != nil {
					t.Fatal(err)
				}
				_, p, ds, err := Compile(context.Background(), CheckConfig{Config: Config{Dir: dir}, Now: checkNow})
				if err != nil {
					t.Fatal(err)
				}
				if p == nil {
					t.Fatalf("no plan: %v", ds)
				}
				var warned []string
				for _, d := range ds {
					if d.Rule == "not-delivered" && (strings.HasPrefix(d.Path, "services.api") || d.Path == "platform.gateway.implementation") {
						warned = append(warned, d.Path+": "+d.Message)
					}
				}
				var rl *plan.RateLimit
				for _, env := range p.Environments {
					for _, ns := range env.Namespaces {
						for _, wl := range ns.Workloads {
							if wl.Name == "api" && len(wl.Routes) == 1 {
								rl = wl.Routes[0].RateLimit
							}
						}
					}
				}
				if rl == nil {
					t.Fatal("the plan has no route with a rate limit")
				}
				delivered := plan.RateLimitGap(impl, rl) == ""
				if delivered == (len(warned) > 0) {
					t.Errorf("%s %s: delivered %v, not-delivered warnings %q", impl, limit, delivered, warned)
				}
				// What enforces it is rendered exactly when it is delivered.
				files, err := emit.Collect(context.Background(), p, gitops.Emitter{})
				if err != nil {
					t.Fatal(err)
				}
				kind := map[string]string{"envoy-gateway": "kind: BackendTrafficPolicy", "kong": "kind: KongPlugin", "nginx": "kind: SnippetsFilter"}[impl]
				rendered := false
				for _, b := range files {
					if kind != "" && strings.Contains(string(b), "\n"+kind+"\n") {
						rendered = true
					}
				}
				if rendered != delivered {
					t.Errorf("%s %s: rate limiter rendered %v, delivered %v", impl, limit, rendered, delivered)
				}
			})
		}
	}
}
