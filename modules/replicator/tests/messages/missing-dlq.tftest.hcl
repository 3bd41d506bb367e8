# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (no queue for failed records)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets           = [{ table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" }]
}

run "missing_dlq" {
  command = plan

  variables {
    create_dlq = false
  }
}
