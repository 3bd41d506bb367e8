# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (a table without a stream)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets           = [{ table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" }]
}

run "disabled_stream" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      hash_key       = "pk"
      stream_enabled = false
      stream_arn     = ""
    }
  }
}
