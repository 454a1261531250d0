// Package synth generates synthetic organisations in the spec language for
// benchmarks: N teams, one file per team, three environments, five
// services per team in each environment with SLOs, rate limits and GPU
// quotas. The output is a complete CUE module that both platc and plain
// `cue vet` can check, so the two can be measured on the same files.
package synth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/platc-dev/platc/compiler/hclspec"
	"github.com/platc-dev/platc/schema"
)

// Config shapes a generated organisation.
type Config struct {
	Teams int
	// ServicesPerEnv is the number of services each team runs in each environment.
	ServicesPerEnv int
	// HCL writes the team files in HCL (team-NNNNN.hcl), converted from
	// the CUE by platc's mapping, so the two forms hold the same spec.
	HCL bool
}

func (c *Config) defaults() {
	if c.ServicesPerEnv == 0 {
		c.ServicesPerEnv = 5
	}
}

// Environments are the generated organisation's environments.
var Environments = []string{"dev", "test", "prod"}

// Write generates the organisation into dir, which must not exist or be empty.
func Write(dir string, cfg Config) error {
	cfg.defaults()
	files := map[string][]byte{
		"cue.mod/module.cue": schema.ModuleFile("synth.example/org@v0"),
		"platc.cue":          schema.Binding("org"),
		"platform.cue":       platform(cfg),
	}
	for k, v := range schema.VendorFiles() {
		files[k] = v
	}
	for i := range cfg.Teams {
		name := fmt.Sprintf("team-%05d.cue", i)
		src := team(i, cfg)
		if cfg.HCL {
			out, ds := hclspec.ToHCL(name, src)
			if len(ds) > 0 {
				return fmt.Errorf("convert %s to HCL: %v", name, ds[0].Message)
			}
			name, src = strings.TrimSuffix(name, ".cue")+hclspec.Ext, out
		}
		files[name] = src
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func platform(cfg Config) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "package org\n\nplatform: {\n\tname:  \"synth\"\n\towner: \"team-00000\"\n\tgitops: repo: \"https://git.example.com/synth/gitops.git\"\n")
	fmt.Fprintf(&b, "\tci: gates: [\"unit-tests\", \"static-analysis\", \"image-signing\"]\n")
	// Signatures are verified at admission in prod, and every cluster
	// runs Istio: render writes the admission policy and the mesh's
	// objects for every team, as a real organisation's tree has them.
	fmt.Fprintf(&b, "\tsupplyChain: signing: identity: subject: \"^https://github\\\\.com/synth/\"\n")
	// Each team's alerts go to its channel.
	fmt.Fprintf(&b, "\tobservability: alertmanager: slackWebhook: \"platform/slack-webhook\"\n}\n\n")
	// One reserved H100 per team per environment: the pools are fully
	// reserved (the cost KPI is met) and teams borrow through the burst.
	gpus := cfg.Teams
	for _, env := range Environments {
		tier := env
		fmt.Fprintf(&b, "environments: %s: {\n\ttier:  %q\n\towner: \"team-00000\"\n", env, tier)
		fmt.Fprintf(&b, "\tcluster: {provider: \"aws\", region: \"eu-west-1\", mesh: \"istio\"}\n")
		fmt.Fprintf(&b, "\tpools: {\n\t\tcpu: {cpu: %d, memory: \"%dGi\"}\n", cfg.Teams*64, cfg.Teams*256)
		fmt.Fprintf(&b, "\t\tgpu: {cpu: %d, memory: \"%dGi\", gpus: h100: {count: %d, burst: %d}, instanceType: \"p5.48xlarge\"}\n\t}\n}\n\n", cfg.Teams*16, cfg.Teams*64, gpus, gpus)
	}
	return b.Bytes()
}

func team(i int, cfg Config) []byte {
	name := fmt.Sprintf("team-%05d", i)
	var b bytes.Buffer
	fmt.Fprintf(&b, "package org\n\nteams: %q: {\n\towners: [\"@owner-%d\"]\n\tonCall: \"@oncall-%d\"\n\tslack: \"#%s\"\n\tcostCentre: \"cc-%d\"\n\tquotas: {\n", name, i, i, name, i%50)
	for _, env := range Environments {
		fmt.Fprintf(&b, "\t\t%s: {\n\t\t\tcpu: %d\n\t\t\tmemory: \"%dGi\"\n\t\t\tpriority: %q\n", env, 32, 128, []string{"high", "medium", "batch"}[i%3])
		fmt.Fprintf(&b, "\t\t\tgpus: h100: {reserved: 1, borrowingLimit: 2}\n\t\t}\n")
	}
	fmt.Fprintf(&b, "\t}\n}\n\nservices: {\n")
	for e, env := range Environments {
		for s := range cfg.ServicesPerEnv {
			svc := fmt.Sprintf("%s-%s-svc%d", name, env, s)
			kind := []string{"api", "inference", "api", "worker", "batch"}[s%5]
			fmt.Fprintf(&b, "\t%q: {\n\t\tteam: %q\n\t\tkind: %q\n", svc, name, kind)
			fmt.Fprintf(&b, "\t\timage: \"registry.example.com/%s/svc%d@sha256:%064x\"\n", name, s, i*1000+e*10+s)
			fmt.Fprintf(&b, "\t\tenvironments: %s: {\n\t\t\treplicas: 2\n\t\t\tautoscaling: {min: 2, max: 10, targetCPU: 70}\n\t\t}\n", env)
			if kind == "inference" {
				fmt.Fprintf(&b, "\t\tresources: {cpu: 4, memory: \"16Gi\", gpu: {model: \"h100\", count: 1}}\n")
			} else {
				fmt.Fprintf(&b, "\t\tresources: {cpu: \"500m\", memory: \"1Gi\"}\n")
			}
			fmt.Fprintf(&b, "\t\troutes: [{path: \"/%s\", methods: [\"GET\", \"POST\"]}]\n", svc)
			fmt.Fprintf(&b, "\t\trateLimit: {requests: %d, per: \"second\", burst: 50}\n", 100+s*10)
			fmt.Fprintf(&b, "\t\tslos: {\n\t\t\tavailability: {kind: \"availability\", objective: 99.9}\n")
			fmt.Fprintf(&b, "\t\t\tlatency: {kind: \"latency\", objective: 99, threshold: \"300ms\"}\n\t\t}\n")
			fmt.Fprintf(&b, "\t\trollout: {strategy: \"canary\", steps: [10, 50], autoRollback: true}\n\t}\n")
		}
	}
	fmt.Fprintf(&b, "}\n")
	return b.Bytes()
}
