package pulumi

import "testing"

// QualifiedName is the name the pulumi CLI's --stack takes from any
// directory when it cannot be asked: a self-managed backend's stacks
// belong to the organization "organization"; Pulumi Cloud's to the
// user's organization, which only the CLI knows.
func TestQualifiedName(t *testing.T) {
	s := &Stack{Project: "platc-acme-shop", Name: "dev"}
	for backend, want := range map[string]string{
		"file:///srv/state":             "organization/platc-acme-shop/dev",
		"file://~":                      "organization/platc-acme-shop/dev",
		"s3://bucket/state":             "organization/platc-acme-shop/dev",
		"postgres://u:p@db:5432/pulumi": "organization/platc-acme-shop/dev",
		"https://api.pulumi.com":        "ORG/platc-acme-shop/dev",
		"http://pulumi.internal:8080":   "ORG/platc-acme-shop/dev",
	} {
		if got := QualifiedName(backend, s); got != want {
			t.Errorf("QualifiedName(%q) = %q, want %q", backend, got, want)
		}
	}
}
