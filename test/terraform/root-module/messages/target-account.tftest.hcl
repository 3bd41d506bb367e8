# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (aws.target in the wrong account)

mock_provider "aws" {
  source = "./test/terraform/root-module/mocks/source"
}

mock_provider "aws" {
  alias  = "target"
  source = "./test/terraform/root-module/mocks/target"
}

variables {
  source_table_name    = "orders"
  target_table_names   = ["orders-replica"]
  lookup_target_tables = false
  target_account_id    = "333333333333"
  external_id          = "shared-secret"
}

run "target_provider_in_another_account" {
  command = plan
}
