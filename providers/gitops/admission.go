package gitops

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platc-dev/platc/compiler/plan"
)

// The admission policies that verify image signatures. Neither Kyverno's
// nor the sigstore policy-controller's Go API can be built here without
// most of their projects' dependencies (cloud SDKs, sigstore's clients),
// so these are local structs, validated against the CRDs in the
// projects' module zips (kyverno v1.19.1, policy-controller v0.13.1) by
// TestRenderedTreeIsAcceptedByAPIServer.

// AdmissionPolicyName names the cluster-wide policy.
const AdmissionPolicyName = "platc-verify-images"

// SigstoreIncludeLabel opts a namespace in to the sigstore
// policy-controller's verification.
const SigstoreIncludeLabel = "policy.sigstore.dev/include"

// imageValidatingPolicy is Kyverno's policies.kyverno.io/v1
// ImageValidatingPolicy (the successor of ClusterPolicy's verifyImages).
type imageValidatingPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ivpSpec `json:"spec"`
}

type ivpSpec struct {
	ValidationActions        []string                             `json:"validationActions"`
	FailurePolicy            string                               `json:"failurePolicy"`
	MatchConstraints         ivpMatchConstraints                  `json:"matchConstraints"`
	MatchImageReferences     []ivpImageReference                  `json:"matchImageReferences"`
	Attestors                []ivpAttestor                        `json:"attestors"`
	ValidationConfigurations ivpValidationConfigurations          `json:"validationConfigurations"`
	Validations              []admissionregistrationv1.Validation `json:"validations"`
}

type ivpMatchConstraints struct {
	NamespaceSelector *metav1.LabelSelector                             `json:"namespaceSelector,omitempty"`
	ResourceRules     []admissionregistrationv1.NamedRuleWithOperations `json:"resourceRules"`
}

type ivpImageReference struct {
	Glob string `json:"glob"`
}

type ivpAttestor struct {
	Name   string     `json:"name"`
	Cosign *ivpCosign `json:"cosign,omitempty"`
	Notary *ivpNotary `json:"notary,omitempty"`
}

type ivpCosign struct {
	Keyless *ivpKeyless `json:"keyless,omitempty"`
	Key     *ivpKey     `json:"key,omitempty"`
}

type ivpKeyless struct {
	Identities []identity `json:"identities"`
}

// identity is a keyless signer, in both Kyverno's and the sigstore
// policy-controller's schema.
type identity struct {
	Issuer        string `json:"issuer"`
	SubjectRegExp string `json:"subjectRegExp"`
}

type ivpKey struct {
	Data string `json:"data,omitempty"`
	KMS  string `json:"kms,omitempty"`
}

type ivpNotary struct {
	Certs ivpValue `json:"certs"`
}

type ivpValue struct {
	Value string `json:"value"`
}

type ivpValidationConfigurations struct {
	MutateDigest bool `json:"mutateDigest"`
	VerifyDigest bool `json:"verifyDigest"`
	Required     bool `json:"required"`
}

// clusterImagePolicy is the sigstore policy-controller's
// policy.sigstore.dev/v1beta1 ClusterImagePolicy.
type clusterImagePolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              cipSpec `json:"spec"`
}

type cipSpec struct {
	Images      []ivpImageReference `json:"images"`
	Authorities []cipAuthority      `json:"authorities"`
	Mode        string              `json:"mode"`
}

type cipAuthority struct {
	Name    string      `json:"name"`
	Keyless *cipKeyless `json:"keyless,omitempty"`
	Key     *ivpKey     `json:"key,omitempty"`
}

type cipKeyless struct {
	URL        string     `json:"url"`
	Identities []identity `json:"identities"`
}

// FulcioURL is the public-good Sigstore certificate authority keyless
// signatures chain to.
const FulcioURL = "https://fulcio.sigstore.dev"

// admissionNamespaceLabels are the labels a team namespace needs for the
// environment's admission policy to apply to it.
func admissionNamespaceLabels(p *plan.Plan, env *plan.Environment) map[string]string {
	if env.VerifyImages && p.Platform.Admission.Engine == "sigstore-policy-controller" {
		return map[string]string{SigstoreIncludeLabel: "true"}
	}
	return nil
}

// admissionPolicy is the environment's image-signature policy, or nil
// when it verifies none. Kyverno's covers the pods of every namespace of
// the platform's teams (they carry the part-of label); the sigstore
// policy-controller's every namespace labelled to include it.
func admissionPolicy(p *plan.Plan, env *plan.Environment, labels map[string]string) any {
	a := p.Platform.Admission
	if !env.VerifyImages || a == nil {
		return nil
	}
	images := "*"
	if p.Platform.Registry != "" {
		images = p.Platform.Registry + "/*"
	}
	var key *ivpKey
	if a.KeyData != "" || a.KeyKMS != "" {
		key = &ivpKey{Data: a.KeyData, KMS: a.KeyKMS}
	}
	var ids []identity
	if a.Subject != "" {
		ids = []identity{{Issuer: a.Issuer, SubjectRegExp: a.Subject}}
	}
	if a.Engine == "sigstore-policy-controller" {
		auth := cipAuthority{Name: a.Tool, Key: key}
		if ids != nil {
			auth.Keyless = &cipKeyless{URL: FulcioURL, Identities: ids}
		}
		return &clusterImagePolicy{
			TypeMeta:   typeMeta("policy.sigstore.dev/v1beta1", "ClusterImagePolicy"),
			ObjectMeta: meta(AdmissionPolicyName, "", labels),
			Spec: cipSpec{
				// ** crosses the registry's path separators.
				Images:      []ivpImageReference{{Glob: images + "*"}},
				Authorities: []cipAuthority{auth},
				Mode:        "enforce",
			},
		}
	}
	att := ivpAttestor{Name: a.Tool}
	if a.Tool == "notation" {
		att.Notary = &ivpNotary{Certs: ivpValue{Value: a.KeyData}}
	} else {
		att.Cosign = &ivpCosign{Key: key}
		if ids != nil {
			att.Cosign.Keyless = &ivpKeyless{Identities: ids}
		}
	}
	return &imageValidatingPolicy{
		TypeMeta:   typeMeta("policies.kyverno.io/v1", "ImageValidatingPolicy"),
		ObjectMeta: meta(AdmissionPolicyName, "", labels),
		Spec: ivpSpec{
			ValidationActions: []string{"Deny"},
			FailurePolicy:     "Fail",
			MatchConstraints: ivpMatchConstraints{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelPartOf: p.Platform.Name, LabelManagedBy: "platc"}},
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
				}}},
			},
			MatchImageReferences: []ivpImageReference{{Glob: images}},
			Attestors:            []ivpAttestor{att},
			// Images are pinned by digest (the schema requires it): the
			// digest is what is verified, and a tag is refused.
			ValidationConfigurations: ivpValidationConfigurations{MutateDigest: false, VerifyDigest: true, Required: true},
			Validations: []admissionregistrationv1.Validation{{
				Expression: "images.containers.map(image, verifyImageSignatures(image, [attestors." + att.Name + "])).all(e, e > 0)",
				Message:    "the image is not signed by the platform's signer (" + a.Tool + ")",
			}},
		},
	}
}
