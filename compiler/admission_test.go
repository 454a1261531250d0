package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdmissionMatchesNotDelivered: for each way a supply chain can be
// declared, either the plan carries the admission policy the GitOps tree
// renders (plan.AdmissionFor) or `platc check` warns not-delivered about
// the supply chain, never both and never neither. The two are written
// twice, in Go and in Rego; this keeps them in step.
func TestAdmissionMatchesNotDelivered(t *testing.T) {
	const pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
	const cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"
	cases := []struct {
		name, supplyChain string
		delivered         bool
	}{
		{"kyverno keyless with identity", `signing: identity: subject: "^https://github\\.com/acme/"`, true},
		{"kyverno keyless without identity", ``, false},
		{"sigstore keyless with identity", `signing: identity: {issuer: "https://accounts.google.com", subject: "^ci@acme\\.example$"}
verify: policyEngine: "sigstore-policy-controller"`, true},
		{"kyverno key in PEM", `signing: {keyless: false, key: """
` + pem + `
"""}`, true},
		{"sigstore KMS key", `signing: {keyless: false, key: "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k"}
verify: policyEngine: "sigstore-policy-controller"`, true},
		{"key that is a file name", `signing: {keyless: false, key: "cosign.pub"}`, false},
		{"no key", `signing: keyless: false`, false},
		{"notation with a certificate", `signing: {tool: "notation", keyless: false, key: """
` + cert + `
"""}`, true},
		{"notation without a certificate", `signing: {tool: "notation", keyless: false, key: "awskms:///alias/k"}`, false},
		{"notation on sigstore", `signing: {tool: "notation", keyless: false, key: """
` + cert + `
"""}
verify: policyEngine: "sigstore-policy-controller"`, false},
		{"gatekeeper", `signing: identity: subject: "x"
verify: policyEngine: "gatekeeper"`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS("../examples/minimal")); err != nil {
				t.Fatal(err)
			}
			// A test tier, verified at admission (a prod one would bring the
			// rules prod has to pass, which are not this test's concern).
			overlay := "package minimal\n\nenvironments: qa: {tier: \"test\", owner: \"platform\", pools: general: {cpu: 4, memory: \"16Gi\"}}\n\nplatform: supplyChain: {\nverify: enforce: [\"test\"]\n" + c.supplyChain + "\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "supplychain.cue"), []byte(overlay), 0o644); err != nil {
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
				if d.Rule == "not-delivered" && strings.HasPrefix(d.Path, "platform.supplyChain") {
					warned = append(warned, d.Path+": "+d.Message)
				}
			}
			rendered := p.Platform.Admission != nil
			if rendered != c.delivered || (len(warned) > 0) == rendered {
				t.Errorf("admission rendered: %v (want %v); not-delivered warnings: %q", rendered, c.delivered, warned)
			}
			var qa bool
			for _, e := range p.Environments {
				if e.Name == "qa" {
					qa = e.VerifyImages
				} else if e.VerifyImages {
					t.Errorf("%s (tier %s) verifies images; only the test tier is enforced", e.Name, e.Tier)
				}
			}
			if qa != c.delivered {
				t.Errorf("qa verifies images: %v, want %v", qa, c.delivered)
			}
		})
	}
}
