# Acme Shop's 90-day plan, from the seed document. It starts in January so
# that the platform is complete before the May Day freeze and long before
# the peak season. A
# milestone is done when the spec has the capabilities it names.
blueprint {
  name  = "Acme Shop AI foundation, 90 days"
  start = "2027-01-11"
  phases "foundation" {
    title = "Days 1-30: lay the foundation"
    from  = 1
    to    = 30
    goals = [
      "GPU-ready Kubernetes clusters in dev, test and prod",
      "GitOps end to end: merging a pull request deploys",
      "IaC templates generate a whole environment",
      "Every image signed and verified at admission",
      "Mixed CPU/GPU scheduling with team quotas and borrowing",
    ]
    milestones "gpu-kubernetes" {
      title        = "GPU node pools with the GPU operator and MIG"
      due          = 10
      owner        = "platform"
      capabilities = ["gpu-kubernetes"]
    }
    milestones "gitops-end-to-end" {
      title        = "Argo CD syncs every environment from the rendered tree"
      due          = 15
      owner        = "platform"
      capabilities = ["gitops"]
    }
    milestones "iac-templates" {
      title        = "Pulumi stacks for dev, test and prod"
      due          = 20
      owner        = "@jonas-weber"
      capabilities = ["iac-templates"]
    }
    milestones "signed-images" {
      title        = "Cosign signing in CI, Kyverno verification in test and prod"
      due          = 25
      owner        = "platform"
      capabilities = ["signed-images"]
    }
    milestones "mixed-scheduling" {
      title        = "Kueue queues: reserved quotas, priorities and GPU borrowing"
      due          = 30
      owner        = "platform"
      capabilities = ["mixed-scheduling", "gpu-quotas", "gpu-borrowing"]
    }
  }
  phases "data-fabric" {
    title = "Days 31-60: weave the data fabric"
    from  = 31
    to    = 60
    goals = [
      "One Iceberg lakehouse for every team",
      "Real-time order and clickstream pipelines within 5 minutes",
      "Batch pipelines for reports and features",
      "Every dataset in the catalog with owner, lineage and quality score",
    ]
    milestones "lakehouse" {
      title        = "Iceberg on S3 with Trino"
      due          = 38
      owner        = "data"
      capabilities = ["lakehouse"]
    }
    milestones "streaming-pipelines" {
      title        = "orders-realtime and clickstream-realtime on Kafka and Flink"
      due          = 48
      owner        = "data"
      capabilities = ["event-bus", "streaming-pipelines"]
    }
    milestones "batch-pipelines" {
      title        = "Daily reports, returns and feature pipelines"
      due          = 55
      owner        = "data"
      capabilities = ["batch-pipelines"]
    }
    milestones "data-catalog" {
      title        = "DataHub catalog with lineage and quality scores"
      due          = 60
      owner        = "@mei-chen"
      capabilities = ["data-catalog"]
    }
  }
  phases "gateway-observability" {
    title = "Days 61-90: gateway, observability and automation"
    from  = 61
    to    = 90
    goals = [
      "Every API behind one gateway with rate limits and budget guardrails",
      "Smart routing of requests",
      "Metrics, logs and traces in one stack with SLOs and alert templates",
      "Automatic failover and rollback",
      "Drift detection and automatic retraining of the ranker",
    ]
    milestones "api-gateway" {
      title        = "Envoy Gateway routes with rate limits and budget guardrails"
      due          = 68
      owner        = "platform"
      capabilities = ["api-gateway", "rate-limits", "budget-guardrails"]
    }
    milestones "smart-routing" {
      title        = "Weighted and header-based routing for canaries and markets"
      due          = 75
      owner        = "platform"
      capabilities = ["smart-routing"]
    }
    milestones "unified-observability" {
      title        = "Prometheus, Loki and Jaeger with SLO alerts for every service"
      due          = 80
      owner        = "platform"
      capabilities = ["unified-observability", "slos"]
    }
    milestones "auto-failover-rollback" {
      title        = "Canary analysis rolls back on SLO breach; failover to fallbacks"
      due          = 88
      owner        = "platform"
      capabilities = ["auto-rollback", "auto-failover"]
    }
    milestones "drift-retraining" {
      title        = "Drift monitors start retraining of the ranker"
      due          = 90
      owner        = "recommendations"
      capabilities = ["drift-detection", "auto-retraining"]
    }
  }
}
