# The speech team transcribes voice messages and customer calls. For the
# Singles' Day and Black Friday peaks speech-to-text scales out to about
# 480 L4s by borrowing the prod pool's burst capacity, and gives them back
# after the peak.
teams "speech" {
  displayName = "Speech"
  owners      = ["@kenji-sato"]
  onCall      = "@speech-oncall"
  costCentre  = "CC-2200-SPEECH"
  slack       = "#team-speech"
  quotas "dev" {
    cpu    = 32
    memory = "128Gi"
    gpus "h100" {
      reserved = 1
    }
    gpus "l4" {
      reserved       = 4
      borrowingLimit = 4
    }
  }
  quotas "test" {
    cpu      = 64
    memory   = "256Gi"
    priority = "high"
    gpus "l4" {
      reserved       = 8
      borrowingLimit = 8
    }
  }
  quotas "prod" {
    # Sized for the peak: 480 replicas of 1 core and 4 GiB.
    cpu      = 512
    memory   = "2Ti"
    priority = "high"
    # Fine-tuning jobs only; they yield to everyone else.
    gpus "h100" {
      reserved       = 4
      borrowingLimit = 4
      priority       = "batch"
    }
    # 48 reserved plus up to 448 borrowed from the pool's burst.
    gpus "l4" {
      reserved       = 48
      borrowingLimit = 448
      lendingLimit   = 16
      priority       = "critical"
    }
  }
}

services "speech-to-text" {
  team        = "speech"
  kind        = "inference"
  description = "Streaming speech recognition for voice messages and the call centre."
  image       = "registry.acme.example/speech/speech-to-text:3.2.0@sha256:0b6ffeba90586d99e73ff7428161aa6a66da710f0aac7b53091c0c0e08893e0e"
  port        = 8000
  environments "dev" {
    replicas = 1
  }
  environments "test" {
    autoscaling {
      min       = 2
      max       = 16
      targetGPU = 75
    }
  }
  # 40 GPUs on an ordinary day, up to 480 at the sales peak.
  environments "prod" {
    autoscaling {
      min       = 40
      max       = 480
      targetGPU = 75
    }
  }
  resources {
    cpu    = 1
    memory = "4Gi"
    gpu {
      model = "l4"
      count = 1
    }
  }
  routes {
    host    = "api.acme.example"
    path    = "/v1/transcriptions"
    methods = ["POST"]
    timeout = "30s"
    rateLimit {
      requests = 600
      per      = "minute"
      burst    = 120
      by       = "header"
      header   = "x-api-key"
    }
  }
  slos "availability" {
    kind      = "availability"
    objective = 99.9
  }
  slos "latency" {
    kind      = "latency"
    objective = 95
    threshold = "2s"
  }
  rollout {
    strategy     = "canary"
    steps        = [5, 25, 50, 100]
    autoRollback = true
  }
}

models "speech-asr" {
  team         = "speech"
  description  = "Multilingual speech recognition (zh, en, de, fr, es), fine-tuned on shop vocabulary."
  service      = "speech-to-text"
  framework    = "triton"
  trainingData = ["speech-training-audio"]
  drift "word-accuracy" {
    metric    = "accuracy"
    target    = "1 - word_error_rate on the sampled, human-labelled set"
    baseline  = "speech-training-audio:holdout"
    threshold = 0.03
    window    = "7d"
  }
  drift "audio-language-mix" {
    metric    = "js-divergence"
    target    = "detected_language"
    baseline  = "speech-training-audio:language-mix"
    threshold = 0.1
    window    = "1d"
  }
  retraining {
    trigger  = "schedule"
    schedule = "0 2 1 * *"
    pipeline = "speech-finetune"
    evaluation {
      metric              = "word_accuracy"
      threshold           = 0.92
      compareToProduction = true
    }
  }
  promotion {
    strategy = "canary"
    approval = "@kenji-sato"
  }
}
