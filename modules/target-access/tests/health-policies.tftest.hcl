# The health role's policies as IAM receives them: the JSON the real aws provider renders
# (tests/mocks replace aws_iam_policy_document). As in policies.tftest.hcl, nothing reaches
# AWS: the documents depend on data sources and inputs only, so a plan renders them.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline-test"
  secret_key                  = "offline-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "222222222222" }
}

variables {
  replicator_role_arn     = "arn:aws:iam::111111111111:role/ddbsync"
  external_id             = "shared-secret"
  organization_id         = "o-a1b2c3d4e5"
  lookup_tables           = false
  table_names             = ["orders-replica"]
  kms_key_arns            = ["arn:aws:kms:eu-west-1:222222222222:key/replica-key"]
  health_reader_role_arns = ["arn:aws:iam::111111111111:role/ddbsync-canary", "arn:aws:iam::111111111111:role/ddbsync-drift"]
}

run "read_only_health_role" {
  command = plan

  assert {
    condition = [for s in jsondecode(aws_iam_role.health[0].assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "HealthFunctionsOnly"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync-canary", "arn:aws:iam::111111111111:role/ddbsync-drift"]) }
      Condition = { StringEquals = { "sts:ExternalId" = toset(["shared-secret"]), "aws:PrincipalOrgID" = toset(["o-a1b2c3d4e5"]) } }
    }]
    error_message = "Only the canary and drift roles, with the external id and from the organization, may assume the health role."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.health[0].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [
      {
        Sid       = "ReadTargetTables"
        Effect    = "Allow"
        Action    = toset(["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"])
        Resource  = toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica"])
        Condition = {}
      },
      {
        Sid       = "UseTargetTableKeys"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:DescribeKey"])
        Resource  = toset(["arn:aws:kms:eu-west-1:222222222222:key/replica-key"])
        Condition = { StringEquals = { "kms:ViaService" = toset(["dynamodb.eu-west-1.amazonaws.com"]) } }
      },
    ]
    error_message = "Without health_repair the health role may only read the tables and decrypt with their keys, through DynamoDB."
  }
}

run "repairing_health_role" {
  command = plan

  variables {
    health_repair = true
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.health[0].policy).Statement : merge(s, {
      Action   = toset(flatten([try(s.Action, [])]))
      Resource = toset(flatten([try(s.Resource, [])]))
      }) if try(s.Sid, "") != "ReadTargetTables"] == [
      {
        Sid      = "RepairTargetTables"
        Effect   = "Allow"
        Action   = toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem"])
        Resource = toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica"])
      },
      {
        Sid       = "UseTargetTableKeys"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"])
        Resource  = toset(["arn:aws:kms:eu-west-1:222222222222:key/replica-key"])
        Condition = { StringEquals = { "kms:ViaService" = "dynamodb.eu-west-1.amazonaws.com" } }
      },
    ]
    error_message = "With health_repair the health role may also put, delete and batch-write the tables, with the writer's KMS actions."
  }
}
