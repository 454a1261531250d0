# The data fabric: one Iceberg lakehouse on S3, a DataHub catalog that
# makes every dataset searchable with its owner, lineage, freshness and
# quality score, and the streaming and batch pipelines that fill it.
data {
  lakehouse {
    format    = "iceberg"
    storage   = "s3"
    bucket    = "acme-shop-lakehouse"
    engine    = "trino"
    owner     = "data"
    retention = "2555d"
  }
  catalog {
    tool = "datahub"
  }

  # Datasets. Lineage names the datasets, topics and integrations each one
  # is derived from.
  datasets "orders-raw" {
    owner          = "data"
    description    = "Order events as received, before cleaning."
    classification = "pii"
    lineage {
      upstreams = ["topic/orders.created"]
    }
    quality {
      threshold = 95
      checks    = ["schema conforms to acme.orders.v1", "no duplicate event ids"]
    }
    freshness = "5m"
    retention = "90d"
    tags      = ["orders", "realtime"]
  }
  # The seed's example: an analyst types "real-time orders" into the
  # catalog and gets this table, minutes old, in a notebook.
  datasets "orders" {
    owner          = "data"
    description    = "Cleaned orders with pseudonymised customers, updated in real time."
    classification = "confidential"
    lineage {
      upstreams = ["orders-raw"]
    }
    quality {
      threshold = 98
      checks    = ["order_id unique", "amount >= 0", "currency is ISO 4217", "customer_id pseudonymised"]
    }
    freshness = "5m"
    retention = "2555d"
    tags      = ["orders", "realtime", "finance"]
  }
  datasets "user-events" {
    owner          = "data"
    description    = "Sessionised searches, impressions and clicks."
    classification = "pii"
    lineage {
      upstreams = ["topic/clickstream.events"]
    }
    quality {
      threshold = 95
      checks    = ["session_id not null", "event time within 1h of ingestion"]
    }
    freshness = "5m"
    retention = "395d"
    tags      = ["clickstream", "realtime"]
  }
  datasets "product-catalog" {
    owner          = "data"
    description    = "Products, prices and stock by market, synchronised from the ERP."
    classification = "internal"
    lineage {
      upstreams = ["integration/erp"]
    }
    quality {
      threshold = 99
      checks    = ["sku unique", "price > 0 in every market"]
    }
    freshness = "1h"
    tags      = ["catalog"]
  }
  # The seed's example: BI looks up last week's return reasons by keyword.
  datasets "returns" {
    owner          = "data"
    description    = "Returns with reason codes and free-text reasons."
    classification = "confidential"
    lineage {
      upstreams = ["integration/erp", "orders"]
    }
    quality {
      threshold = 97
      checks    = ["every return matches an order", "reason code set"]
    }
    freshness = "24h"
    retention = "2555d"
    tags      = ["returns", "finance"]
  }
  datasets "support-conversations" {
    owner          = "support"
    description    = "Questions, answers and complaint flags from support-qa."
    classification = "pii"
    lineage {
      upstreams = ["topic/support.questions", "topic/support.complaints"]
    }
    quality {
      threshold = 95
      checks    = ["conversation_id unique"]
    }
    freshness = "5m"
    retention = "180d"
    tags      = ["support", "llm"]
  }
  datasets "speech-training-audio" {
    owner          = "speech"
    description    = "Consented, transcribed call-centre and voice-message samples."
    classification = "restricted"
    lineage {
      upstreams = ["support-conversations"]
    }
    quality {
      threshold = 97
      checks    = ["consent flag set", "transcript reviewed"]
    }
    retention = "730d"
    tags      = ["speech", "training"]
  }
  datasets "recommendation-features" {
    owner          = "recommendations"
    description    = "User and item features for the ranker, online and offline."
    classification = "internal"
    lineage {
      upstreams = ["orders", "user-events", "product-catalog"]
    }
    quality {
      threshold = 97
      checks    = ["no feature more than 5% null", "point-in-time correct"]
    }
    freshness = "6h"
    retention = "180d"
    tags      = ["features", "recommendations"]
  }
  datasets "model-evaluations" {
    owner          = "data"
    description    = "Offline evaluation results of every candidate model."
    classification = "internal"
    lineage {
      upstreams = ["recommendation-features", "speech-training-audio"]
    }
    quality {
      threshold = 98
      checks    = ["every candidate has the full metric set", "metrics within historical bounds"]
    }
    tags = ["mlops"]
  }
  datasets "daily-sales-report" {
    owner          = "data"
    description    = "Daily sales, returns and margins by market and category."
    classification = "internal"
    lineage {
      upstreams = ["orders", "returns", "product-catalog"]
    }
    quality {
      threshold = 99
      checks    = ["revenue reconciles with finance ledger"]
    }
    freshness = "24h"
    tags      = ["reporting", "finance"]
  }

  # Pipelines. Real-time pipelines must deliver 95% of their data within
  # 5 minutes (the data KPI); batch pipelines have a schedule and a run time.
  pipelines "orders-realtime" {
    owner         = "data"
    mode          = "stream"
    description   = "The real-time order stream: orders.created into the lakehouse."
    engine        = "flink"
    sources       = ["topic/orders.created"]
    outputs       = ["orders-raw", "orders"]
    latencyTarget = "5m"
    objective     = 95
  }
  pipelines "clickstream-realtime" {
    owner         = "data"
    mode          = "stream"
    engine        = "flink"
    sources       = ["topic/clickstream.events"]
    outputs       = ["user-events"]
    latencyTarget = "5m"
    objective     = 95
  }
  pipelines "support-conversations" {
    owner         = "support"
    mode          = "stream"
    engine        = "kafka-streams"
    sources       = ["topic/support.questions", "topic/support.complaints"]
    outputs       = ["support-conversations"]
    latencyTarget = "5m"
    objective     = 95
  }
  pipelines "product-catalog-sync" {
    owner         = "data"
    mode          = "batch"
    engine        = "airflow"
    schedule      = "*/30 * * * *"
    sources       = ["integration/erp"]
    outputs       = ["product-catalog"]
    latencyTarget = "10m"
    objective     = 99
  }
  # platc runs these two as CronJobs (they have images); the others are
  # scheduled by their engines.
  pipelines "returns-nightly" {
    owner         = "data"
    mode          = "batch"
    engine        = "spark"
    schedule      = "0 1 * * *"
    sources       = ["integration/erp", "orders"]
    outputs       = ["returns"]
    latencyTarget = "30m"
    objective     = 95
    image         = "registry.acme.example/data/returns-job:1.8.0@sha256:5b0f6c1e9d2a4b7c8e3f1a0d6c9b2e4f7a8d1c3e5b6f9a0c2d4e7b1f3a5c8d9e"
    args          = ["--date", "yesterday"]
    resources {
      cpu    = 2
      memory = "8Gi"
    }
  }
  pipelines "daily-reports" {
    owner         = "data"
    mode          = "batch"
    description   = "Daily and monthly reports for finance and operations."
    engine        = "dbt"
    schedule      = "0 3 * * *"
    timeZone      = "Europe/Berlin"
    sources       = ["orders", "returns", "product-catalog"]
    outputs       = ["daily-sales-report"]
    latencyTarget = "1h"
    objective     = 95
    image         = "registry.acme.example/data/reports-dbt:3.2.1@sha256:c3d9e1f7a2b4c6d8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d5"
    command       = ["dbt", "build"]
    args          = ["--select", "tag:daily"]
  }
  pipelines "recommendation-features" {
    owner         = "recommendations"
    mode          = "batch"
    engine        = "spark"
    schedule      = "0 */6 * * *"
    sources       = ["orders", "user-events", "product-catalog"]
    outputs       = ["recommendation-features"]
    latencyTarget = "45m"
    objective     = 95
  }
  # Started by the ranker's drift monitors; the weekly run is a safety net.
  # Pull data, retrain, evaluate, push the image: within the hour.
  pipelines "recommendations-retrain" {
    owner         = "recommendations"
    mode          = "batch"
    engine        = "airflow"
    schedule      = "0 4 * * 0"
    sources       = ["recommendation-features", "user-events", "orders"]
    outputs       = ["model-evaluations"]
    latencyTarget = "50m"
    objective     = 90
  }
  pipelines "speech-finetune" {
    owner         = "speech"
    mode          = "batch"
    engine        = "airflow"
    schedule      = "0 2 1 * *"
    sources       = ["speech-training-audio"]
    outputs       = ["model-evaluations"]
    latencyTarget = "12h"
    objective     = 90
  }
}
