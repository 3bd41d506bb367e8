# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (canary.heartbeat_key naming attributes that are not the table's key)

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

run "heartbeat_key_of_other_attributes" {
  command = plan

  variables {
    canary = { enabled = true, heartbeat_key = "{\"id\":{\"S\":\"__ddbsync_heartbeat__\"}}" }
  }
}
