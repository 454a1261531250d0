# The support team answers customers. A question sent to the WeChat
# official account arrives as an event on support.questions; support-qa
# answers it with an LLM, and when it recognises a complaint it publishes
# it on support.complaints, from which the CRM integration opens a ticket.
teams "support" {
  displayName = "Customer support engineering"
  owners      = ["@sofia-rossi", "@zhang-wei"]
  onCall      = "@support-oncall"
  costCentre  = "CC-2300-SUPPORT"
  slack       = "#team-support"
  quotas "dev" {
    cpu    = 48
    memory = "384Gi"
    gpus "h100" {
      reserved = 2
    }
  }
  quotas "test" {
    cpu      = 64
    memory   = "512Gi"
    priority = "high"
    gpus "h100" {
      reserved       = 2
      borrowingLimit = 1
    }
  }
  quotas "prod" {
    cpu      = 256
    memory   = "2Ti"
    priority = "high"
    gpus "h100" {
      reserved       = 8
      borrowingLimit = 4
      lendingLimit   = 4
    }
  }
}

services "support-qa" {
  team        = "support"
  kind        = "api"
  description = "LLM customer Q&A: answers questions, detects complaints."
  image       = "registry.acme.example/support/support-qa:1.8.4@sha256:d478022952cdab71500b352753d43ce68b668f8a7b1c06925a41f23795b15496"
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 4
      max       = 20
      targetCPU = 70
    }
  }
  resources {
    cpu    = 2
    memory = "4Gi"
  }
  # The web shop's chat widget calls the same service directly.
  routes {
    host    = "shop.acme.example"
    path    = "/api/support/ask"
    methods = ["POST"]
    timeout = "20s"
    rateLimit {
      requests = 20
      per      = "minute"
      burst    = 10
    }
  }
  # The hosted LLM is billed per token. When the month's budget runs out
  # the service degrades to the self-hosted model instead of failing.
  upstreams "llm-provider" {
    url  = "https://api.llm-provider.example/v1"
    paid = true
    rateLimit {
      requests = 3000
      per      = "minute"
      by       = "global"
    }
    budget {
      amount      = 25000
      currency    = "USD"
      period      = "month"
      alertAt     = 80
      onExhausted = "degrade"
      fallback    = "support-llm-fallback"
    }
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.9
  }
  slos "latency" {
    kind      = "latency"
    objective = 95
    threshold = "8s"
  }
  rollout {
    strategy     = "canary"
    steps        = [10, 30, 60, 100]
    autoRollback = true
  }
  dependencies = [
    "support-llm-fallback",
    "checkout-api",
    "topic/support.questions",
    "topic/support.complaints",
    "integration/wechat-oa",
    "integration/crm",
  ]
}

# A self-hosted open-weights model on vLLM: the fallback when the hosted
# LLM's budget is spent or the provider is down.
services "support-llm-fallback" {
  team        = "support"
  kind        = "inference"
  description = "Self-hosted LLM (vLLM) used when the hosted LLM is unavailable or over budget."
  image       = "registry.acme.example/support/support-llm-fallback:0.6.3@sha256:9fdc68c72107c1e5f323afdec1faa46ba1dc31406fc23f886a6c9fc7ed5160f4"
  port        = 8000
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 2
      max       = 8
      targetGPU = 70
    }
  }
  resources {
    cpu    = 8
    memory = "64Gi"
    gpu {
      model = "h100"
      count = 1
    }
  }
  rateLimit {
    requests = 100
    per      = "second"
    burst    = 50
    by       = "global"
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.9
  }
  slos "latency" {
    kind      = "latency"
    objective = 95
    threshold = "10s"
  }
  rollout {
    strategy     = "canary"
    steps        = [25, 50, 100]
    autoRollback = true
  }
}
