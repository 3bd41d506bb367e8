# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (canary.heartbeat_key that is not DynamoDB JSON)

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

run "heartbeat_key_not_dynamodb_json" {
  command = plan

  variables {
    canary = { enabled = true, heartbeat_key = "{\"pk\":\"__ddbsync_heartbeat__\",\"sk\":\"canary\"}" }
  }
}
