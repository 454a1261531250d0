# The recommendations team owns the product ranker: online inference on
# L4s, training on H100s, and the drift-triggered retraining loop.
teams "recommendations" {
  displayName = "Recommendations"
  owners      = ["@amelie-dubois", "@wang-fang"]
  onCall      = "@recommendations-oncall"
  costCentre  = "CC-2100-RECO"
  slack       = "#team-recommendations"
  quotas "dev" {
    cpu    = 64
    memory = "512Gi"
    gpus "h100" {
      reserved       = 2
      borrowingLimit = 2
    }
    gpus "l4" {
      reserved       = 2
      borrowingLimit = 2
    }
  }
  quotas "test" {
    cpu    = 128
    memory = "768Gi"
    gpus "h100" {
      reserved       = 4
      borrowingLimit = 2
    }
    gpus "l4" {
      reserved       = 4
      borrowingLimit = 2
    }
  }
  quotas "prod" {
    cpu      = 512
    memory   = "4Ti"
    priority = "high"
    # Training runs at night and lends its GPUs to inference by day.
    gpus "h100" {
      reserved       = 16
      borrowingLimit = 8
      lendingLimit   = 12
      priority       = "medium"
    }
    gpus "l4" {
      reserved       = 8
      borrowingLimit = 8
      lendingLimit   = 2
      priority       = "high"
    }
  }
}

services "recommendations-api" {
  team        = "recommendations"
  kind        = "inference"
  description = "Ranks products for the home page, product pages and the cart."
  image       = "registry.acme.example/recommendations/recommendations-api:2.14.3@sha256:87c4eb5f4b79c4447690112eda776518740587d546b3a6b6183e6f2fb775aabd"
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 8
      max       = 16
      targetGPU = 70
    }
  }
  resources {
    cpu    = 4
    memory = "16Gi"
    gpu {
      model = "l4"
      count = 1
    }
  }
  routes {
    host    = "api.acme.example"
    path    = "/v1/recommendations"
    methods = ["GET"]
    timeout = "300ms"
    rateLimit {
      requests = 200
      per      = "second"
      burst    = 400
    }
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.95
  }
  # The seed's incident: latency jumps, the canary rolls back.
  slos "latency" {
    kind      = "latency"
    objective = 99
    threshold = "150ms"
  }
  rollout {
    strategy         = "canary"
    steps            = [5, 20, 50, 100]
    autoRollback     = true
    analysisInterval = "1m"
  }
  dependencies = ["feature-store", "dataset/product-catalog", "topic/clickstream.events"]
}

# The trainer runs as a Kueue job of four H100s per worker.
services "recommendations-trainer" {
  team        = "recommendations"
  kind        = "training"
  description = "Distributed training of the ranker, started by the retraining pipeline."
  image       = "registry.acme.example/recommendations/recommendations-trainer:2.14.3@sha256:2f6e0d8a9883808f9e2268c610ab8152bcd95ea52f18b82889949a2050423d0b"
  environments "test" {
    replicas = 1
    queue    = true
  }
  environments "prod" {
    replicas = 4
    queue    = true
  }
  resources {
    cpu    = 48
    memory = "512Gi"
    gpu {
      model = "h100"
      count = 4
    }
  }
  rollout {
    strategy = "rolling"
  }
  dependencies = ["dataset/recommendation-features", "dataset/user-events", "dataset/orders"]
}

models "recommendations-ranker" {
  team         = "recommendations"
  description  = "Two-tower retrieval with a gradient-boosted re-ranker."
  service      = "recommendations-api"
  framework    = "pytorch"
  trainingData = ["recommendation-features", "user-events", "orders"]
  # Feature distributions and predictions are summarised into the
  # lakehouse and compared with a baseline. The seed's example: before
  # May Day, European searches jump from winter coats to swimwear.
  drift "search-intent" {
    metric    = "psi"
    target    = "search_query_category"
    baseline  = "user-events:rolling-28d"
    threshold = 0.2
    window    = "6h"
  }
  drift "category-ctr" {
    metric    = "ctr"
    target    = "ctr_by_category"
    baseline  = "recommendations-api:ctr-7d-average"
    threshold = 0.15
    window    = "1h"
  }
  drift "item-embeddings" {
    metric    = "js-divergence"
    target    = "item_embedding"
    baseline  = "recommendation-features:training-snapshot"
    threshold = 0.1
    window    = "1d"
  }
  # Drift starts the retraining pipeline; a candidate goes live only if
  # it beats the production model on NDCG@10.
  retraining {
    trigger  = "drift"
    pipeline = "recommendations-retrain"
    evaluation {
      metric              = "ndcg_at_10"
      threshold           = 0.32
      compareToProduction = true
    }
  }
  promotion {
    strategy = "rolling"
  }
}
