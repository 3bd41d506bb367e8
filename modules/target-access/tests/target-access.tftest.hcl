# The target role: only the replicator's role may assume it (with the external id),
# and it may only write the named tables, plus the KMS use DynamoDB needs for them.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  replicator_role_arn = "arn:aws:iam::111111111111:role/ddbsync"
  external_id         = "shared-secret"
  table_names         = ["orders-replica"]
}

# The default inputs, planned and applied once for both the trust and the write policy
# (each run re-plans with the mocked provider: fewer runs, same assertions, less time).
run "trust_and_write_policies" {
  command = apply

  assert {
    condition     = length(data.aws_iam_policy_document.trust.statement) == 1 && data.aws_iam_policy_document.trust.statement[0].actions == toset(["sts:AssumeRole"])
    error_message = "The trust policy must allow sts:AssumeRole only."
  }
  assert {
    condition     = [for p in data.aws_iam_policy_document.trust.statement[0].principals : p.identifiers] == [toset(["arn:aws:iam::111111111111:role/ddbsync"])]
    error_message = "Only the replicator's execution role may assume the role."
  }
  assert {
    condition     = one([for c in data.aws_iam_policy_document.trust.statement[0].condition : c if c.variable == "sts:ExternalId"]) == { test = "StringEquals", variable = "sts:ExternalId", values = tolist(["shared-secret"]) }
    error_message = "The trust policy must require the external id."
  }
  assert {
    condition     = length([for c in data.aws_iam_policy_document.trust.statement[0].condition : c if c.variable == "aws:PrincipalOrgID"]) == 0
    error_message = "No organization condition unless organization_id is set."
  }
  assert {
    condition     = output.role_arn == "arn:aws:iam::222222222222:role/ddbsync-target-access"
    error_message = "role_arn must be output."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.write.statement) == 1
    error_message = "Without customer-managed keys there must be no KMS statement."
  }
  assert {
    condition     = data.aws_iam_policy_document.write.statement[0].actions == toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"])
    error_message = "The role may only PutItem, DeleteItem, BatchWriteItem and DescribeTable."
  }
  assert {
    condition     = data.aws_iam_policy_document.write.statement[0].resources == toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica"])
    error_message = "The role may only write the named tables."
  }
}

run "built_arns_and_org_condition" {
  command = apply

  variables {
    lookup_tables   = false
    table_names     = ["a-replica", "b-replica"]
    kms_key_arns    = ["arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    organization_id = "o-a1b2c3d4e5"
  }

  assert {
    condition     = data.aws_iam_policy_document.write.statement[0].resources == toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/a-replica", "arn:aws:dynamodb:eu-west-1:222222222222:table/b-replica"])
    error_message = "Table ARNs must be built from the partition, account and region when not looked up."
  }
  assert {
    condition     = data.aws_iam_policy_document.write.statement[1].resources == toset(["arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"]) && data.aws_iam_policy_document.write.statement[1].actions == toset(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"])
    error_message = "The tables' customer-managed key must get exactly the KMS actions DynamoDB writes need."
  }
  assert {
    condition     = one([for c in data.aws_iam_policy_document.trust.statement[0].condition : c if c.variable == "aws:PrincipalOrgID"]) == { test = "StringEquals", variable = "aws:PrincipalOrgID", values = tolist(["o-a1b2c3d4e5"]) }
    error_message = "organization_id must add an aws:PrincipalOrgID condition."
  }
}

# Variables validated on their own: one run holds a bad value for each, and every one of
# them must report its failure.
run "rejects_invalid_variables" {
  command = plan

  variables {
    replicator_role_arn = "arn:aws:iam::12345:role/ddbsync"
    external_id         = "x"
    table_names         = ["ab"]
  }

  expect_failures = [var.replicator_role_arn, var.external_id, var.table_names]
}

run "kms_use_only_through_dynamodb" {
  command = plan

  variables {
    kms_key_arns = ["arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.write.statement[1].condition : c if c.variable == "kms:ViaService"]) == { test = "StringEquals", variable = "kms:ViaService", values = tolist(["dynamodb.eu-west-1.amazonaws.com"]) }
    error_message = "The role may use the tables' keys only through DynamoDB in the tables' region."
  }
}
