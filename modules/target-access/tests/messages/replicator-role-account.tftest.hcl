# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (a replicator role ARN with an invalid account id)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  replicator_role_arn = "arn:aws:iam::12345:role/ddbsync"
  external_id         = "shared-secret"
  table_names         = ["orders-replica"]
}

run "invalid_account_id" {
  command = plan
}
