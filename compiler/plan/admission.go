package plan

import (
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/model"
)

// AdmissionFor is the admission policy that verifies image signatures as
// the supply chain declares them, or nil when platc cannot render one:
// nothing is enforced, the engine is gatekeeper (it verifies no
// signatures without an external data provider), keyless signing names no
// identity, a key is neither PEM nor a KMS URI, or notation is verified
// by anything but Kyverno with a PEM certificate. The built-in
// not-delivered policy reports the same combinations (policies/
// not_delivered.rego); TestAdmissionMatchesNotDelivered keeps the two in
// step.
func AdmissionFor(sc model.SupplyChain) *Admission {
	if len(sc.Verify.Enforce) == 0 {
		return nil
	}
	a := &Admission{Engine: sc.Verify.PolicyEngine, Tool: sc.Signing.Tool}
	switch a.Engine {
	case "kyverno", "sigstore-policy-controller":
	default:
		return nil
	}
	key := strings.TrimSpace(sc.Signing.Key)
	switch {
	case a.Tool == "notation":
		if a.Engine != "kyverno" || !strings.HasPrefix(key, "-----BEGIN CERTIFICATE") {
			return nil
		}
		a.KeyData = key + "\n"
	case sc.Signing.Keyless:
		id := sc.Signing.Identity
		if id == nil || id.Subject == "" {
			return nil
		}
		a.Issuer, a.Subject = id.Issuer, id.Subject
	case strings.HasPrefix(key, "-----BEGIN "):
		a.KeyData = key + "\n"
	case strings.Contains(key, "://"):
		a.KeyKMS = key
	default:
		return nil
	}
	return a
}

// verifies says whether an environment of tier verifies image signatures
// at admission.
func verifies(p *Platform, tier string) bool {
	return p.Admission != nil && slices.Contains(p.Verify, tier)
}
