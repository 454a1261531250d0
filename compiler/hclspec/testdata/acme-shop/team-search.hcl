# The search team runs product search in eleven languages, with query
# embeddings served from MIG slices of H100s.
teams "search" {
  displayName = "Search"
  owners      = ["@priya-nair"]
  onCall      = "@search-oncall"
  costCentre  = "CC-2400-SEARCH"
  slack       = "#team-search"
  quotas "dev" {
    cpu    = 48
    memory = "256Gi"
    gpus "h100" {
      reserved = 2
      mig      = { "1g.10gb" = 14 }
    }
  }
  quotas "test" {
    cpu    = 96
    memory = "384Gi"
    gpus "h100" {
      reserved = 1
      mig      = { "1g.10gb" = 7 }
    }
  }
  quotas "prod" {
    cpu      = 384
    memory   = "2Ti"
    priority = "high"
    # The whole gpu-h100-mig pool: four GPUs, 28 slices.
    gpus "h100" {
      reserved     = 4
      lendingLimit = 0
      mig          = { "1g.10gb" = 28 }
    }
  }
}

services "search-api" {
  team        = "search"
  kind        = "api"
  description = "Product search and suggestions."
  image       = "registry.acme.example/search/search-api:4.1.0@sha256:cf69f61c7359a41af1a7d445973ac5488f8428d85ad051ff57ab4b63f663f445"
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 6
      max       = 40
      targetCPU = 65
    }
  }
  resources {
    cpu    = 2
    memory = "4Gi"
  }
  routes {
    host    = "api.acme.example"
    path    = "/v1/search"
    methods = ["GET"]
    timeout = "500ms"
    rateLimit {
      requests = 100
      per      = "second"
      burst    = 200
    }
  }
  routes {
    host    = "api.acme.example"
    path    = "/v1/suggest"
    methods = ["GET"]
    timeout = "200ms"
    rateLimit {
      requests = 300
      per      = "second"
      burst    = 300
    }
  }
  # Machine translation of queries for cross-border shoppers. When the
  # budget is spent, calls are blocked and queries are searched as typed.
  upstreams "translation" {
    url  = "https://translation.vendor.example/v3"
    paid = true
    rateLimit {
      requests = 500
      per      = "second"
      by       = "global"
    }
    budget {
      amount      = 6000
      currency    = "EUR"
      period      = "month"
      alertAt     = 75
      onExhausted = "block"
    }
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.95
  }
  slos "latency" {
    kind      = "latency"
    objective = 99
    threshold = "300ms"
  }
  rollout {
    strategy     = "canary"
    steps        = [5, 25, 50, 100]
    autoRollback = true
  }
  dependencies = ["search-embeddings", "dataset/product-catalog", "topic/clickstream.events"]
}

services "search-embeddings" {
  team        = "search"
  kind        = "inference"
  description = "Multilingual query embeddings on 1g.10gb MIG slices."
  image       = "registry.acme.example/search/search-embeddings:1.3.2@sha256:b2e41a49953f6a599c5353f4521666c9c2f1b205e30a34e29768314cfe2af5e3"
  environments "dev" {
    replicas = 2
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 8
      max       = 28
      targetGPU = 70
    }
  }
  resources {
    cpu    = 2
    memory = "8Gi"
    gpu {
      model = "h100"
      mig   = "1g.10gb"
    }
  }
  rateLimit {
    requests = 5000
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
    threshold = "50ms"
  }
  rollout {
    strategy     = "canary"
    steps        = [10, 50, 100]
    autoRollback = true
  }
}
