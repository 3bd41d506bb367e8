# Fails on purpose: test/terraform/static.test.ts runs this file and checks that the
# message says how to turn point-in-time recovery on.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "export_bucket"
  source = "./tests/mocks"
}

override_data {
  target = data.aws_dynamodb_table.source
  values = {
    arn                    = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key               = "pk"
    point_in_time_recovery = [{ enabled = false, recovery_period_in_days = 0 }]
  }
}

run "point_in_time_recovery_off" {
  command = plan

  variables {
    source_table_name         = "orders"
    event_source_mapping_uuid = "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
    targets                   = [{ table_name = "orders-replica", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync" }]
  }
}
