# The checkout team owns the cart, checkout and order APIs. Every order
# is published on orders.created, which feeds the ERP and the real-time
# order stream of the data fabric.
teams "checkout" {
  displayName = "Checkout and orders"
  owners      = ["@tom-becker", "@liu-yang"]
  onCall      = "@checkout-oncall"
  costCentre  = "CC-2500-CHECKOUT"
  slack       = "#team-checkout"
  quotas "dev" {
    cpu    = 32
    memory = "128Gi"
  }
  quotas "test" {
    cpu    = 64
    memory = "256Gi"
  }
  quotas "prod" {
    cpu      = 256
    memory   = "1Ti"
    priority = "critical"
  }
}

services "checkout-api" {
  team        = "checkout"
  kind        = "api"
  description = "Cart, checkout and order status."
  image       = "registry.acme.example/checkout/checkout-api:5.7.1@sha256:a72595c0c28cbdb4c7e89f1845dc29d49c468aeb209eb7f4d2a05cc06c0649e0"
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 12
      max       = 60
      targetCPU = 60
    }
  }
  resources {
    cpu    = 2
    memory = "4Gi"
  }
  routes {
    host    = "shop.acme.example"
    path    = "/api/checkout"
    methods = ["POST"]
    timeout = "10s"
    rateLimit {
      requests = 10
      per      = "minute"
      burst    = 5
      by       = "header"
      header   = "x-customer-id"
    }
  }
  routes {
    host    = "shop.acme.example"
    path    = "/api/orders"
    methods = ["GET"]
    timeout = "2s"
  }
  # Routes without a limit of their own use this one.
  rateLimit {
    requests = 50
    per      = "second"
    burst    = 100
  }
  # Fraud screening is billed per call. If the budget runs out the
  # circuit opens and checkout falls back to its built-in rules.
  upstreams "fraud-screening" {
    url  = "https://fraud.vendor.example/v2"
    paid = true
    rateLimit {
      requests = 400
      per      = "second"
      by       = "global"
    }
    budget {
      amount      = 15000
      currency    = "USD"
      period      = "month"
      alertAt     = 70
      onExhausted = "circuit-break"
      # Each screening is billed: the egress guard counts the spend.
      pricePerRequest = 0.015
    }
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.95
  }
  slos "latency" {
    kind      = "latency"
    objective = 99
    threshold = "800ms"
  }
  rollout {
    strategy         = "canary"
    steps            = [1, 5, 25, 50, 100]
    autoRollback     = true
    analysisInterval = "2m"
  }
  dependencies = [
    "recommendations-api",
    "topic/orders.created",
    "topic/clickstream.events",
    "integration/payments",
    "integration/erp",
  ]
}
