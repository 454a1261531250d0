# Acme Shop is a cross-border e-commerce company (web shop, WeChat official
# account, European and Asian markets). This spec describes its AI platform
# as the platform team runs it: three environments on Kubernetes, seven
# teams, the services they run, the data fabric and the governance tables.

platform {
  name         = "acme-shop"
  displayName  = "Acme Shop AI platform"
  organisation = "Acme Commerce Ltd."
  owner        = "platform"
  costCentre   = "CC-1000-PLATFORM"

  # Argo CD syncs the rendered tree from a repository of its own.
  gitops {
    engine = "argocd"
    repo   = "https://github.com/acme-shop/platform-gitops.git"
    branch = "main"
    path   = "clusters"
  }

  pulumi {
    project         = "acme-shop"
    backend         = "s3://acme-shop-pulumi-state"
    secretsProvider = "awskms://alias/acme-shop-pulumi"
  }

  github {
    repository    = "acme-shop/platform-spec"
    defaultBranch = "main"
  }

  # One entry point for every API: routes, rate limits and budget
  # guardrails are rendered for Envoy Gateway.
  gateway {
    implementation = "envoy-gateway"
    name           = "acme-edge"
    namespace      = "gateway-system"
    hostnames      = ["shop.acme.example", "api.acme.example", "grafana.acme.example"]
  }

  # Images are built by CI, signed keyless with cosign and verified at
  # admission by Kyverno in test and prod.
  supplyChain {
    registry = "registry.acme.example"
    signing {
      tool    = "cosign"
      keyless = true
      # Images are signed keylessly by the CI workflows of Acme's
      # repositories on main; admission accepts no other signer.
      identity {
        subject = "^https://github\\.com/acme/[^/]+/\\.github/workflows/[^@]+@refs/heads/main$"
      }
    }
    verify {
      enforce      = ["test", "prod"]
      policyEngine = "kyverno"
    }
  }

  # The gates of the Infra-to-Model loop: tests and static checks before
  # an image is built, a signed image before it is deployed.
  ci {
    provider = "github-actions"
    gates = [
      "unit-tests",
      "static-analysis",
      "sbom",
      "vulnerability-scan",
      "image-signing",
      "integration-tests",
      "policy-check",
      "model-evaluation",
    ]
  }

  # One observability stack: Prometheus metrics, Loki logs, Jaeger traces.
  observability {
    metrics       = "prometheus"
    logs          = "loki"
    traces        = "jaeger"
    prometheusURL = "https://prometheus.acme.example"
    # Each team's alerts go to its Slack channel, pages mentioning its
    # on-call; the webhook URL is kept in the platform's secret store.
    alertmanager {
      receiver     = "platform-oncall"
      slackWebhook = "platform/alertmanager-slack-webhook"
    }
  }

  gpuModels = { "NVIDIA H100 80GB HBM3" = "h100", "NVIDIA L4" = "l4" }
}
