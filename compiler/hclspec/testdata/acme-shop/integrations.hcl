# Legacy systems and SaaS, exposed as APIs behind the gateway and joined
# by the event bus (events.cue).

integrations "wechat-oa" {
  kind        = "saas"
  owner       = "support"
  url         = "https://api.weixin.qq.com"
  description = "WeChat official account: customers' questions arrive here and answers go back."
  rateLimit {
    requests = 2000
    per      = "minute"
    by       = "global"
  }
  secretRef = "support/wechat-oa-credentials"
}

integrations "crm" {
  kind        = "saas"
  owner       = "support"
  url         = "https://acme.crm.example/api/v2"
  description = "Customer relationship management: complaints become tickets."
  paid        = true
  rateLimit {
    requests = 300
    per      = "minute"
    burst    = 100
    by       = "global"
  }
  # Billed per API call above the plan. When the budget is spent the
  # circuit opens; complaints wait on support.complaints (14 days'
  # retention) until the next period or a budget increase.
  budget {
    amount      = 4000
    currency    = "USD"
    period      = "month"
    alertAt     = 75
    onExhausted = "circuit-break"
  }
  secretRef = "support/crm-api-token"
}

integrations "erp" {
  kind        = "legacy"
  owner       = "checkout"
  url         = "https://erp.internal.acme.example/api"
  description = "The order-management and warehouse ERP, wrapped as a REST API."
  rateLimit {
    requests = 200
    per      = "second"
    by       = "global"
  }
  secretRef = "checkout/erp-service-account"
}

# Payment fees are a cost of sale charged per transaction, not an API bill
# to cap, so the payment provider is not marked paid: a budget guardrail
# that blocked payments would stop the shop.
integrations "payments" {
  kind        = "partner"
  owner       = "checkout"
  url         = "https://api.payments.partner.example/v1"
  description = "Card, Alipay and WeChat Pay acceptance."
  rateLimit {
    requests = 500
    per      = "second"
    by       = "global"
  }
  secretRef = "checkout/payments-api-key"
}
