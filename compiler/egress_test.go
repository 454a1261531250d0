package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platc-dev/platc/compiler/plan"
)

// TestGuardsMatchNotDelivered: for each way an upstream's rate limit and
// budget can be declared, either the plan gives the caller an egress
// guard that enforces it (compiler/plan guardUpstreams) or `platc check`
// warns not-delivered about it, never both and never neither. The two
// are written twice, in Go and in Rego; this keeps them in step.
func TestGuardsMatchNotDelivered(t *testing.T) {
	upstreams := []string{
		`{url: "https://x.example/v1", rateLimit: {requests: 5, per: "second", by: "global"}}`,
		`{url: "https://x.example", rateLimit: {requests: 5, per: "second"}}`,
		`{rateLimit: {requests: 5, per: "second", by: "global"}}`,
		`{url: "https://", budget: {amount: 1, onExhausted: "block"}}`,
		`{url: "http://x.example:8080", budget: {amount: 1, onExhausted: "circuit-break"}}`,
		`{url: "https://x.example", budget: {amount: 1, onExhausted: "degrade", fallback: "small"}}`,
		`{url: "https://x.example", budget: {amount: 1, onExhausted: "degrade", fallback: "elsewhere"}}`,
		`{url: "https://x.example", budget: {amount: 1, onExhausted: "degrade", fallback: "https://lite.example/v1"}}`,
		`{url: "https://x.example", budget: {amount: 1, onExhausted: "degrade", fallback: "cached answers"}}`,
		`{url: "https://x.example", rateLimit: {requests: 5, per: "minute", by: "header", header: "X-Key"}, budget: {amount: 1, onExhausted: "block", pricePerRequest: 0.01}}`,
	}
	for i, upstream := range upstreams {
		t.Run(upstream, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS("../examples/minimal")); err != nil {
				t.Fatal(err)
			}
			overlay := `package minimal

services: {
	api: {
		team:  "platform"
		kind:  "api"
		slos: availability: {kind: "availability", objective: 99.9}
		image: "registry.example/platform/api:1.0.0@sha256:cf69f61c7359a41af1a7d445973ac5488f8428d85ad051ff57ab4b63f663f445"
		upstreams: u: ` + upstream + `
		environments: dev: replicas: 1
	}
	small: {
		team:  "platform"
		kind:  "api"
		slos: availability: {kind: "availability", objective: 99.9}
		image: "registry.example/platform/small:1.0.0@sha256:cf69f61c7359a41af1a7d445973ac5488f8428d85ad051ff57ab4b63f663f445"
		environments: dev: replicas: 1
	}
	elsewhere: {
		team:  "platform"
		kind:  "api"
		slos: availability: {kind: "availability", objective: 99.9}
		image: "registry.example/platform/elsewhere:1.0.0@sha256:cf69f61c7359a41af1a7d445973ac5488f8428d85ad051ff57ab4b63f663f445"
	}
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
			warned := map[string]bool{}
			for _, d := range ds {
				if d.Rule == "not-delivered" && strings.HasPrefix(d.Path, "services.api.upstreams.u") {
					warned[strings.TrimPrefix(d.Path, "services.api.upstreams.u.")] = true
				}
			}
			var u *plan.Upstream
			for _, env := range p.Environments {
				for _, ns := range env.Namespaces {
					for _, wl := range ns.Workloads {
						if wl.Name == "api" && len(wl.Upstreams) == 1 {
							u = wl.Upstreams[0]
						}
					}
				}
			}
			if u == nil {
				t.Fatal("the plan has no caller of the upstream")
			}
			if u.RateLimit != nil {
				delivered := u.Guard != nil && u.Guard.RateLimit != nil
				if delivered == warned["rateLimit"] {
					t.Errorf("case %d: rate limit delivered %v, warned %v", i, delivered, warned["rateLimit"])
				}
			}
			if u.Budget != nil {
				delivered := u.Guard != nil && u.Guard.Exhausted != nil
				if delivered == warned["budget"] {
					t.Errorf("case %d: budget delivered %v, warned %v", i, delivered, warned["budget"])
				}
			}
		})
	}
}
