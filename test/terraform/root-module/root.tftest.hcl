# Run from the repository root: terraform test -test-directory=test/terraform/root-module
#
# The one-call root module with both providers mocked (no AWS calls): the function in the
# source account targets the role created in the target account, in that account's region,
# and a target provider pointed at the wrong account stops the plan.

mock_provider "aws" {
  source = "./test/terraform/root-module/mocks/source"
}

mock_provider "aws" {
  alias  = "target"
  source = "./test/terraform/root-module/mocks/target"
}

variables {
  source_table_name    = "orders"
  target_table_names   = ["orders-replica", "orders-archive"]
  lookup_target_tables = false
  target_account_id    = "222222222222"
  external_id          = "shared-secret"
}

run "targets_use_the_target_role_and_region" {
  command = apply

  assert {
    condition = jsondecode(output.replication_targets_json) == [
      { tableName = "orders-replica", region = "eu-west-1", roleArn = "arn:aws:iam::222222222222:role/ddbsync-target-access", externalId = "shared-secret" },
      { tableName = "orders-archive", region = "eu-west-1", roleArn = "arn:aws:iam::222222222222:role/ddbsync-target-access", externalId = "shared-secret" },
    ]
    error_message = "Every target table must be written through the target-access role, in the target provider's region, with the external id."
  }
  assert {
    condition     = output.target_role_arn == "arn:aws:iam::222222222222:role/ddbsync-target-access" && output.role_arn == "arn:aws:iam::111111111111:role/ddbsync"
    error_message = "The execution role must come from the source provider and the target role from the target provider."
  }
  assert {
    condition     = output.event_source_mapping_uuid != null
    error_message = "The stream mapping must be created by default."
  }
}

run "rejects_target_provider_in_another_account" {
  command = plan

  variables {
    target_account_id = "333333333333"
  }

  expect_failures = [data.aws_caller_identity.target]
}

run "rejects_invalid_target_account_id" {
  command = plan

  variables {
    target_account_id = "2222"
  }

  expect_failures = [var.target_account_id]
}
