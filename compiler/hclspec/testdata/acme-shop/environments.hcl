# The environment and resource-pool table of the seed document's toolbox:
#
#	env   CPU cores  GPUs                          memory    bandwidth  owner
#	dev   496        8 h100 (2 split by MIG), 8 l4  3.5 TiB  10 Gbps    platform
#	test  768        8 h100 (1 split by MIG), 16 l4  4.25 TiB 25 Gbps    platform
#	prod  3136       36 h100 (4 split by MIG), 64 l4 18 TiB    100 Gbps   platform
#	                 (l4 bursts by 448 to 512 for the sales peak)
#
# Team quotas (teams-*.cue) add up to less than these totals.

# dev runs on the on-premises cluster the infrastructure group already
# operates: one 8-GPU H100 server and two L4 servers.
environments "dev" {
  tier        = "dev"
  owner       = "platform"
  description = "Shared development cluster in the Amsterdam office data room."
  cluster {
    provider          = "existing"
    name              = "acme-dev"
    kubeContext       = "acme-dev-admin"
    kubernetesVersion = "1.34"
  }
  bandwidth = "10Gbps"
  pools "general" {
    cpu    = 256
    memory = "1Ti"
    nodes {
      min = 4
      max = 4
    }
  }
  # Two of the eight GPUs are split into 1g.10gb slices for notebooks
  # and small embedding models; the other six stay whole.
  pools "gpu-h100" {
    cpu    = 112
    memory = "2Ti"
    nodes {
      min = 1
      max = 1
    }
    gpus "h100" {
      count       = 8
      memory      = "80Gi"
      mig         = { "1g.10gb" = 14 }
      migStrategy = "mixed"
    }
  }
  pools "gpu-l4" {
    cpu    = 128
    memory = "512Gi"
    nodes {
      min = 2
      max = 2
    }
    gpus "l4" {
      count  = 8
      memory = "24Gi"
    }
  }
  labels = { "acme.example/tier" = "dev" }
}

environments "test" {
  tier        = "test"
  owner       = "platform"
  description = "Integration and load-test environment on EKS in Frankfurt."
  cluster {
    provider          = "aws"
    region            = "eu-central-1"
    kubernetesVersion = "1.34"
    mesh              = "istio"
  }
  bandwidth = "25Gbps"
  pools "general" {
    cpu          = 384
    memory       = "1536Gi"
    instanceType = "m7i.16xlarge"
    nodes {
      min = 6
      max = 6
    }
  }
  # One p5.48xlarge; one of its GPUs is split into seven 1g.10gb slices.
  pools "gpu-h100" {
    cpu          = 192
    memory       = "2Ti"
    instanceType = "p5.48xlarge"
    nodes {
      min = 1
      max = 1
    }
    gpus "h100" {
      count       = 8
      memory      = "80Gi"
      mig         = { "1g.10gb" = 7 }
      migStrategy = "mixed"
    }
  }
  # Load tests of the speech-to-text peak may double the L4 pool.
  pools "gpu-l4" {
    cpu          = 192
    memory       = "768Gi"
    instanceType = "g6.12xlarge"
    spot         = true
    nodes {
      min   = 4
      max   = 4
      burst = 4
    }
    gpus "l4" {
      count  = 16
      burst  = 16
      memory = "24Gi"
    }
  }
  changeWindows {
    name     = "working-hours"
    days     = ["mon", "tue", "wed", "thu", "fri"]
    start    = "08:00"
    end      = "20:00"
    timezone = "Europe/Amsterdam"
  }
  labels = { "acme.example/tier" = "test" }
}

environments "prod" {
  tier        = "prod"
  owner       = "platform"
  description = "Production on EKS in Frankfurt, serving Europe and Asia through the edge gateway."
  cluster {
    provider          = "aws"
    region            = "eu-central-1"
    kubernetesVersion = "1.34"
    mesh              = "istio"
  }
  bandwidth = "100Gbps"
  pools "general" {
    cpu          = 1536
    memory       = "6Ti"
    instanceType = "m7i.16xlarge"
    nodes {
      min = 24
      max = 48
    }
  }
  # Training and LLM serving: four p5.48xlarge with whole GPUs.
  pools "gpu-h100" {
    cpu          = 768
    memory       = "8Ti"
    instanceType = "p5.48xlarge"
    nodes {
      min = 4
      max = 6
    }
    gpus "h100" {
      count  = 32
      burst  = 16
      memory = "80Gi"
    }
  }
  # Embedding models: four single-GPU p5.4xlarge, each GPU split into
  # seven 1g.10gb MIG slices.
  pools "gpu-h100-mig" {
    cpu          = 64
    memory       = "1Ti"
    instanceType = "p5.4xlarge"
    nodes {
      min = 4
      max = 4
    }
    gpus "h100" {
      count       = 4
      memory      = "80Gi"
      mig         = { "1g.10gb" = 28 }
      migStrategy = "single"
    }
  }
  # Online inference. For the Singles' Day and Black Friday peaks the
  # pool bursts by 112 nodes (448 GPUs) to 512 L4s, mostly for
  # speech-to-text, and shrinks back after the peak.
  pools "gpu-l4" {
    cpu          = 768
    memory       = "3Ti"
    instanceType = "g6.12xlarge"
    nodes {
      min   = 16
      max   = 16
      burst = 112
    }
    gpus "l4" {
      count  = 64
      burst  = 448
      memory = "24Gi"
    }
  }
  # Production changes go out Monday to Thursday during office hours, when
  # every on-call rotation is staffed.
  changeWindows {
    name     = "weekday-office-hours"
    days     = ["mon", "tue", "wed", "thu"]
    start    = "09:00"
    end      = "16:00"
    timezone = "Europe/Amsterdam"
  }
  freezes {
    name   = "may-day-2027"
    start  = "2027-04-28T00:00:00Z"
    end    = "2027-05-06T00:00:00Z"
    reason = "May Day holiday sales in China and the start of the European summer season"
  }
  freezes {
    name   = "peak-season-2027"
    start  = "2027-11-08T00:00:00Z"
    end    = "2027-12-01T06:00:00Z"
    reason = "Singles' Day (11.11) and Black Friday / Cyber Monday sales peak"
  }
  labels = { "acme.example/tier" = "prod" }
}
