# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (batch_size above the DynamoDB Streams limit)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets           = [{ table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" }]
}

run "batch_size_out_of_range" {
  command = plan

  variables {
    batch_size = 10001
  }
}
