# The optional health role of the target-access module, against a mocked aws provider: only
# the source side's canary and drift roles may assume it (with the writer role's external id
# and organization condition); it may read the named tables, and write them only for repair.

mock_provider "aws" {
  source = "./tests/mocks"
}

override_resource {
  target = aws_iam_role.health
  values = { arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health" }
}

variables {
  replicator_role_arn = "arn:aws:iam::111111111111:role/ddbsync"
  external_id         = "shared-secret"
  table_names         = ["orders-replica"]
}

run "no_health_role_by_default" {
  command = plan

  assert {
    condition     = length(aws_iam_role.health) == 0 && output.health_role_arn == null
    error_message = "Without health_reader_role_arns there must be no health role."
  }
}

run "health_role_reads_only" {
  command = apply

  variables {
    health_reader_role_arns = ["arn:aws:iam::111111111111:role/ddbsync-canary", "arn:aws:iam::111111111111:role/ddbsync-drift"]
    organization_id         = "o-a1b2c3d4e5"
  }

  assert {
    condition     = aws_iam_role.health[0].name == "ddbsync-target-access-health" && output.health_role_arn == "arn:aws:iam::222222222222:role/ddbsync-target-access-health"
    error_message = "The health role must be named <name>-health and its ARN output."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.health_trust[0].statement) == 1 && data.aws_iam_policy_document.health_trust[0].statement[0].actions == toset(["sts:AssumeRole"])
    error_message = "The health role's trust policy must allow sts:AssumeRole only."
  }
  assert {
    condition     = [for p in data.aws_iam_policy_document.health_trust[0].statement[0].principals : p.identifiers] == [toset(["arn:aws:iam::111111111111:role/ddbsync-canary", "arn:aws:iam::111111111111:role/ddbsync-drift"])]
    error_message = "Only the canary and drift roles may assume the health role (not the replicator's writer role)."
  }
  assert {
    condition = jsonencode({ for c in data.aws_iam_policy_document.health_trust[0].statement[0].condition : c.variable => [c.test, sort(c.values)] }) == jsonencode({
      "aws:PrincipalOrgID" = ["StringEquals", ["o-a1b2c3d4e5"]]
      "sts:ExternalId"     = ["StringEquals", ["shared-secret"]]
    })
    error_message = "The health role must require the writer role's external id and organization."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.health[0].statement) == 1 && data.aws_iam_policy_document.health[0].statement[0].actions == toset(["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"])
    error_message = "Without health_repair the health role may only read (GetItem, BatchGetItem, Scan, DescribeTable)."
  }
  assert {
    condition     = data.aws_iam_policy_document.health[0].statement[0].resources == toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica"])
    error_message = "The health role may read the named tables only."
  }
  assert {
    condition     = [for p in data.aws_iam_policy_document.trust.statement[0].principals : p.identifiers] == [toset(["arn:aws:iam::111111111111:role/ddbsync"])]
    error_message = "The writer role must still trust the replicator only."
  }
}

run "health_role_repairs_with_keys" {
  command = apply

  variables {
    health_reader_role_arns = ["arn:aws:iam::111111111111:role/ddbsync-drift"]
    health_repair           = true
    health_role_name        = "orders-drift-repair"
    lookup_tables           = false
    table_names             = ["a-replica", "b-replica"]
    kms_key_arns            = ["arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
  }

  assert {
    condition     = aws_iam_role.health[0].name == "orders-drift-repair"
    error_message = "health_role_name must name the health role."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.health[0].statement : s.actions if s.sid == "RepairTargetTables"][0] == toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]) && [for s in data.aws_iam_policy_document.health[0].statement : s.resources if s.sid == "RepairTargetTables"][0] == toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/a-replica", "arn:aws:dynamodb:eu-west-1:222222222222:table/b-replica"])
    error_message = "With health_repair the health role may also put, delete and batch-write the named tables, and nothing else."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.health[0].statement : s.actions if s.sid == "UseTargetTableKeys"][0] == toset(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]) && [for s in data.aws_iam_policy_document.health[0].statement : one(s.condition).values if s.sid == "UseTargetTableKeys"][0] == tolist(["dynamodb.eu-west-1.amazonaws.com"])
    error_message = "Repairing tables with customer-managed keys needs the writer's KMS actions, through DynamoDB only."
  }
}

run "health_role_reads_with_keys" {
  command = plan

  variables {
    health_reader_role_arns = ["arn:aws:iam::111111111111:role/ddbsync-canary"]
    lookup_tables           = false
    kms_key_arns            = ["arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.health[0].statement : s.actions if s.sid == "UseTargetTableKeys"][0] == toset(["kms:Decrypt", "kms:DescribeKey"])
    error_message = "Reading tables with customer-managed keys needs kms:Decrypt and kms:DescribeKey only."
  }
}

run "rejects_invalid_health_reader_role_arn" {
  command = plan

  variables {
    health_reader_role_arns = ["ddbsync-canary"]
  }

  expect_failures = [var.health_reader_role_arns]
}
