# Fails on purpose: the export bucket's provider is in another region than the state machine.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "export_bucket"
  source = "./tests/mocks"

  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
}

run "bucket_in_another_region" {
  command = plan

  variables {
    source_table_name         = "orders"
    event_source_mapping_uuid = "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
    targets                   = [{ table_name = "orders-replica", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync" }]
  }
}
