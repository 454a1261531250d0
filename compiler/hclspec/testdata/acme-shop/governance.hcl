# The toolbox tables of the seed document, filled in for Acme Shop.

# Data-governance RACI: one accountable party per task.
governance {
  raci "data-model-design" {
    title       = "Data model design"
    responsible = ["data"]
    accountable = ["@mei-chen"]
    consulted   = ["recommendations", "search", "checkout"]
    informed    = ["support", "speech", "platform"]
  }
  raci "etl-change" {
    title       = "ETL change"
    responsible = ["data"]
    accountable = ["@lars-nilsson"]
    consulted   = ["checkout", "platform"]
    informed    = ["recommendations", "search", "support"]
  }
  raci "quality-monitoring" {
    title       = "Quality monitoring"
    responsible = ["data", "recommendations"]
    accountable = ["@mei-chen"]
    consulted   = ["platform"]
    informed    = ["search", "checkout", "support", "speech"]
  }
  raci "privacy-compliance" {
    title       = "Privacy compliance (GDPR, PIPL)"
    responsible = ["data", "support", "speech"]
    accountable = ["@hannah-vogel"]
    consulted   = ["platform", "checkout"]
    informed    = ["recommendations", "search"]
  }
  raci "metadata-upkeep" {
    title       = "Metadata upkeep in the catalog"
    responsible = ["data"]
    accountable = ["@lars-nilsson"]
    consulted   = ["recommendations", "search", "support", "speech", "checkout"]
    informed    = ["platform"]
  }
  # The platform team's owners approve each apply: 'platc github
  # environments' makes them the required reviewers of the workflow's
  # production environment.
  raci "release" {
    title       = "Release to the environments (platc apply)"
    responsible = ["platform"]
    accountable = ["platform"]
    consulted   = ["data"]
    informed    = ["recommendations", "search", "support", "speech", "checkout"]
  }

  # Architecture board: the four layers, their modules, interfaces and owners.
  architecture "data" {
    owner = "data"
    modules = [
      "Kafka event bus",
      "Flink streaming",
      "Spark and dbt batch",
      "Iceberg lakehouse on S3",
      "Trino",
      "DataHub catalog",
      "feature-store",
    ]
    interfaces = [
      "Kafka topics",
      "Trino SQL",
      "Iceberg REST catalog",
      "feature-store gRPC",
      "DataHub search and lineage API",
    ]
    dependsOn = []
  }
  architecture "model" {
    owner = "recommendations"
    modules = [
      "Kueue training queues",
      "model registry",
      "Triton and vLLM serving",
      "drift monitors",
      "retraining pipelines",
    ]
    interfaces = ["model registry API", "inference HTTP/gRPC", "drift metrics in Prometheus"]
    dependsOn  = ["data"]
  }
  architecture "service" {
    owner = "platform"
    modules = [
      "Envoy Gateway",
      "edge-authz",
      "rate limits and budget guardrails",
      "Argo Rollouts",
      "Istio mesh",
    ]
    interfaces = [
      "HTTPS APIs on api.acme.example and shop.acme.example",
      "Kafka events",
      "SaaS and legacy integrations",
    ]
    dependsOn = ["model", "data"]
  }
  architecture "governance" {
    owner = "@hannah-vogel"
    modules = [
      "platc policies",
      "cosign and Kyverno",
      "RACI matrix",
      "change calendar",
      "OpenTelemetry, Prometheus, Loki, Jaeger",
    ]
    interfaces = ["platc check in pull requests", "Argo CD sync windows", "SLO and KPI dashboards"]
    dependsOn  = ["data", "model", "service"]
  }

  # DevOps and MLOps side by side, one shared gate per stage.
  stages "code" {
    devops {
      tools   = ["GitHub", "pre-commit", "platc fmt"]
      actions = ["pull request with review", "platc vet"]
    }
    mlops {
      tools   = ["GitHub", "Jupyter", "DVC"]
      actions = ["notebook to pipeline code", "dataset versions pinned"]
    }
    gate  = "review approved and platc check passes"
    owner = "platform"
  }
  stages "build" {
    devops {
      tools   = ["GitHub Actions", "BuildKit", "cosign", "Syft"]
      actions = ["build image", "SBOM", "sign image"]
    }
    mlops {
      tools   = ["Airflow", "Kueue", "model registry"]
      actions = ["train on the pinned dataset", "package the model into a serving image", "sign image"]
    }
    gate  = "signed image with SBOM pushed to registry.acme.example"
    owner = "platform"
  }
  stages "test" {
    devops {
      tools   = ["go test", "pytest", "k6", "Trivy"]
      actions = ["unit and integration tests", "vulnerability scan", "load test in test"]
    }
    mlops {
      tools   = ["evaluation harness", "Great Expectations"]
      actions = ["offline evaluation against production", "data quality checks"]
    }
    gate  = "tests green, no critical CVEs, evaluation not worse than production"
    owner = "@amelie-dubois"
  }
  stages "deploy" {
    devops {
      tools   = ["Argo CD", "Argo Rollouts", "Pulumi"]
      actions = ["GitOps sync", "canary with SLO analysis"]
    }
    mlops {
      tools   = ["Argo CD", "Argo Rollouts", "Triton", "vLLM"]
      actions = ["rolling model upgrade", "shadow or canary traffic"]
    }
    gate  = "canary analysis within SLO, inside a change window"
    owner = "platform"
  }
  stages "monitor" {
    devops {
      tools   = ["Prometheus", "Loki", "Jaeger", "Alertmanager", "Grafana"]
      actions = ["SLO burn-rate alerts", "automatic rollback"]
    }
    mlops {
      tools   = ["drift monitors", "Prometheus", "lakehouse baselines"]
      actions = ["drift detection", "retraining trigger"]
    }
    gate  = "SLOs and KPIs green on the daily board"
    owner = "platform"
  }

  # Change and release calendar. Nothing is scheduled in the prod freeze
  # (8 November to 1 December 2027).
  changes "k8s-1-35-test" {
    date         = "2027-01-19"
    environment  = "test"
    system       = "EKS control plane and node groups"
    type         = "standard"
    impact       = "medium"
    rollbackPlan = "Node groups keep the 1.34 launch template; roll the node groups back and restore the control plane from the pre-upgrade snapshot."
    status       = "approved"
    owner        = "platform"
  }
  changes "k8s-1-35-prod" {
    date         = "2027-01-26"
    environment  = "prod"
    system       = "EKS control plane and node groups"
    type         = "normal"
    impact       = "high"
    rollbackPlan = "Blue-green node groups: drain the new group back onto the 1.34 group."
    status       = "planned"
    owner        = "platform"
  }
  changes "orders-iceberg-cutover" {
    date         = "2027-03-02"
    environment  = "prod"
    system       = "orders-realtime pipeline and the lakehouse"
    type         = "normal"
    impact       = "high"
    rollbackPlan = "Keep the old Hive tables written in parallel for two weeks; point Trino back at them."
    status       = "planned"
    owner        = "data"
  }
  changes "ranker-v3" {
    date         = "2027-04-06"
    environment  = "prod"
    system       = "recommendations-api"
    type         = "release"
    impact       = "medium"
    rollbackPlan = "Argo Rollouts aborts on SLO breach; the previous model stays in the registry."
    status       = "planned"
    owner        = "recommendations"
  }
  changes "speech-peak-drill" {
    date         = "2027-10-19"
    environment  = "prod"
    system       = "speech-to-text and the gpu-l4 pool"
    type         = "normal"
    impact       = "medium"
    rollbackPlan = "Scale the L4 burst back to zero nodes; autoscaling limits return to 40-480 replicas."
    status       = "planned"
    owner        = "speech"
  }
  changes "peak-rate-limits" {
    date         = "2027-11-01"
    environment  = "prod"
    system       = "Envoy Gateway rate limits for the sales peak"
    type         = "standard"
    impact       = "high"
    rollbackPlan = "Revert the pull request; Argo CD restores the previous limits."
    status       = "planned"
    owner        = "platform"
  }
}

# Search keeps its four production H100s to itself while the nightly index
# rebuild is moved off them; the exception is reviewed at the Q1 capacity
# review and expires with it.
exceptions "search-h100-not-lent" {
  rule       = "gpu-islands"
  path       = "teams.search.quotas.prod.gpus.h100"
  reason     = "The nightly index rebuild needs all four H100s at short notice until it moves to the shared batch queue."
  expires    = "2027-03-31"
  approvedBy = "@jonas-weber"
}
