# The data team runs the data fabric (data.cue): the lakehouse, the catalog,
# the streaming and batch pipelines, and the online feature store.
teams "data" {
  displayName = "Data platform"
  owners      = ["@mei-chen", "@lars-nilsson"]
  onCall      = "@data-oncall"
  costCentre  = "CC-1100-DATA"
  slack       = "#team-data"
  # Flink and Spark jobs run in these quotas; they need no GPUs.
  quotas "dev" {
    cpu    = 96
    memory = "768Gi"
  }
  quotas "test" {
    cpu    = 160
    memory = "1Ti"
  }
  quotas "prod" {
    cpu      = 768
    memory   = "4Ti"
    priority = "high"
  }
}

services "feature-store" {
  team        = "data"
  kind        = "api"
  description = "Online feature store serving user and item features from the lakehouse."
  image       = "registry.acme.example/data/feature-store:0.42.1@sha256:efc1023f5aa97fad27c813b092aeba7b2b61e7b89f8e7a8d1f69c1c3ab87d54c"
  port        = 6566
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 4
      max       = 12
      targetCPU = 65
    }
  }
  resources {
    cpu    = 4
    memory = "16Gi"
  }
  # Internal only: no route through the gateway.
  rateLimit {
    requests = 20000
    per      = "second"
    by       = "global"
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.95
  }
  slos "latency" {
    kind      = "latency"
    objective = 99
    threshold = "20ms"
  }
  rollout {
    strategy     = "canary"
    steps        = [10, 50, 100]
    autoRollback = true
  }
  dependencies = ["dataset/recommendation-features", "dataset/user-events"]
}
