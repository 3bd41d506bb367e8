# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (a target role ARN with an invalid account id)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets           = [{ table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" }]
}

run "invalid_account_id" {
  command = plan

  variables {
    targets = [{ table_name = "orders-replica", role_arn = "arn:aws:iam::2222:role/ddbsync-target-access" }]
  }
}
