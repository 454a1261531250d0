package treediff_test

import (
	"testing"

	"github.com/platc-dev/platc/internal/treediff"
)

func TestEnvironmentOf(t *testing.T) {
	for _, c := range []struct{ root, path, want string }{
		{"gitops", "gitops/dev/teams/search/quota.yaml", "dev"},
		{"gitops", "gitops/prod/kustomization.yaml", "prod"},
		{"gitops", "gitops/argocd/prod/appproject.yaml", "prod"},
		{"gitops", "gitops/flux/test/gitrepository.yaml", "test"},
		{"gitops", "pulumi/dev/platc.stack.json", "dev"},
		{"clusters/eu", "clusters/eu/dev/kustomization.yaml", "dev"},
		{"clusters/eu", "clusters/eu/argocd/dev/application.yaml", "dev"},
		// The files the environments share.
		{"gitops", "gitops/kustomization.yaml", ""},
		{"gitops", "gitops/argocd/kustomization.yaml", ""},
		{"gitops", "catalog/catalog-info.yaml", ""},
		{"gitops", "CODEOWNERS", ""},
		{"gitops", "pulumi/README.md", ""},
		// A directory that merely starts like the root is not under it.
		{"gitops", "gitops-old/dev/x.yaml", ""},
	} {
		if got := treediff.EnvironmentOf(c.root, c.path); got != c.want {
			t.Errorf("EnvironmentOf(%q, %q) = %q, want %q", c.root, c.path, got, c.want)
		}
	}
}
