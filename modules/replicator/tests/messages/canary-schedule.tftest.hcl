# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (a schedule expression EventBridge Scheduler refuses)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets = [{
    table_name      = "orders-replica"
    region          = "eu-west-1"
    role_arn        = "arn:aws:iam::222222222222:role/ddbsync-target-access"
    external_id     = "shared-secret"
    health_role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health"
  }]
}

run "canary_schedule_not_rate_or_cron" {
  command = plan

  variables {
    canary = { enabled = true, heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}", schedule_expression = "every 1 minute" }
  }
}
