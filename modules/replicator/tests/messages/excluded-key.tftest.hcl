# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (exclude_attributes naming a key attribute)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets           = [{ table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" }]
}

run "excluded_key_attribute" {
  command = plan

  variables {
    exclude_attributes = ["sk", "ssn"]
  }
}
