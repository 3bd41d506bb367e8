# Run from the repository root: terraform test -test-directory=test/terraform/root-module
#
# The one-call root module with the lag canary and drift detection on (providers mocked):
# the target account gets a health role, the canary and drift functions read the target
# through it, and the replicator keeps its writer role.

mock_provider "aws" {
  source = "./test/terraform/root-module/mocks/source"
}

mock_provider "aws" {
  alias  = "target"
  source = "./test/terraform/root-module/mocks/target"
}

override_resource {
  target = module.replicator.aws_iam_role.canary
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-canary" }
}
override_resource {
  target = module.replicator.aws_iam_role.drift
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-drift" }
}
override_resource {
  target = module.replicator.aws_lambda_function.canary
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary" }
}
override_resource {
  target = module.replicator.aws_lambda_function.drift
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-drift" }
}
override_resource {
  target = module.target_access.aws_iam_role.health
  values = { arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health" }
}

override_data {
  target = module.replicator.data.aws_dynamodb_table.source[0]
  values = {
    arn              = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key         = "pk"
    range_key        = "sk"
    stream_enabled   = true
    stream_view_type = "NEW_AND_OLD_IMAGES"
    stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
  }
}

variables {
  source_table_name    = "orders"
  target_table_names   = ["orders-replica"]
  lookup_target_tables = false
  target_account_id    = "222222222222"
  external_id          = "shared-secret"
}

run "health_functions_read_through_the_health_role" {
  command = apply

  variables {
    canary          = { enabled = true, heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}" }
    drift_detection = { enabled = true, repair = true }
  }

  assert {
    condition     = output.target_health_role_arn == "arn:aws:iam::222222222222:role/ddbsync-target-access-health"
    error_message = "With the canary or drift detection on, the target account must get a health role (its trust and permissions are tested in modules/target-access/tests/health.tftest.hcl and, applied, in test/e2e/health.test.ts)."
  }
  assert {
    condition     = jsondecode(output.health_targets_json) == [{ tableName = "orders-replica", region = "eu-west-1", roleArn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health", externalId = "shared-secret" }]
    error_message = "The canary and drift functions must reach the target through the health role, with the external id."
  }
  assert {
    condition     = jsondecode(output.replication_targets_json)[0].roleArn == "arn:aws:iam::222222222222:role/ddbsync-target-access"
    error_message = "The replicator must keep writing through the writer role."
  }
  assert {
    condition     = output.canary_function_name == "ddbsync-canary" && output.drift_function_name == "ddbsync-drift" && output.dashboard_name == "ddbsync"
    error_message = "The root module must output the health functions and the dashboard."
  }
}

run "no_health_role_when_both_are_off" {
  command = plan

  assert {
    condition     = output.target_health_role_arn == null && output.canary_function_name == null
    error_message = "Without the canary and drift detection there must be no health role or function."
  }
}
