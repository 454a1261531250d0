# The five KPIs of the daily health check, with the seed document's targets.
kpis {
  delivery {
    leadTime = "24h"
  }
  reliability {
    availability = 99.9
  }
  cost {
    gpuUtilisation = 70
  }
  resilience {
    mttr = "30m"
  }
  data {
    pipelineObjective = 95
    latencyTarget     = "5m"
  }
}
