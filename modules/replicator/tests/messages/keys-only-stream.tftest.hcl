# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (a KEYS_ONLY stream carries no item images)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets           = [{ table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" }]
}

run "keys_only_stream" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      hash_key         = "pk"
      stream_enabled   = true
      stream_view_type = "KEYS_ONLY"
      stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    }
  }
}
