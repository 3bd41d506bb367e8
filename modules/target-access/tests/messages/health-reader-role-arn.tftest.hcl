# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (a health reader given by name)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  replicator_role_arn = "arn:aws:iam::111111111111:role/ddbsync"
  external_id         = "shared-secret"
  table_names         = ["orders-replica"]
}

run "health_reader_role_by_name" {
  command = plan

  variables {
    health_reader_role_arns = ["ddbsync-canary"]
  }
}
