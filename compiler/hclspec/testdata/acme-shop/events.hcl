# The event bus joins services and integrations.
events {
  bus {
    kind         = "kafka"
    environments = ["dev", "test", "prod"]
  }
  # A customer writes to the WeChat official account; the question
  # reaches the LLM Q&A service as an event.
  topics "support.questions" {
    owner       = "support"
    description = "Customer questions from messaging channels."
    producers   = ["wechat-oa"]
    consumers   = ["support-qa"]
    partitions  = 12
    retention   = "7d"
    schema      = "acme.support.v1.Question"
  }
  # A question recognised as a complaint opens a CRM ticket.
  topics "support.complaints" {
    owner       = "support"
    description = "Complaints detected by support-qa, one CRM ticket each."
    producers   = ["support-qa"]
    consumers   = ["crm"]
    partitions  = 6
    retention   = "14d"
    schema      = "acme.support.v1.Complaint"
  }
  # Read by the ERP and by the orders-realtime pipeline (data.cue).
  topics "orders.created" {
    owner       = "checkout"
    description = "One event per placed order."
    producers   = ["checkout-api"]
    consumers   = ["erp"]
    partitions  = 24
    retention   = "7d"
    schema      = "acme.orders.v1.OrderCreated"
  }
  # Impressions, clicks and searches; read by the clickstream pipeline.
  topics "clickstream.events" {
    owner       = "data"
    description = "Search, impression and click events."
    producers   = ["search-api", "recommendations-api", "checkout-api"]
    partitions  = 48
    retention   = "3d"
    schema      = "acme.clickstream.v1.Event"
  }
}
