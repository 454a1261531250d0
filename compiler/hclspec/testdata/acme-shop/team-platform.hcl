# The platform team runs the platform itself: clusters, the edge gateway,
# the observability stack and this spec.
teams "platform" {
  displayName = "Platform engineering"
  owners      = ["@jonas-weber", "@li-na"]
  onCall      = "@platform-oncall"
  costCentre  = "CC-1000-PLATFORM"
  slack       = "#platform"
  quotas "dev" {
    cpu      = 32
    memory   = "128Gi"
    priority = "high"
  }
  quotas "test" {
    cpu      = 64
    memory   = "256Gi"
    priority = "high"
  }
  quotas "prod" {
    cpu      = 256
    memory   = "1Ti"
    priority = "critical"
  }
}

# edge-authz is the gateway's external authorisation service: it checks
# customer sessions and API keys before a request reaches a team's service.
services "edge-authz" {
  team        = "platform"
  kind        = "api"
  description = "External authorisation for the Envoy edge gateway."
  image       = "registry.acme.example/platform/edge-authz:1.4.2@sha256:74471ae620c1ed019fe2eccdfb570fdb441e8e64346f624d0a56ed48668e702a"
  port        = 9001
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 6
      max       = 30
      targetCPU = 65
    }
  }
  resources {
    cpu    = 1
    memory = "1Gi"
  }
  # Called by the gateway on every request, so limited globally.
  rateLimit {
    requests = 50000
    per      = "second"
    burst    = 10000
    by       = "global"
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.99
  }
  slos "latency" {
    kind      = "latency"
    objective = 99.9
    threshold = "20ms"
  }
  rollout {
    strategy         = "canary"
    steps            = [5, 25, 50, 100]
    autoRollback     = true
    analysisInterval = "30s"
  }
}

# grafana shows the unified dashboards: KPIs, SLOs, GPU utilisation.
services "grafana" {
  team        = "platform"
  kind        = "api"
  description = "Dashboards over Prometheus, Loki and Jaeger."
  image       = "registry.acme.example/platform/grafana:11.3.1@sha256:c43380604d5f14176364ae3d93d5bc4724f705b56b1fb527b0d29425077d69bc"
  port        = 3000
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    replicas = 1
  }
  environments "prod" {
    autoscaling {
      min       = 3
      max       = 6
      targetCPU = 70
    }
  }
  resources {
    cpu    = 1
    memory = "2Gi"
  }
  routes {
    host    = "grafana.acme.example"
    path    = "/"
    methods = ["GET", "POST"]
    timeout = "60s"
  }
  rateLimit {
    requests = 50
    per      = "second"
    burst    = 100
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.9
  }
  slos "latency" {
    kind      = "latency"
    objective = 99
    threshold = "2s"
  }
  # Dashboards take no canary traffic split: a rolling update, rolled
  # back when the SLOs are breached while it bakes.
  rollout {
    strategy     = "rolling"
    autoRollback = true
  }
}

# otel-collector receives metrics, logs and traces from every workload and
# forwards them to Prometheus, Loki and Jaeger.
services "otel-collector" {
  team        = "platform"
  kind        = "worker"
  description = "OpenTelemetry collector feeding the observability stack."
  image       = "registry.acme.example/platform/otel-collector:0.112.0@sha256:0be76201b8a687561f81ff04df217caf9c902667ffcbd6a712e688b79ecff543"
  port        = 4317
  environments "dev" {
    replicas = 2
  }
  environments "test" {
    replicas = 2
  }
  environments "prod" {
    autoscaling {
      min       = 6
      max       = 24
      targetCPU = 70
    }
  }
  resources {
    cpu    = 2
    memory = "4Gi"
  }
  rateLimit {
    requests = 200000
    per      = "second"
    by       = "global"
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.9
  }
  slos "latency" {
    kind      = "latency"
    objective = 99
    threshold = "500ms"
  }
  rollout {
    strategy     = "canary"
    steps        = [10, 50, 100]
    autoRollback = true
  }
}
