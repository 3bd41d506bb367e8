# Fails on purpose: a write cap smaller than the Map's concurrency leaves each loader less than 1 unit.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "export_bucket"
  source = "./tests/mocks"
}

run "write_capacity_below_concurrency" {
  command = plan

  variables {
    source_table_name         = "orders"
    event_source_mapping_uuid = "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
    targets                   = [{ table_name = "orders-replica", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync" }]
    max_concurrency           = 40
    target_write_capacity     = 25
  }
}
