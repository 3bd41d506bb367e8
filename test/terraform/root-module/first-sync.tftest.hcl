# Run from the repository root: terraform test -test-directory=test/terraform/root-module
#
# The one-call root module with the first sync on (providers mocked): the target account
# gets a first-sync role trusted by the three first-sync functions, the functions reach the
# targets through it (not the writer role), and the workflow pauses the replicator's mapping.

mock_provider "aws" {
  source = "./test/terraform/root-module/mocks/source"
}

mock_provider "aws" {
  alias  = "target"
  source = "./test/terraform/root-module/mocks/target"
}

override_data {
  target = module.first_sync[0].data.aws_dynamodb_table.source
  values = {
    arn                    = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key               = "pk"
    point_in_time_recovery = [{ enabled = true, recovery_period_in_days = 35 }]
  }
}
override_resource {
  target = module.first_sync[0].aws_iam_role.function["loader"]
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader" }
}
override_resource {
  target = module.first_sync[0].aws_iam_role.function["importer"]
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer" }
}
override_resource {
  target = module.first_sync[0].aws_iam_role.function["verifier"]
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier" }
}
override_resource {
  target = module.target_access.aws_iam_role.first_sync
  values = { arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync" }
}
override_resource {
  target = module.replicator.aws_lambda_event_source_mapping.this
  values = { uuid = "14e0db71-5d35-4eb5-b481-8945cf9d10c2" }
}
override_resource {
  target = module.first_sync[0].aws_s3_bucket.export
  values = { id = "ddbsync-first-sync-abc", arn = "arn:aws:s3:::ddbsync-first-sync-abc" }
}

variables {
  source_table_name    = "orders"
  target_table_names   = ["orders-replica"]
  lookup_target_tables = false
  target_account_id    = "222222222222"
  external_id          = "shared-secret"
  enabled              = false
  starting_position    = "TRIM_HORIZON"
  first_sync           = { enabled = true, import = true, max_concurrency = 20, target_write_capacity = 4000 }
}

run "first_sync_through_its_own_target_role" {
  command = apply

  assert {
    condition     = output.first_sync_state_machine_arn != null && output.first_sync_bucket_name == "ddbsync-first-sync-abc"
    error_message = "With first_sync.enabled the state machine and the export bucket must exist and be output."
  }
  assert {
    condition = jsondecode(module.first_sync[0].replication_targets_json) == [
      { tableName = "orders-replica", region = "eu-west-1", roleArn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync", externalId = "shared-secret" },
    ]
    error_message = "The first-sync functions must reach the target through the target account's first-sync role, not the replicator's writer role."
  }
  assert {
    condition = toset(module.target_access.first_sync_role_arn == null ? [] : [
      "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader",
      "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer",
      "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier",
    ]) == toset(values(module.first_sync[0].function_role_arns))
    error_message = "The target's first-sync role must exist and be trusted by exactly the three first-sync functions' roles."
  }
  assert {
    condition     = jsondecode(module.first_sync[0].replication_targets_json)[0].roleArn != output.target_role_arn
    error_message = "The replicator's writer role must not be used by the first sync."
  }
  assert {
    condition     = module.first_sync[0].function_names.loader == "ddbsync-first-sync-loader"
    error_message = "The first-sync functions are named after the replicator (name-first-sync-<role>)."
  }
}

run "off_by_default" {
  command = plan

  variables {
    first_sync = {}
  }

  assert {
    condition     = length(module.first_sync) == 0 && output.first_sync_state_machine_arn == null
    error_message = "The first sync must be off unless first_sync.enabled is true."
  }
}
